"""Every write to follow-up surveys. One function per operation, one transaction each.

Where is what:

| behaviour                                                      | module                      |
|----------------------------------------------------------------|-----------------------------|
| templates, versions, freezing a used version                   | services/templates.py       |
| questions and answer choices, conditions, order                | services/questions.py       |
| a course's survey moments (when, which template), the default  | services/moments.py         |
| invitations: scheduled on attendance, moved with the session   | services/invitations.py     |
| answers: checking and saving a response                        | services/responses.py       |
| what makes a version frozen (`template_usage`, a read)         | surveys/selectors/templates.py |

Every public name is re-exported here: `from guildbook.surveys import services;
services.template_create(...)` keeps working.
"""

from guildbook.core.errors import ServiceError
from guildbook.surveys.selectors.templates import template_usage
from guildbook.surveys.services.invitations import (
    invitations_for_attendance,
    invitations_move,
)
from guildbook.surveys.services.moments import (
    MAX_DAYS,
    MOMENT_FIELDS,
    moment_add_default,
    moment_create,
    moment_remove,
    moment_update,
    template_default,
)
from guildbook.surveys.services.questions import (
    choice_add,
    choice_remove,
    choice_update,
    choices_reorder,
    question_add,
    question_move,
    question_remove,
    question_set_condition,
    question_set_impact,
    question_update,
)
from guildbook.surveys.services.responses import (
    AnswersInvalid,
    field_name,
    invitation_mark_done,
    response_submit,
    visible_questions,
)
from guildbook.surveys.services.templates import (
    TemplateChanged,
    TemplateEdit,
    template_archive,
    template_create,
    template_duplicate,
    template_restore,
    template_update,
)

__all__ = [
    "MAX_DAYS",
    "MOMENT_FIELDS",
    "AnswersInvalid",
    "ServiceError",
    "TemplateChanged",
    "TemplateEdit",
    "choice_add",
    "choice_remove",
    "choice_update",
    "choices_reorder",
    "field_name",
    "invitation_mark_done",
    "invitations_for_attendance",
    "invitations_move",
    "moment_add_default",
    "moment_create",
    "moment_remove",
    "moment_update",
    "question_add",
    "question_move",
    "question_remove",
    "question_set_condition",
    "question_set_impact",
    "question_update",
    "response_submit",
    "template_archive",
    "template_create",
    "template_default",
    "template_duplicate",
    "template_restore",
    "template_update",
    "template_usage",
    "visible_questions",
]
