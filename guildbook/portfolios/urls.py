from django.urls import path

from guildbook.portfolios.views import assessor, builder, evidence, skills, statement

app_name = "portfolios"

urlpatterns = [
    path("me/evidence/", evidence.evidence_log, name="evidence_log"),
    path("me/evidence/new/", evidence.evidence_add, name="evidence_add"),
    path("me/evidence/<int:pk>/", evidence.evidence_detail, name="evidence"),
    path("me/evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence_edit"),
    path("me/evidence/<int:pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("me/evidence/<int:pk>/file/", evidence.evidence_file, name="evidence_file"),
    path(
        "me/evidence/<int:pk>/reflection/",
        evidence.evidence_save_reflection,
        name="evidence_save_reflection",
    ),
    path("me/skills/", skills.skills, name="skills"),
    path("me/skills/<int:pk>/", skills.skills_audit, name="skills_audit"),
    path("me/skills/ratings/<int:pk>/goal/", skills.skills_gap_goal, name="skills_gap_goal"),
    path("portfolios/<int:pk>/statement/", statement.statement, name="statement"),
    path(
        "portfolios/<int:pk>/statement/<int:version>/comment/",
        statement.statement_comment,
        name="statement_comment",
    ),
    path("portfolios/<int:pk>/share/", statement.share, name="share"),
    path("portfolios/<int:pk>/skills/", skills.mentor_skills, name="mentor_skills"),
    path(
        "portfolios/<int:pk>/skills/<int:audit>/",
        skills.mentor_skills_audit,
        name="mentor_skills_audit",
    ),
    path("portfolios/<int:pk>/", builder.builder, name="builder"),
    path("portfolios/<int:pk>/files/", builder.section_file_add, name="section_file_add"),
    path(
        "portfolios/<int:pk>/files/<int:placed>/remove/",
        builder.section_file_remove,
        name="section_file_remove",
    ),
    path("portfolios/<int:pk>/export/", builder.export, name="export"),
    path(
        "portfolios/<int:pk>/revalidation-pack/",
        builder.revalidation_pack,
        name="revalidation_pack",
    ),
    path("me/evidence/export/", builder.export_everything, name="export_everything"),
    path("me/exports/<int:pk>/", builder.export_status, name="export_status"),
    path("me/exports/<int:pk>/download/", builder.export_download, name="export_download"),
    path("portfolios/<int:pk>/links/", assessor.links, name="assessor_links"),
    path(
        "portfolios/<int:pk>/links/<int:link>/revoke/",
        assessor.link_revoke,
        name="assessor_link_revoke",
    ),
    # For an assessor without an account: a signed, expiring, revocable token.
    path("shared/<str:token>/", assessor.assessor, name="assessor"),
    path(
        "shared/<str:token>/files/<int:evidence>/",
        assessor.assessor_file,
        name="assessor_file",
    ),
]
