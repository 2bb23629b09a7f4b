"""Every write of qualifications, one module a topic; the names are re-exported here so
callers write `from guildbook.qualifications import services; services.candidacy_start(...)`.
"""

from guildbook.qualifications.schemes import scheme_import, scheme_import_file
from guildbook.qualifications.services.candidacies import (
    Invalid,
    candidacy_outcome,
    candidacy_start,
    candidacy_step_set,
    candidacy_withdraw,
)
from guildbook.qualifications.services.funding import (
    FeeRefused,
    funding_request_approve,
    funding_request_create,
    funding_request_decline,
    funding_request_pay,
)
from guildbook.qualifications.services.meetings import (
    action_set_done,
    meeting_log,
    mentor_report_submit,
)
from guildbook.qualifications.services.mentors import (
    MentorFull,
    digest_queue,
    mentor_profile_save,
    mentor_request_accept,
    mentor_request_create,
    mentor_request_decline,
    mentor_request_withdraw,
    mentoring_end,
    mentors_import,
)
from guildbook.qualifications.services.plans import (
    activity_add,
    activity_book,
    goal_comment,
    goal_save,
    plan_agree,
)

__all__ = [
    "FeeRefused",
    "Invalid",
    "MentorFull",
    "action_set_done",
    "activity_add",
    "activity_book",
    "candidacy_outcome",
    "candidacy_start",
    "candidacy_step_set",
    "candidacy_withdraw",
    "digest_queue",
    "funding_request_approve",
    "funding_request_create",
    "funding_request_decline",
    "funding_request_pay",
    "goal_comment",
    "goal_save",
    "meeting_log",
    "mentor_profile_save",
    "mentor_report_submit",
    "mentor_request_accept",
    "mentor_request_create",
    "mentor_request_decline",
    "mentor_request_withdraw",
    "mentoring_end",
    "mentors_import",
    "plan_agree",
    "scheme_import",
    "scheme_import_file",
]
