"""Importing past sessions and bookings from another system (`guildbook import_history`).

One row a booking, with a header (see `COLUMNS`). The import is all or nothing: every bad
row is reported by its file line (the header is line 1) and column, and if there is any,
nothing is written. It is idempotent: a row whose course, session start and e-mail are
already there is left alone, so importing the same file twice adds nothing the second time.

What it writes is history, not live work: sessions are marked `imported` (no message is
ever due for them, see messages.py), people it creates are inactive and have no password
until they sign in themselves (their first sign-in by e-mailed code activates them, see
accounts.services.user_activate_on_sign_in), and no outbox row, survey invitation or signal is made.
Everything is written with a few bulk statements, so ten years of a service's bookings
take seconds (benchmarks/insights.py measures the rate).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from guildbook.accounts.models import User, normalise_email
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.training import sql
from guildbook.training.models import Booking, Course, Session

COLUMNS = (
    "course",
    "session_start",
    "session_end",
    "capacity",
    "email",
    "name",
    "team",
    "booked_at",
    "outcome",
    "ended_at",
    "waiting_since",
)
OUTCOMES = ("attended", "no_show", "cancelled", "late_cancelled", "waiting_not_offered")
# Outcomes that held a place when the session started (they count against its capacity).
HOLDING_OUTCOMES = ("attended", "no_show")
CANCELLED_OUTCOMES = ("cancelled", "late_cancelled")

BATCH = 2000
# Write bookings and people with sql.py's inserts; False: the ORM twin (bulk_create).
RAW_SQL = True
# Lookups by a list of values go in chunks, well under every database's parameter limit.
CHUNK = 900


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class HistoryImportResult:
    rows: int = 0
    courses_created: int = 0
    sessions_created: int = 0
    people_created: int = 0
    bookings_created: int = 0
    already_there: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    session: tuple  # (course key, start)
    email: str
    booked_at: datetime | None
    outcome: str
    ended_at: datetime | None
    waiting_since: datetime | None


@dataclass
class _Session:
    line: int
    title: str
    start: datetime
    end: datetime
    capacity: int
    holders: int = 0
    lines: list[int] = field(default_factory=list)


def _course_key(title: str) -> str:
    return " ".join(title.split()).casefold()


class _Parser:
    """Reads the rows, remembering every error; caches the values files repeat (dates of
    a session, addresses of a person) so a large file is parsed once per distinct value."""

    def __init__(self) -> None:
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.errors: list[RowError] = []
        self._dates: dict[str, datetime | None] = {}
        self._emails: dict[str, bool] = {}

    def error(self, line: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def when(self, value: str, line: int, column: str, *, required: bool) -> datetime | None:
        value = value.strip()
        if not value:
            if required:
                self.error(line, column, "is empty; give a date and time (ISO 8601)")
            return None
        if value in self._dates:
            parsed = self._dates[value]
        else:
            try:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=self.zone)
            except ValueError:
                parsed = None
            self._dates[value] = parsed
        if parsed is None:
            self.error(
                line, column, f"“{value}” is not a date and time (use e.g. 2024-03-05T10:00)"
            )
        return parsed

    def email(self, value: str, line: int) -> str:
        email = normalise_email(value)
        ok = self._emails.get(email)
        if ok is None:
            try:
                validate_email(email)
                ok = True
            except ValidationError:
                ok = False
            self._emails[email] = ok
        if not ok:
            self.error(
                line, "email", f"“{email}” is not a valid e-mail address" if email else "is empty"
            )
        return email


def _read(text: str, parser: _Parser):
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise ServiceError("The file is empty: it needs a header row.", field="file")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ServiceError(
            f"The header (line 1) lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. The columns are: {', '.join(COLUMNS)}.",
            field="file",
        )
    index = {c: names.index(c) for c in COLUMNS}
    width = len(names)
    for values in reader:
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != width:
            parser.error(
                reader.line_num,
                None,
                f"has {len(values)} values but the header has {width} columns",
            )
            continue
        yield reader.line_num, {c: values[i] for c, i in index.items()}


def _parse(
    text: str, now: datetime
) -> tuple[list[_Row], dict[tuple, _Session], dict[str, tuple], _Parser]:
    p = _Parser()
    rows: list[_Row] = []
    sessions: dict[tuple, _Session] = {}
    people: dict[str, tuple[str, str]] = {}
    seen: dict[tuple, int] = {}
    capacities: dict[str, int | None] = {}
    for line, v in _read(text, p):
        before = len(p.errors)
        title = " ".join(v["course"].split())
        if not title:
            p.error(line, "course", "is empty; give the course's title")
        start = p.when(v["session_start"], line, "session_start", required=True)
        end = p.when(v["session_end"], line, "session_end", required=True)
        if start and end and end <= start:
            p.error(line, "session_end", "is not after session_start")
        raw_capacity = v["capacity"].strip()
        if raw_capacity not in capacities:
            capacities[raw_capacity] = (
                int(raw_capacity) if raw_capacity.isdigit() and int(raw_capacity) > 0 else None
            )
        capacity = capacities[raw_capacity]
        if capacity is None:
            p.error(line, "capacity", f"“{raw_capacity}” is not a whole number above 0")
        email = p.email(v["email"], line)
        outcome = v["outcome"].strip().lower()
        if outcome not in OUTCOMES:
            p.error(
                line,
                "outcome",
                f"“{v['outcome'].strip()}” is not one of {', '.join(OUTCOMES)}",
            )
        waiting_only = outcome == "waiting_not_offered"
        booked_at = p.when(v["booked_at"], line, "booked_at", required=not waiting_only)
        ended_at = p.when(v["ended_at"], line, "ended_at", required=outcome in CANCELLED_OUTCOMES)
        waiting_since = p.when(v["waiting_since"], line, "waiting_since", required=waiting_only)
        if booked_at and ended_at and ended_at < booked_at:
            p.error(line, "ended_at", "is before booked_at")
        if start and booked_at and end and booked_at > end:
            p.error(line, "booked_at", "is after the session ended")
        if outcome in HOLDING_OUTCOMES and end and end > now:
            p.error(line, "outcome", f"{outcome} for a session that has not ended yet")
        if len(p.errors) > before:
            continue
        key = (_course_key(title), start)
        dup = seen.get((key, email))
        if dup:
            p.error(line, "email", f"the same person and session as line {dup}")
            continue
        seen[(key, email)] = line
        s = sessions.get(key)
        if s is None:
            s = sessions[key] = _Session(line, title, start, end, capacity)
        else:
            if s.end != end:
                p.error(line, "session_end", f"differs from line {s.line} for the same session")
                continue
            if s.capacity != capacity:
                p.error(line, "capacity", f"differs from line {s.line} for the same session")
                continue
        if outcome in HOLDING_OUTCOMES:
            s.holders += 1
            s.lines.append(line)
        name, team = v["name"].strip(), v["team"].strip()
        known = people.get(email)
        if known is None or (not known[0] and name) or (not known[1] and team):
            people[email] = (name or (known or ("", ""))[0], team or (known or ("", ""))[1])
        rows.append(_Row(line, key, email, booked_at, outcome, ended_at, waiting_since))
    for s in sessions.values():
        if s.holders > s.capacity:
            p.error(
                s.line,
                "capacity",
                f"{s.capacity} is below the {s.holders} people who attended or did not show "
                f"for this session (lines {_lines(s.lines)})",
            )
    return rows, sessions, people, p


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _unique_slug(title: str, taken: set[str]) -> str:
    base = slugify(title)[:190] or "course"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def history_import(
    *,
    text: str,
    actor: User | None = None,
    now: datetime | None = None,
    raw_sql: bool | None = None,
) -> HistoryImportResult:
    """Import past sessions and bookings from CSV text: all rows or none, idempotent.

    Returns the counts of what was added, or (with nothing written) the list of errors.
    Raises ServiceError only for a file that cannot be read as this format at all.
    `raw_sql=False` writes through the ORM's bulk_create instead of sql.py (the twin).
    """
    now = now or timezone.now()
    raw_sql = RAW_SQL if raw_sql is None else raw_sql
    rows, sessions, people, parser = _parse(text, now)
    result = HistoryImportResult(rows=len(rows))
    if parser.errors:
        result.errors = sorted(parser.errors, key=lambda e: (e.line, e.column or ""))
        return result
    if not rows:
        raise ServiceError("The file has a header but no rows.", field="file")
    with transaction.atomic():
        _write(rows, sessions, people, result, actor=actor, now=now, raw_sql=raw_sql)
        if result.errors:
            transaction.set_rollback(True)
            result.errors.sort(key=lambda e: (e.line, e.column or ""))
            result.courses_created = result.sessions_created = 0
            result.people_created = result.bookings_created = 0
    return result


def _write(rows, sessions, people, result, *, actor, now, raw_sql) -> None:
    # Courses: an existing course with the title, else a new, retired one.
    courses: dict[str, int] = {}
    slugs = set()
    for pk, title, slug in Course.objects.values_list("id", "title", "slug").order_by("id"):
        courses.setdefault(_course_key(title), pk)
        slugs.add(slug)
    titles = {}
    for s in sessions.values():
        titles.setdefault(_course_key(s.title), s.title)
    created_courses = []
    for key, title in titles.items():
        if key not in courses:
            course = Course.objects.create(
                title=title,
                slug=_unique_slug(title, slugs),
                summary="Brought in with past sessions from another system.",
                status=Course.Status.ARCHIVED,
            )
            courses[key] = course.pk
            created_courses.append(course)
            audit_record(actor=actor, action="course_imported", subject=course, at=now)
    result.courses_created = len(created_courses)

    # Sessions already there (an earlier import, or the service's own), by course and start.
    starts = [s.start for s in sessions.values()]
    existing: dict[tuple, dict] = {}
    for row in (
        Session.objects.filter(
            course_id__in=set(courses[k] for k, _s in sessions),
            starts_at__gte=min(starts),
            starts_at__lte=max(starts),
        )
        .order_by("status", "id")  # a scheduled session before a cancelled one
        .values("id", "course_id", "starts_at", "capacity", "places_taken")
    ):
        existing.setdefault((row["course_id"], row["starts_at"]), row)

    # Bookings already there, on those sessions: (session, person e-mail).
    booked: set[tuple[int, str]] = set()
    for ids in _chunks([r["id"] for r in existing.values()]):
        booked.update(
            Booking.objects.filter(session_id__in=ids).values_list("session_id", "person__email")
        )

    session_ids: dict[tuple, int] = {}
    new_sessions: list[Session] = []
    new_keys: list[tuple] = []
    adding: dict[int, int] = defaultdict(int)  # existing session id -> new places held
    todo: list[_Row] = []
    for r in rows:
        s = sessions[r.session]
        there = existing.get((courses[r.session[0]], s.start))
        if there is not None:
            session_ids[r.session] = there["id"]
            if (there["id"], r.email) in booked:
                result.already_there += 1
                continue
            if r.outcome in HOLDING_OUTCOMES:
                adding[there["id"]] += 1
        todo.append(r)
    for key, s in sessions.items():
        if key in session_ids:
            continue
        new_keys.append(key)
        new_sessions.append(
            Session(
                course_id=courses[key[0]],
                starts_at=s.start,
                ends_at=s.end,
                capacity=s.capacity,
                places_taken=s.holders,
                imported=True,
                register_closed_at=s.end if s.end <= now else None,
                created_at=now,
            )
        )
    for there in existing.values():
        extra = adding.get(there["id"], 0)
        if extra and there["places_taken"] + extra > there["capacity"]:
            s = next(s for k, s in sessions.items() if session_ids.get(k) == there["id"])
            result.errors.append(
                RowError(
                    s.line,
                    "capacity",
                    f"the session is already there with {there['places_taken']} of its "
                    f"{there['capacity']} places held; {extra} more do not fit",
                )
            )
    if result.errors:
        return
    for created in _chunks(new_sessions, BATCH):
        Session.objects.bulk_create(created)
    for key, s in zip(new_keys, new_sessions, strict=True):
        session_ids[key] = s.pk
    result.sessions_created = len(new_sessions)
    for session_id, extra in adding.items():
        Session.objects.filter(pk=session_id).update(places_taken=F("places_taken") + extra)

    # People: known by e-mail (left as they are, active or not), else created inactive,
    # awaiting their first sign-in, with no usable password.
    person_ids: dict[str, int] = {}
    wanted = sorted({r.email for r in todo})
    for emails in _chunks(wanted):
        person_ids.update(User.objects.filter(email__in=emails).values_list("email", "id"))
    new_people = [
        {
            "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            "is_superuser": False,
            "email": email,
            "name": people[email][0],
            "job_title": "",
            "team": people[email][1],
            "organisation": "",
            "is_active": False,
            "awaiting_first_sign_in": True,
            "is_staff": False,
            "date_joined": now,
        }
        for email in wanted
        if email not in person_ids
    ]
    if raw_sql:
        sql.users_insert(new_people)
        created_ids: list[tuple[str, int]] = []
        for emails in _chunks([p["email"] for p in new_people]):
            created_ids.extend(User.objects.filter(email__in=emails).values_list("email", "id"))
        person_ids.update(created_ids)
        sql.addresses_insert((pk, email) for email, pk in created_ids)
    else:
        users = [User(**p) for p in new_people]
        for created in _chunks(users, BATCH):
            User.objects.bulk_create(created)
        person_ids.update((u.email, u.pk) for u in users)
        _record_addresses(users)
    result.people_created = len(new_people)

    bookings = (
        _booking(r, sessions[r.session], session_ids[r.session], person_ids, now) for r in todo
    )
    if raw_sql:
        sql.bookings_insert(bookings)
    else:
        objs = [Booking(**{k: v for k, v in b.items() if k != "answers"}) for b in bookings]
        for created in _chunks(objs, BATCH):
            Booking.objects.bulk_create(created)
    result.bookings_created = len(todo)

    by_course: dict[int, int] = defaultdict(int)
    for r in todo:
        by_course[courses[r.session[0]]] += 1
    for course in Course.objects.filter(pk__in=by_course):
        audit_record(
            actor=actor,
            action="history_imported",
            subject=course,
            at=now,
            bookings=by_course[course.pk],
        )


def _record_addresses(people: list[User]) -> None:
    """allauth's record of each new person's address, unverified: signing in with an
    e-mailed code verifies it (as for anyone made outside sign-up)."""
    from allauth.account.models import EmailAddress

    rows = [EmailAddress(user_id=u.pk, email=u.email, primary=True, verified=False) for u in people]
    for created in _chunks(rows, BATCH):
        EmailAddress.objects.bulk_create(created)


def _booking(r: _Row, s: _Session, session_id: int, person_ids: dict, now: datetime) -> dict:
    """The booking's columns (sql.HISTORY_BOOKING_COLUMNS) for one row."""
    first = min(t for t in (r.booked_at, r.waiting_since) if t is not None)
    b = {
        "created_at": first,
        "updated_at": now,  # when it came into Guildbook: caches keyed on changes see it
        "session_id": session_id,
        "person_id": person_ids[r.email],
        "status": Booking.Status.CANCELLED,
        "waiting_since": r.waiting_since,
        "offer_expires_at": None,
        "confirmed_at": None,
        "ended_at": None,
        "ending": "",
        "late_cancellation": False,
        "moved_to_id": None,
        "answers": {},
        "attendance": "",
        "arrived_late": False,
        "attendance_recorded_at": None,
        "booked_by_id": None,
        "still_coming_at": None,
        "calendar_uid": "",
        "calendar_sequence": 0,
    }
    if r.outcome == "waiting_not_offered":
        # Never given a place: kept as a waiting-list entry that ended with the session (or
        # when they left), so it is never active and never promoted.
        b["ending"] = Booking.Ending.LEFT_WAITING_LIST
        b["ended_at"] = r.ended_at or s.start
        return b
    b["confirmed_at"] = max(t for t in (r.booked_at, r.waiting_since) if t is not None)
    if r.outcome in HOLDING_OUTCOMES:
        b["status"] = Booking.Status.CONFIRMED
        b["attendance"] = (
            Booking.Attendance.ATTENDED if r.outcome == "attended" else Booking.Attendance.NO_SHOW
        )
        b["attendance_recorded_at"] = s.end
    else:
        b["ending"] = Booking.Ending.CANCELLED
        b["ended_at"] = r.ended_at
        b["late_cancellation"] = r.outcome == "late_cancelled"
    return b
