from django.conf import settings
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
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
