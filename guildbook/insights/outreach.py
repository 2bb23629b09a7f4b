"""What followed an outreach visit: the panel on an outreach entry's page (training/outreach.py
registers it), with the team's bookings and first-time users in the 3 months after the visit
against the 3 months before, as plain words, numbers and a small chart. Reads only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guildbook.core import charts, roles
from guildbook.core.timefmt import format_date
from guildbook.insights.figures import BeforeAfter, team_before_after
from guildbook.training.outreach import OutreachPanel

MONTHS = 3


def _change(after: int, before: int) -> str:
    if after > before:
        return _("up from %(n)s in the %(m)s months before") % {"n": before, "m": MONTHS}
    if after < before:
        return _("down from %(n)s in the %(m)s months before") % {"n": before, "m": MONTHS}
    return _("the same as in the %(m)s months before") % {"m": MONTHS}


def sentences(f: BeforeAfter, team: str) -> list[str]:
    """The figures in plain words, e.g. "12 bookings from School nursing in the 3 months
    after, up from 3 in the 3 months before"."""
    bookings = ngettext(
        "%(n)s booking from %(team)s in the %(m)s months after, %(change)s.",
        "%(n)s bookings from %(team)s in the %(m)s months after, %(change)s.",
        f.bookings_after,
    ) % {
        "n": f.bookings_after,
        "team": team,
        "m": MONTHS,
        "change": _change(f.bookings_after, f.bookings_before),
    }
    firsts = ngettext(
        "%(n)s person from %(team)s came to the library's training for the first time in the "
        "%(m)s months after, %(change)s.",
        "%(n)s people from %(team)s came to the library's training for the first time in the "
        "%(m)s months after, %(change)s.",
        f.first_time_after,
    ) % {
        "n": f.first_time_after,
        "team": team,
        "m": MONTHS,
        "change": _change(f.first_time_after, f.first_time_before),
    }
    return [bookings, firsts]


def chart(f: BeforeAfter, team: str) -> charts.Chart:
    before, after = _("3 months before"), _("3 months after")
    return charts.bar_chart(
        "outreach-chart",
        _("Bookings and first-time users from %(team)s, before and after") % {"team": team},
        [
            (_("Bookings, %(when)s") % {"when": before}, f.bookings_before, None),
            (_("Bookings, %(when)s") % {"when": after}, f.bookings_after, None),
            (_("First-time users, %(when)s") % {"when": before}, f.first_time_before, None),
            (_("First-time users, %(when)s") % {"when": after}, f.first_time_after, None),
        ],
        label_heading=_("Figure"),
        count_heading=_("Number"),
    )


def what_followed(viewer, entry) -> OutreachPanel | None:
    """The panel for an entry's page: for its team, or a note that figures need one."""
    if not roles.can_see_insights(viewer):
        return None
    title = _("What followed")
    if entry.team_id is None:
        return OutreachPanel(title, "insights/outreach_panel.html", {"no_team": True})
    team = entry.team.name
    f = team_before_after(team_id=entry.team_id, on=entry.date, months=MONTHS)
    today = timezone.localdate()
    return OutreachPanel(
        title,
        "insights/outreach_panel.html",
        {
            "figures": f,
            "sentences": sentences(f, team),
            "chart": chart(f, team),
            "period": _("%(a)s to %(b)s, against %(c)s to %(d)s")
            % {
                "a": format_date(f.on, weekday=False),
                "b": format_date(f.after_to, weekday=False),
                "c": format_date(f.before_from, weekday=False),
                "d": format_date(f.on - timedelta(days=1), weekday=False),
            },
            "so_far": today <= f.after_to,
            "ends": format_date(f.after_to, weekday=False),
        },
    )
