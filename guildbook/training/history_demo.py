"""Made-up booking history in `import_history`'s format, for the demo, tests and benchmarks.

Demand arrives as a Poisson stream: a session gathers the people who wanted the course since
the one before, so running it less often fills each session more. Places go first come,
first served; the rest wait. Some people cancel early (their place goes to the head of the
waiting list), some late, some do not show.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from guildbook.training.history import COLUMNS

ORGANISATIONS = {
    "Acme NHS Trust": ["School nursing", "Health visiting", "Library", "Pharmacy", "Wards"],
    "Riverside Community Health": ["District nursing", "Physiotherapy", "Admin", "Podiatry"],
}


@dataclass(frozen=True)
class CourseHistory:
    title: str
    # (first local date, months between sessions) phases, in order
    phases: list[tuple[date, float]]
    until: date
    demand_per_month: float
    capacity: int = 12
    minutes: int = 90
    early_cancel: float = 0.10
    late_cancel: float = 0.08
    no_show: float = 0.12


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def session_dates(phases: list[tuple[date, float]], until: date) -> list[date]:
    days = []
    for i, (first, months) in enumerate(phases):
        end = phases[i + 1][0] if i + 1 < len(phases) else until
        n = 0
        while True:
            whole = int(months * n)
            day = first + relativedelta(months=whole, days=round((months * n - whole) * 30))
            if day >= end:
                break
            days.append(day)
            n += 1
    return days


def history_rows(
    courses: list[CourseHistory], *, people: int = 400, seed: int = 1, zone: str = "Europe/London"
):
    """Yield one dict a booking, in `COLUMNS`."""
    rng = random.Random(seed)
    tz = ZoneInfo(zone)
    teams = [(o, t) for o, ts in ORGANISATIONS.items() for t in ts]
    pool = []
    for n in range(people):
        organisation, team = teams[n % len(teams)]
        domain = "acme.nhs.uk" if organisation.startswith("Acme") else "riverside.nhs.uk"
        pool.append((f"person{n}@{domain}", f"Person {n}", team))
    for course in courses:
        previous = None
        for day in session_dates(course.phases, course.until):
            start = datetime.combine(day, time(10, 0), tz)
            end = start + timedelta(minutes=course.minutes)
            gap = (day - previous).days / 30.44 if previous else course.phases[0][1]
            previous = day
            wanted = min(poisson(rng, course.demand_per_month * gap), len(pool))
            who = rng.sample(pool, wanted)
            times = sorted(
                start - timedelta(minutes=rng.randrange(3 * 24 * 60, 60 * 24 * 60)) for _ in who
            )
            yield from _session_rows(course, rng, start, end, list(zip(who, times, strict=True)))


def _session_rows(course, rng, start, end, arrivals):
    capacity = course.capacity
    holding, waiting, rows = [], [], []
    for person, at in arrivals:
        if len(holding) < capacity:
            holding.append([person, at, None])
        else:
            waiting.append([person, at])
    done = []
    # Early cancellations free places for the head of the waiting list.
    for entry in list(holding):
        if rng.random() < course.early_cancel:
            holding.remove(entry)
            ended = entry[1] + (start - timedelta(days=3) - entry[1]) * rng.random()
            done.append((entry[0], entry[1], "cancelled", ended, entry[2]))
            if waiting:
                # The head of the list is given the place when it is freed.
                person, joined = waiting.pop(0)
                holding.append([person, max(ended, joined), joined])
    for person, booked, joined in holding:
        r = rng.random()
        if r < course.late_cancel:
            ended = start - timedelta(hours=rng.randrange(1, 47))
            done.append((person, booked, "late_cancelled", ended, joined))
        elif r < course.late_cancel + course.no_show * (1 - course.late_cancel):
            done.append((person, booked, "no_show", None, joined))
        else:
            done.append((person, booked, "attended", None, joined))
    for person, joined in waiting:
        done.append((person, joined, "waiting_not_offered", None, joined))
    for (email, name, team), booked, outcome, ended, joined in done:
        rows.append(
            {
                "course": course.title,
                "session_start": start.isoformat(),
                "session_end": end.isoformat(),
                "capacity": str(capacity),
                "email": email,
                "name": name,
                "team": team,
                "booked_at": booked.isoformat(timespec="seconds"),
                "outcome": outcome,
                "ended_at": ended.isoformat(timespec="seconds") if ended else "",
                "waiting_since": joined.isoformat(timespec="seconds") if joined else "",
            }
        )
    return rows


def history_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def demo_courses(today: date) -> list[CourseHistory]:
    """Three years ending last month: Get Tweeting monthly for eighteen months (half-empty
    rooms, cancellations and no-shows), then every other month (waiting lists); two others
    steady."""
    start = date(today.year - 3, today.month, 1)
    switch = start + relativedelta(months=18)
    until = date(today.year, today.month, 1)
    return [
        CourseHistory(
            "Get Tweeting – Twitter for professional development",
            [(start + timedelta(days=9), 1), (switch + timedelta(days=9), 2)],
            until,
            demand_per_month=7,
            early_cancel=0.12,
            late_cancel=0.12,
            no_show=0.18,
        ),
        CourseHistory(
            "Literature searching: finding the evidence",
            [(start + timedelta(days=14), 1)],
            until,
            demand_per_month=10,
        ),
        CourseHistory(
            "Critical appraisal in an hour",
            [(start + timedelta(days=20), 2)],
            until,
            demand_per_month=4,
            capacity=10,
            minutes=60,
        ),
    ]
