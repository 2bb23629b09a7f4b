"""Every write in portfolios, one module per topic; the names are re-exported here."""

from guildbook.portfolios.services.audits import (
    audit_start,
    course_areas_set,
    gap_to_goal,
    rating_mentor_set,
    rating_set,
)
from guildbook.portfolios.services.evidence import (
    evidence_add_survey_answer,
    evidence_create,
    evidence_delete,
    evidence_for_attendance,
    evidence_update,
)
from guildbook.portfolios.services.exports import (
    ConfidentialityCheck,
    confidentiality_findings,
    export_build,
    export_request,
)
from guildbook.portfolios.services.sections import section_file_add, section_file_remove
from guildbook.portfolios.services.sharing import (
    assessor_link_create,
    assessor_link_from_token,
    assessor_link_revoke,
    assessor_link_token,
)
from guildbook.portfolios.services.statements import (
    mentor_share_set,
    statement_comment,
    statement_save,
)

__all__ = [
    "ConfidentialityCheck",
    "assessor_link_create",
    "assessor_link_from_token",
    "assessor_link_revoke",
    "assessor_link_token",
    "audit_start",
    "confidentiality_findings",
    "course_areas_set",
    "evidence_add_survey_answer",
    "evidence_create",
    "evidence_delete",
    "evidence_for_attendance",
    "evidence_update",
    "export_build",
    "export_request",
    "gap_to_goal",
    "mentor_share_set",
    "rating_mentor_set",
    "rating_set",
    "section_file_add",
    "section_file_remove",
    "statement_comment",
    "statement_save",
]
