from django.urls import path

from guildbook.portfolios import (
    views,
    views_assessor,
    views_builder,
    views_skills,
    views_statement,
)

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
    path("me/skills/", views_skills.skills, name="skills"),
    path("me/skills/<int:pk>/", views_skills.skills_audit, name="skills_audit"),
    path("me/skills/ratings/<int:pk>/goal/", views_skills.skills_gap_goal, name="skills_gap_goal"),
    path("portfolios/<int:pk>/statement/", views_statement.statement, name="statement"),
    path(
        "portfolios/<int:pk>/statement/<int:version>/comment/",
        views_statement.statement_comment,
        name="statement_comment",
    ),
    path("portfolios/<int:pk>/share/", views_statement.share, name="share"),
    path("portfolios/<int:pk>/", views_builder.builder, name="builder"),
    path("portfolios/<int:pk>/files/", views_builder.section_file_add, name="section_file_add"),
    path(
        "portfolios/<int:pk>/files/<int:placed>/remove/",
        views_builder.section_file_remove,
        name="section_file_remove",
    ),
    path("portfolios/<int:pk>/export/", views_builder.export, name="export"),
    path("me/evidence/export/", views_builder.export_everything, name="export_everything"),
    path("me/exports/<int:pk>/", views_builder.export_status, name="export_status"),
    path("me/exports/<int:pk>/download/", views_builder.export_download, name="export_download"),
    path("portfolios/<int:pk>/links/", views_assessor.links, name="assessor_links"),
    path(
        "portfolios/<int:pk>/links/<int:link>/revoke/",
        views_assessor.link_revoke,
        name="assessor_link_revoke",
    ),
    # For an assessor without an account: a signed, expiring, revocable token.
    path("shared/<str:token>/", views_assessor.assessor, name="assessor"),
    path(
        "shared/<str:token>/files/<int:evidence>/",
        views_assessor.assessor_file,
        name="assessor_file",
    ),
]
