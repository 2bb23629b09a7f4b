"""A trainer's own paragraph in the confirmation and the reminder, and its placeholders."""

from __future__ import annotations

import re

from guildbook.core.timefmt import format_date, format_time
from guildbook.training.models import Booking

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


NOTE_PLACEHOLDERS = ("first_name", "course", "start", "venue")


# A word in single braces, perhaps with spaces or a dot: meant as a placeholder.
_MEANT_AS_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*[A-Za-z_][\w.]*\s*\}(?!\})")


def note_mistakes(text: str) -> list[str]:
    """What in a trainer's paragraph looks meant as a placeholder but is not one we fill
    in ("{firstname}", "{ venue }", "{Course}"), so the course page can say so before it
    reaches everyone who books. Other braces ("{0}", "{{", a phrase in braces) are text."""
    return [
        m.group(0)
        for m in _MEANT_AS_PLACEHOLDER.finditer(text or "")
        if m.group(0)[1:-1] not in NOTE_PLACEHOLDERS
    ]


def note_values(booking: Booking) -> dict[str, str]:
    session = booking.session
    return {
        "first_name": booking.person.first_name,
        "course": session.course.title,
        "start": f"{format_date(session.starts_at)} at {format_time(session.starts_at)}",
        "venue": session.venue or ("online" if session.online_link else ""),
    }


def render_note(text: str, values: dict[str, str]) -> str:
    """Fill {first_name}, {course}, {start} and {venue} in a trainer's paragraph.

    Deliberately tiny: a placeholder is a plain name in braces and nothing else. Unknown
    names, attribute or index look-ups ("{course.__class__}"), format specs and stray braces
    are left as typed, so a paragraph can never fail to render or reach into the program.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")
