"""A course's (or every course's) figures over a period: how full, who came, who reached.

Sessions are in scope when they start on the given local dates (inclusive); cancelled
sessions are counted apart and nothing else of theirs counts. The definitions, which the
dashboard, the exports and the API share:

* a **booking** is a place taken (`confirmed_at` set), whether later cancelled or not; a
  waiting-list entry never given a place is not one, and a booking moved to another session
  counts there, not here;
* places **held at the start** are the bookings still confirmed when the session began;
* a **cancellation** is a place the person gave up (early or late); moves, removals by a
  trainer, declined offers and cancelled sessions are none;
* the **waiting list** at the start and at its peak are rebuilt from each entry's times:
  on the list from `waiting_since` until given a place (`confirmed_at`) or until it ended;
* **reach** counts people by the directory's organisation, department and team where they are
  linked to one (accounts.organisations), else by the organisation and team they typed: the
  people who attended, those of them whose first attended session with the service this was,
  and, where the course marks a booking question as its "new to the library?" question, the
  people with a booking who answered it and those who gave the answer that means new;
* **days to fill**: from a session's first booking to its first waiting-list entry (the
  moment it was first full), for the sessions that filled.

Every figure is aggregated by the database in a fixed number of queries (seven), whatever the
number of sessions or bookings; only one line a session and one line a waiting-list entry come
back to Python, for the trend and the rebuilt lists.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.timefmt import day_end, day_start
from guildbook.surveys.models import Answer, Invitation, SurveyMoment
from guildbook.surveys.selectors import Rate
from guildbook.training.models import Booking, Course, Session
from guildbook.training.selectors.sessions import session_filter


def _rate(count: str, total: str) -> property:
    """A figure that is one count of the figures over another (`count` of `total`), as a
    Rate: fill, attendance, no-shows, cancellations…"""
    return property(lambda figures: Rate(getattr(figures, count), getattr(figures, total)))


@dataclass
class SessionLine:
    """One session's figures: a point of the trend."""

    session_id: int
    course_id: int
    starts_at: datetime
    capacity: int
    bookings: int = 0
    held_at_start: int = 0
    attended: int = 0
    no_shows: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    waiting_list_joins: int = 0
    waiting_list_placed: int = 0
    waiting_at_start: int = 0
    waiting_peak: int = 0
    days_to_fill: float | None = None

    fill_rate = _rate("held_at_start", "capacity")


@dataclass
class ReachLine:
    organisation: str
    department: str
    team: str
    people: int
    first_time: int
    # People with a booking who answered the course's "new to the library?" question, and
    # those of them whose answer was the one that means new.
    new_question_answered: int = 0
    said_new: int = 0


@dataclass
class Figures:
    course: Course | None
    date_from: date | None
    date_to: date | None
    sessions: int = 0
    cancelled_sessions: int = 0
    places_offered: int = 0
    bookings: int = 0
    held_at_start: int = 0
    attended: int = 0
    no_shows: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    waiting_list_joins: int = 0
    waiting_list_placed: int = 0
    waiting_at_start: int = 0
    waiting_peak: int = 0
    sessions_filled: int = 0
    days_to_fill: float | None = None
    response_rate: Rate = field(default_factory=lambda: Rate(0, 0))
    impact_rate: Rate = field(default_factory=lambda: Rate(0, 0))
    reach: list[ReachLine] = field(default_factory=list)
    lines: list[SessionLine] = field(default_factory=list)
    months: list[tuple[date, Figures]] | None = field(default=None, repr=False)

    fill_rate = _rate("held_at_start", "places_offered")
    attendance_rate = _rate("attended", "places_offered")
    no_show_rate = _rate("no_shows", "held_at_start")
    cancellation_rate = _rate("cancellations", "bookings")
    late_cancellation_rate = _rate("late_cancellations", "bookings")
    waiting_list_conversion = _rate("waiting_list_placed", "waiting_list_joins")

    @property
    def first_time(self) -> int:
        return sum(r.first_time for r in self.reach)

    @property
    def people_reached(self) -> int:
        return sum(r.people for r in self.reach)

    @property
    def said_new(self) -> Rate:
        """Bookers who said they were new to the library, of those who answered."""
        return Rate(
            sum(r.said_new for r in self.reach), sum(r.new_question_answered for r in self.reach)
        )

    def by_month(self) -> list[tuple[date, Figures]]:
        """The trend: the same figures for each calendar month (local) with sessions.

        Worked out once and kept on the figures (so a cached copy carries it too)."""
        if self.months is None:
            self.months = self._by_month()
        return self.months

    def _by_month(self) -> list[tuple[date, Figures]]:
        months: dict[date, Figures] = {}
        for line in self.lines:
            local = timezone.localtime(line.starts_at).date().replace(day=1)
            f = months.setdefault(local, Figures(self.course, local, local))
            _add(f, line)
        return sorted(months.items())


