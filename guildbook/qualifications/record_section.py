"""The person's qualifications, as a section of their own training record.

Registered with guildbook.training.record when the app loads. Shown only on the person's
own record (a candidacy is theirs; officers see candidacies through funding requests).
"""

from django.utils.translation import gettext as _

from guildbook.qualifications import selectors
from guildbook.training.record import RecordSection


def my_qualifications(viewer, person) -> RecordSection | None:
    if not viewer.is_authenticated or viewer.pk != person.pk:
        return None
    candidacies = selectors.my_candidacies(person)
    if not candidacies:
        return None
    return RecordSection(
        title=_("My qualifications"),
        template="qualifications/record_section.html",
        context={"candidacies": candidacies},
    )
