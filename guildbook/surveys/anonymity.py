"""When an anonymous survey's answers may be shown: whole cells of at least k responses.

An anonymous moment's responses fall into **cells**: the calendar quarters of their
sessions' local start dates (1 January–31 March, and so on). A cell is *released* when it
holds at least `settings.SURVEY_ANONYMITY_MIN_RESPONSES` responses (k, default 5); its
answers are then shown, otherwise none of them is.

Every scope a trainer can ask for (a results page, a download, the API, with any dates) is
first snapped outwards to whole quarters, and a single session releases no answers at all.
A cell is also held back until every survey of its sessions has closed (the quarter's last
day, plus the moment's days after the session and the days it stays open): until then a new
answer could arrive, and the same request made before and after it would differ by one
person.
What is shown is therefore always the union of the released cells inside the snapped scope.
Which cells exist and which are released depends only on the stored answers, never on the
question asked, so two requests differ by whole released cells, each of k or more people:
subtracting one result from another never isolates fewer than k respondents. Small
sessions need no rule of their own: a session is never a cell, it is always pooled into
its quarter.

Named moments are not affected: their results keep every session and every date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.core.timefmt import day_end, day_start


def min_responses() -> int:
    """k: the fewest responses a released cell holds (never below 2)."""
    return max(int(getattr(settings, "SURVEY_ANONYMITY_MIN_RESPONSES", 5)), 2)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    def __str__(self) -> str:
        return _("%(year)s quarter %(n)s") % {"year": self.year, "n": self.number}


def quarter_of(starts_at: datetime) -> Quarter:
    """The cell of a session: the quarter of its start, in the service's time zone."""
    return Quarter.of(timezone.localtime(starts_at).date())


def snap(date_from: date | None, date_to: date | None) -> tuple[date | None, date | None]:
    """The requested dates widened to whole quarters (an open side stays open)."""
    return (
        Quarter.of(date_from).first_day if date_from else None,
        Quarter.of(date_to).last_day if date_to else None,
    )


def settled(quarter: Quarter, *, window_days: int, today: date | None = None) -> bool:
    """Whether every survey of a session in `quarter` has closed, for a moment whose
    surveys stay open `window_days` after a session (days after it ends, plus the days it
    is open). One day more allows for a session that ends after midnight."""
    today = today or timezone.localdate()
    return today > quarter.last_day + timedelta(days=window_days + 1)


def window_days(moment) -> int:
    """How long after a session its survey for `moment` can still be answered."""
    return moment.days_after + moment.closes_after_days


@dataclass(frozen=True)
class Cell:
    quarter: Quarter
    responses: int
    released: bool


@dataclass
class Release:
    """The cells in a (snapped) scope and which of them may be shown."""

    cells: list[Cell] = field(default_factory=list)
    k: int = 5

    @property
    def released(self) -> list[Cell]:
        return [c for c in self.cells if c.released]

    @property
    def released_responses(self) -> int:
        return sum(c.responses for c in self.released)

    @property
    def withheld_responses(self) -> int:
        return sum(c.responses for c in self.cells if not c.released)

    def allows(self, starts_at: datetime) -> bool:
        quarter = quarter_of(starts_at)
        return any(c.quarter == quarter for c in self.released)

    def sessions_q(self, prefix: str) -> Q:
        """Sessions in the released cells, as a filter on `<prefix>session__starts_at`."""
        q = Q(pk__in=[])  # nothing released: match nothing
        for c in self.released:
            q |= Q(
                **{
                    f"{prefix}session__starts_at__gte": day_start(c.quarter.first_day),
                    f"{prefix}session__starts_at__lte": day_end(c.quarter.last_day),
                }
            )
        return q


def release(
    counts: Iterable[tuple[datetime, int]],
    *,
    window: int,
    one_session: bool = False,
    today: date | None = None,
) -> Release:
    """The cells made by (session start, responses) pairs, each released from k responses
    once its surveys have all closed (`window`: see `window_days`).

    `one_session`: the scope is one session, which is not a cell: nothing released.
    """
    k = min_responses()
    today = today or timezone.localdate()
    per_quarter: dict[Quarter, int] = {}
    for starts_at, n in counts:
        quarter = quarter_of(starts_at)
        per_quarter[quarter] = per_quarter.get(quarter, 0) + n
    return Release(
        cells=[
            Cell(
                quarter=q,
                responses=n,
                released=n >= k and not one_session and settled(q, window_days=window, today=today),
            )
            for q, n in sorted(per_quarter.items())
        ],
        k=k,
    )
