"""Every write in portfolios, one module per topic; the names are re-exported here."""

from guildbook.portfolios.services.evidence import (
    evidence_add_survey_answer,
    evidence_create,
    evidence_delete,
    evidence_for_attendance,
    evidence_update,
)

__all__ = [
    "evidence_add_survey_answer",
    "evidence_create",
    "evidence_delete",
    "evidence_for_attendance",
    "evidence_update",
]
