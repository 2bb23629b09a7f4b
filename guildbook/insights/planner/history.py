"""Reading a course's history into observations (a line per calendar month), the coming
sessions that want an extra one, and the plan for a course."""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guildbook.insights.planner.model import DAYS_A_MONTH, ExtraSession, Observation, Plan, Targets
from guildbook.insights.planner.recommendation import backtest, plan
from guildbook.training import selectors
from guildbook.training.models import Booking, Course, Session


def _month_of(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def _interest_demand(course, sessions, live, booked, until) -> dict[date, int]:
    """People whose registered interest the month's sessions answered (the first session
    on or after they asked), and who did not also book or join a waiting list that month:
    each is one more person of that month's demand. Interest no session has answered yet is
    not counted: no month has gathered it. One query, and one more when there is interest."""
    starts = [(starts_at, _month_of(starts_at).replace(day=1)) for _pk, starts_at, _c in sessions]
    answered: dict[date, set[int]] = {}
    for person_id, asked_at in selectors.interest_times(course):
        if asked_at >= until:
            continue
        i = bisect.bisect_left(starts, asked_at, key=lambda s: s[0])
        if i < len(starts):
            answered.setdefault(starts[i][1], set()).add(person_id)
    if not answered:
        return {}
    people = set().union(*answered.values())
    counted = set()
    for month, person_id in (
        Booking.objects.filter(live & booked, person_id__in=people)
        .annotate(month=TruncMonth("session__starts_at"))
        .values_list("month", "person_id")
        .distinct()
        .order_by()
    ):
        counted.add((_month_of(month), person_id))
    return {month: sum((month, p) not in counted for p in who) for month, who in answered.items()}


def observations_for(course: Course, *, until: datetime | None = None) -> list[Observation]:
    """The course's past sessions (not cancelled), a line per calendar month. Four queries,
    five when people registered interest in the course."""
    until = until or timezone.now()
    live = Q(session__course=course, session__status=Session.Status.SCHEDULED)
    live &= Q(session__starts_at__lt=until)
    counted = ~Q(ending=Booking.Ending.MOVED)
    placed = Q(confirmed_at__isnull=False) & counted
    cancelled = Q(ending=Booking.Ending.CANCELLED, confirmed_at__isnull=False)
    per_session = {
        r["session_id"]: r
        for r in Booking.objects.filter(live)
        .values("session_id")
        .annotate(
            bookings=Count("id", filter=placed),
            joins=Count("id", filter=Q(waiting_since__isnull=False) & counted),
            early=Count("id", filter=cancelled & Q(late_cancellation=False)),
            late=Count("id", filter=cancelled & Q(late_cancellation=True)),
            held=Count("id", filter=Q(status=Booking.Status.CONFIRMED)),
            no_shows=Count("id", filter=Q(attendance=Booking.Attendance.NO_SHOW)),
            attended=Count("id", filter=Q(attendance=Booking.Attendance.ATTENDED)),
        )
        .order_by()
    }
    booked = placed | (Q(waiting_since__isnull=False) & counted)
    people = {
        _month_of(r["month"]): r["n"]
        for r in Booking.objects.filter(live)
        .filter(booked)
        .annotate(month=TruncMonth("session__starts_at"))
        .values("month")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    }
    sessions = list(
        Session.objects.filter(course=course, status=Session.Status.SCHEDULED, starts_at__lt=until)
        .values_list("id", "starts_at", "capacity")
        .order_by("starts_at", "id")
    )
    for month, extra in _interest_demand(course, sessions, live, booked, until).items():
        people[month] = people.get(month, 0) + extra
    months: dict[date, dict] = {}
    for pk, starts_at, capacity in sessions:
        month = timezone.localtime(starts_at).date().replace(day=1)
        m = months.setdefault(
            month, {"first": starts_at, "capacity": 0, "censored": False, "counts": {}}
        )
        m["capacity"] += capacity
        r = per_session.get(pk, {})
        full = r.get("bookings", 0) >= capacity
        if full and (r.get("joins", 0) == 0 or not course.waiting_list_enabled):
            m["censored"] = True
        for key in ("bookings", "early", "late", "held", "no_shows", "attended"):
            m["counts"][key] = m["counts"].get(key, 0) + r.get(key, 0)
    firsts = [m["first"] for m in months.values()]
    gaps = [(b - a).days / DAYS_A_MONTH for a, b in itertools.pairwise(firsts)]
    typical = statistics.median(gaps) if gaps else 1.0
    out = []
    previous = None
    for month, m in months.items():
        gap = (m["first"] - previous).days / DAYS_A_MONTH if previous else typical
        previous = m["first"]
        c = m["counts"]
        out.append(
            Observation(
                month=month,
                exposure=min(max(gap, 0.25), 6.0),
                capacity=m["capacity"],
                demand=people.get(month, 0),
                censored=m["censored"],
                bookings=c["bookings"],
                early_cancellations=c["early"],
                late_cancellations=c["late"],
                held_at_start=c["held"],
                no_shows=c["no_shows"],
                attended=c["attended"],
            )
        )
    return out


def extra_sessions(course: Course, *, now: datetime | None = None) -> list[ExtraSession]:
    """Coming sessions with a long waiting list (a third of the places, at least 3)."""
    now = now or timezone.now()
    rows = (
        Session.objects.filter(course=course, status=Session.Status.SCHEDULED, starts_at__gt=now)
        .annotate(waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)))
        .order_by("starts_at")
    )
    return [
        ExtraSession(s, s.waiting) for s in rows if s.waiting >= max(3, math.ceil(s.capacity / 3))
    ]


def plan_for_course(
    course: Course,
    *,
    capacity: int | None = None,
    cadences: list[float] | None = None,
    targets: Targets | None = None,
    now: datetime | None = None,
) -> Plan:
    """The planner for a course from its history (check who may see it first)."""
    now = now or timezone.now()
    observations = observations_for(course, until=now)
    if capacity is None:
        latest = course.sessions.order_by("-starts_at").values_list("capacity", flat=True)
        capacity = latest.first() or course.default_capacity
    targets = targets or Targets()
    result = plan(
        observations,
        capacity=capacity,
        cadences=cadences,
        targets=targets,
        session_hours=course.duration_minutes / 60,
        trainers=max(course.trainers.count(), 1),
        course=course,
    )
    result.backtest = backtest(observations, capacity=capacity, targets=targets)
    result.extra_sessions = extra_sessions(course, now=now)
    return result
