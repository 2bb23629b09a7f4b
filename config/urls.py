from django.contrib import admin
from django.urls import include, path

from guildbook.api.urls import api
from guildbook.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("guildbook.accounts.urls")),
    path("", include("guildbook.notifications.urls")),
    path("", include("guildbook.training.urls")),
    path("", include("guildbook.surveys.urls")),
    path("", include("guildbook.insights.urls")),
    path("", include("guildbook.qualifications.urls")),
    path("", include("guildbook.portfolios.urls")),
]
# Uploads are never served from MEDIA_ROOT, in development either: each one goes out only
# through the view that checks who may see it (training's /materials/<id>/).