_SUMMED = (
    "bookings",
    "held_at_start",
    "attended",
    "no_shows",
    "cancellations",
    "late_cancellations",
    "waiting_list_joins",
    "waiting_list_placed",
    "waiting_at_start",
)


def _add(f: Figures, line: SessionLine) -> None:
    f.sessions += 1
    f.places_offered += line.capacity
    for name in _SUMMED:
        setattr(f, name, getattr(f, name) + getattr(line, name))
    f.waiting_peak = max(f.waiting_peak, line.waiting_peak)
    f.lines.append(line)


def live_filter(prefix: str, **scope) -> Q:
    """Sessions in scope and not cancelled, as a filter on `<prefix>`."""
    return session_filter(prefix, **scope) & Q(**{f"{prefix}status": Session.Status.SCHEDULED})


# A booking that counts: not moved away (it counts on the session it moved to).
_COUNTED = ~Q(ending=Booking.Ending.MOVED)
_BOOKED = Q(confirmed_at__isnull=False) & _COUNTED
_JOINED = Q(waiting_since__isnull=False) & _COUNTED


def course_figures(
    *,
    course: Course | None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
    with_reach: bool = True,
) -> Figures:
    """The figures for `course` (None: every course) for sessions starting in the dates.

    Reads only; check who may see them first (insights.selectors)."""
    now = now or timezone.now()
    figures = Figures(course, date_from, date_to)
    scope = session_filter(course=course, date_from=date_from, date_to=date_to)
    live = scope & Q(status=Session.Status.SCHEDULED)
    in_live = live_filter("session__", course=course, date_from=date_from, date_to=date_to)
    answered_live = live_filter(
        "response__session__", course=course, date_from=date_from, date_to=date_to
    )

    figures.cancelled_sessions = Session.objects.filter(
        scope, status=Session.Status.CANCELLED
    ).count()
    lines = {
        pk: SessionLine(pk, course_id, starts_at, capacity)
        for pk, course_id, starts_at, capacity in Session.objects.filter(live)
        .order_by("starts_at", "id")
        .values_list("id", "course_id", "starts_at", "capacity")
    }

    rows = (
        Booking.objects.filter(in_live)
        .values("session_id")
        .annotate(
            bookings=Count("id", filter=_BOOKED),
            held_at_start=Count("id", filter=Q(status=Booking.Status.CONFIRMED)),
            attended=Count("id", filter=Q(attendance=Booking.Attendance.ATTENDED)),
            no_shows=Count("id", filter=Q(attendance=Booking.Attendance.NO_SHOW)),
            cancellations=Count(
                "id", filter=Q(ending=Booking.Ending.CANCELLED, confirmed_at__isnull=False)
            ),
            late_cancellations=Count(
                "id",
                filter=Q(
                    ending=Booking.Ending.CANCELLED,
                    confirmed_at__isnull=False,
                    late_cancellation=True,
                ),
            ),
            waiting_list_joins=Count("id", filter=_JOINED),
            waiting_list_placed=Count("id", filter=_JOINED & Q(confirmed_at__isnull=False)),
            first_booking=Min("confirmed_at", filter=Q(waiting_since__isnull=True) & _COUNTED),
            first_join=Min("waiting_since", filter=_JOINED),
        )
        .order_by()
    )
    for r in rows:
        line = lines.get(r["session_id"])
        if line is None:
            continue
        for name in _SUMMED:
            if name in r:
                setattr(line, name, r[name])
        if r["first_booking"] and r["first_join"] and r["first_join"] >= r["first_booking"]:
            line.days_to_fill = (r["first_join"] - r["first_booking"]).total_seconds() / 86400

    _rebuild_waiting_lists(lines, in_live)

    for line in lines.values():
        _add(figures, line)
    filled = [line.days_to_fill for line in figures.lines if line.days_to_fill is not None]
    figures.sessions_filled = len(filled)
    figures.days_to_fill = round(statistics.median(filled), 1) if filled else None

    figures.response_rate, figures.impact_rate = _survey_rates(in_live, answered_live, now=now)
    if with_reach:
        figures.reach = reach(in_live)
    figures.by_month()
    return figures


