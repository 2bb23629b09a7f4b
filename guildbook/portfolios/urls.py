from django.urls import path

from guildbook.portfolios import views

app_name = "portfolios"

urlpatterns = [
    path("me/evidence/", views.evidence_log, name="evidence_log"),
    path("me/evidence/new/", views.evidence_add, name="evidence_add"),
    path("me/evidence/<int:pk>/", views.evidence_detail, name="evidence"),
    path("me/evidence/<int:pk>/edit/", views.evidence_edit, name="evidence_edit"),
    path("me/evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("me/evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path(
        "me/evidence/<int:pk>/reflection/",
        views.evidence_save_reflection,
        name="evidence_save_reflection",
    ),
]
