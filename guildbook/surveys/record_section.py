"""The person's own follow-up survey answers, as a section of their training record.

Registered with guildbook.training.record when the app loads (apps.py). Shown only on the
person's own record: answers are theirs, not their manager's or a trainer's. Only named
answers can appear: an anonymous response points at nobody, so it cannot be found for
anyone, which is the point.
"""

from django.utils.translation import gettext as _

from guildbook.surveys import selectors
from guildbook.training.record import RecordSection


def my_survey_answers(viewer, person) -> RecordSection | None:
    if not viewer.is_authenticated or viewer.pk != person.pk:
        return None
    responses = selectors.my_answers(person)
    if not responses:
        return None
    return RecordSection(
        title=_("My answers to follow-up surveys"),
        template="surveys/record_section.html",
        context={"responses": responses},
    )