def _rebuild_waiting_lists(lines: dict[int, SessionLine], in_live: Q) -> None:
    """Each session's waiting list at its start and at its longest, from the entries' times."""
    events: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = (
        Booking.objects.filter(in_live, waiting_since__isnull=False)
        .values_list("session_id", "waiting_since", "confirmed_at", "ended_at")
        .order_by()
    )
    for session_id, joined, placed, ended in rows:
        line = lines.get(session_id)
        if line is None:
            continue
        left = placed or ended
        if left is not None and left <= joined:
            continue  # placed at once: never waited
        events[session_id].append((joined, 1))
        if left is not None:
            events[session_id].append((left, -1))
        if joined <= line.starts_at and (left is None or left >= line.starts_at):
            line.waiting_at_start += 1
    for session_id, happenings in events.items():
        # At the same moment, leaving comes before joining, so a swap is not a peak.
        happenings.sort()
        length = peak = 0
        for _at, step in happenings:
            length += step
            peak = max(peak, length)
        lines[session_id].waiting_peak = peak


def _survey_rates(in_live: Q, answered_live: Q, *, now: datetime) -> tuple[Rate, Rate]:
    """Response and impact rates of each course's follow-up survey (its latest moment).

    The impact rate counts named answers only: a period can be moved a day at a time, and
    an anonymous survey's answers are released only by whole quarters of k or more
    (surveys/anonymity.py), never for a period of a trainer's choosing."""
    follow_up = Subquery(
        SurveyMoment.objects.filter(course=OuterRef("session__course"))
        .order_by("-days_after", "id")
        .values("id")[:1]
    )
    invited = Invitation.objects.filter(
        in_live, status=Invitation.Status.SCHEDULED, due_at__lte=now, moment=follow_up
    ).aggregate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    impact = (
        Answer.objects.filter(
            answered_live,
            question__is_impact=True,
            choice__isnull=False,
            response__moment__anonymous=False,
        )
        .filter(
            response__moment=Subquery(
                SurveyMoment.objects.filter(course=OuterRef("response__session__course"))
                .order_by("-days_after", "id")
                .values("id")[:1]
            )
        )
        .aggregate(n=Count("id"), yes=Count("id", filter=Q(choice__counts_as_impact=True)))
    )
    return Rate(invited["answered"], invited["n"]), Rate(impact["yes"], impact["n"])


class AnswerTo(Func):
    """A booking's answer to one of its course's questions, as text: the answers are stored
    by question id (as a string), each as {"question": …, "answer": …}."""

    output_field = CharField()

    def _parts(self, compiler, connection):
        answers, question = (compiler.compile(e) for e in self.get_source_expressions())
        return answers, question

    def as_sqlite(self, compiler, connection, **extra):
        (a_sql, a_params), (q_sql, q_params) = self._parts(compiler, connection)
        return (
            f"JSON_EXTRACT({a_sql}, '$.\"' || {q_sql} || '\".answer')",
            (*a_params, *q_params),
        )

    def as_postgresql(self, compiler, connection, **extra):
        (a_sql, a_params), (q_sql, q_params) = self._parts(compiler, connection)
        return f"(({a_sql} -> CAST({q_sql} AS text)) ->> 'answer')", (*a_params, *q_params)


def reach(in_live: Q) -> list[ReachLine]:
    """People who attended, by organisation, department and team; how many of them came
    to the service for the first time (their first attended session ever is in scope); and,
    of the people with a booking, how many answered the course's "new to the library?"
    question and how many said they were new."""
    # First time: no attended session with the service before this one.
    earlier = Booking.objects.filter(
        person=OuterRef("person"),
        attendance=Booking.Attendance.ATTENDED,
        session__starts_at__lt=OuterRef("session__starts_at"),
    )
    attended = Q(attendance=Booking.Attendance.ATTENDED)
    # The course's "new to the library?" question (at most one, a database constraint),
    # joined once, and the booking's answer to it.
    answer = AnswerTo("answers", "new_question__id")
    answered = _BOOKED & Q(IsNull(answer, False)) & ~Q(Exact(answer, ""))
    rows = (
        Booking.objects.annotate(
            new_question=FilteredRelation(
                "session__course__questions",
                condition=Q(session__course__questions__asks_if_new=True),
            )
        )
        .filter(in_live)
        .filter(attended | _BOOKED)
        # The directory's team where the person is linked to one, else what they typed.
        .values(
            org=Coalesce(
                "person__directory_team__department__organisation__name", "person__organisation"
            ),
            dept=Coalesce("person__directory_team__department__name", Value("")),
            unit=Coalesce("person__directory_team__name", "person__team"),
        )
        .annotate(
            people=Count("person", distinct=True, filter=attended),
            first_time=Count("person", distinct=True, filter=attended & ~Exists(earlier)),
            new_question_answered=Count("person", distinct=True, filter=answered),
            said_new=Count(
                "person",
                distinct=True,
                filter=answered & Q(Exact(answer, F("new_question__new_answer"))),
            ),
        )
        .filter(Q(people__gt=0) | Q(new_question_answered__gt=0))
        .order_by("org", "dept", "unit")
    )
    return [
        ReachLine(
            organisation=r["org"],
            department=r["dept"],
            team=r["unit"],
            people=r["people"],
            first_time=r["first_time"],
            new_question_answered=r["new_question_answered"],
            said_new=r["said_new"],
        )
        for r in rows
    ]


@dataclass
class BeforeAfter:
    """A team's bookings and first-time users in the months before a day and after it.

    Before: the `months` up to the day before; after: the day itself and the `months` from
    it (both in local dates)."""

    on: date
    months: int
    before_from: date
    after_to: date
    bookings_before: int = 0
    bookings_after: int = 0
    first_time_before: int = 0
    first_time_after: int = 0


def team_before_after(*, team_id: int, on: date, months: int = 3) -> BeforeAfter:
    """What followed an outreach visit to a team: bookings (places taken, as on the
    dashboard; by when the place was taken, on sessions not cancelled) and first-time users
    (people whose first attended session with the service started then) among the people
    the directory links to the team, in the `months` after `on` against the `months`
    before. Two queries, whatever the data's size."""
    before_from = on - relativedelta(months=months)
    after_to = on + relativedelta(months=months) - relativedelta(days=1)
    result = BeforeAfter(on=on, months=months, before_from=before_from, after_to=after_to)
    start, pivot, end = day_start(before_from), day_start(on), day_end(after_to)
    booked = Booking.objects.filter(
        _BOOKED,
        person__directory_team_id=team_id,
        session__status=Session.Status.SCHEDULED,
        confirmed_at__gte=start,
        confirmed_at__lte=end,
    ).aggregate(
        before=Count("id", filter=Q(confirmed_at__lt=pivot)),
        after=Count("id", filter=Q(confirmed_at__gte=pivot)),
    )
    first = Subquery(
        Booking.objects.filter(person=OuterRef("pk"), attendance=Booking.Attendance.ATTENDED)
        .order_by()
        .values("person")
        .annotate(first=Min("session__starts_at"))
        .values("first")[:1]
    )
    firsts = (
        User.objects.filter(directory_team_id=team_id)
        .annotate(first=first)
        .aggregate(
            before=Count("id", filter=Q(first__gte=start, first__lt=pivot)),
            after=Count("id", filter=Q(first__gte=pivot, first__lte=end)),
        )
    )
    result.bookings_before, result.bookings_after = booked["before"], booked["after"]
    result.first_time_before, result.first_time_after = firsts["before"], firsts["after"]
    return result
