"""Writes to sessions and series: creating, changing, rescheduling, cancelling, capacity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from guildbook.accounts.models import Team, User
from guildbook.core import limits
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.training import alerts, messages, recurrence, venues
from guildbook.training.models import (
    Booking,
    Course,
    Series,
    Session,
)
from guildbook.training.services import interest
from guildbook.training.services.bookings import _move
from guildbook.training.services.places import (
    _end,
    _lock_session,
    _lock_sessions,
    _promote,
)
from guildbook.training.signals import (
    session_changed_on_commit,
    session_moved,
)


def session_times_check(starts_at: datetime, ends_at: datetime) -> None:
    """Refuse times a session cannot have (as a ServiceError naming the field)."""
    if starts_at is None or ends_at is None:
        raise ServiceError("A session needs a start and an end.", field="starts_at")
    limits.check_when(starts_at, field="starts_at")
    limits.check_when(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise ServiceError("The session must end after it starts.", field="ends_at")


def session_create(
    *,
    course: Course,
    starts_at: datetime,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    venue: str = "",
    online_link: str = "",
    link_to_follow: bool = False,
    trainers: Iterable[User] = (),
    actor: User | None,
    series: Series | None = None,
    series_date: date | None = None,
    for_team: Team | None = None,
) -> Session:
    """Schedule one session of a course (ends after the course's duration unless given).

    `series_date` is the series occurrence the session is made for (see series_extend).
    `for_team` makes it a closed session: hidden from everyone but that team's people (and
    trainers), and booked only by them (selectors.sessions, booking_refusal)."""
    limits.check_when(starts_at, field="starts_at")
    ends_at = ends_at or (starts_at + timedelta(minutes=course.duration_minutes))
    session_times_check(starts_at, ends_at)
    place = venues.place_fields(
        course, venue=venue, online_link=online_link, link_to_follow=link_to_follow
    )
    capacity = course.default_capacity if capacity is None else capacity
    _places_check(capacity)
    with transaction.atomic():
        session = Session.objects.create(
            course=course,
            series=series,
            series_date=series_date if series is not None else None,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            **place,
            for_team=for_team,
        )
        trainers = list(trainers)
        if trainers:
            session.trainers.set(trainers)
        audit_record(actor=actor, action="session_created", subject=session)
        messages.on_session_created(session, now=timezone.now())
        if series is None:  # a series tells interest once, of its first new date
            interest.interest_tell([session])
        session_changed_on_commit(session, change="created", actor=actor)
    return session


def series_create(
    *,
    course: Course,
    frequency: str,
    weekday: int,
    start_time,
    starts_on,
    capacity: int,
    interval: int = 1,
    week_of_month: int | None = None,
    duration_minutes: int | None = None,
    ends_on=None,
    generate_months_ahead: int = 6,
    venue: str = "",
    online_link: str = "",
    link_to_follow: bool = False,
    trainers: Iterable[User] = (),
    actor: User | None,
) -> Series:
    """Create a recurring series and generate its sessions up to the horizon."""
    place = venues.place_fields(
        course, venue=venue, online_link=online_link, link_to_follow=link_to_follow
    )
    if frequency not in Series.Frequency.values:
        raise ServiceError("Choose weekly or monthly.", field="frequency")
    if not 1 <= interval <= 12:
        raise ServiceError("Repeat every 1 to 12 periods.", field="interval")
    if not 0 <= weekday <= 6:
        raise ServiceError("Choose a day of the week.", field="weekday")
    if frequency == "monthly" and week_of_month not in (1, 2, 3, 4, -1):
        raise ServiceError("Choose which week of the month.", field="week_of_month")
    _places_check(capacity)
    if ends_on and ends_on < starts_on:
        raise ServiceError("The series must end after it starts.", field="ends_on")
    with transaction.atomic():
        series = Series.objects.create(
            course=course,
            frequency=frequency,
            interval=interval,
            weekday=weekday,
            week_of_month=week_of_month if frequency == "monthly" else None,
            start_time=start_time,
            duration_minutes=duration_minutes or course.duration_minutes,
            starts_on=starts_on,
            ends_on=ends_on,
            generate_months_ahead=generate_months_ahead,
            **place,
            capacity=capacity,
            created_by=actor,
        )
        trainers = list(trainers)
        if trainers:
            series.trainers.set(trainers)
        audit_record(actor=actor, action="series_created", subject=series)
        series_extend(series=series, actor=actor)
    return series


def series_extend(*, series: Series, actor: User | None, until=None) -> list[Session]:
    """Generate the series' sessions up to its horizon. Idempotent: an occurrence that
    already has a session is never made again, even if that session was since moved to
    another time or day, re-timed by an edit of the series, or cancelled.

    Each session records its occurrence (`series_date`, unique per series in the database);
    the series row is locked so two extensions at once queue rather than race.
    """
    with transaction.atomic():
        series = Series.objects.select_for_update().select_related("course").get(pk=series.pk)
        made = set(series.sessions.values_list("series_date", flat=True))
        trainers = list(series.trainers.all())
        created = []
        for occurrence in recurrence.series_occurrences(series, until=until):
            if occurrence.date in made:
                continue
            created.append(
                session_create(
                    course=series.course,
                    series=series,
                    series_date=occurrence.date,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    capacity=series.capacity,
                    venue=series.venue,
                    online_link=series.online_link,
                    link_to_follow=series.link_to_follow,
                    trainers=trainers,
                    actor=actor,
                )
            )
        interest.interest_tell(created)
    return created


def series_extend_due(*, now: datetime | None = None) -> int:
    """Keep every series that has not ended filled `generate_months_ahead` months ahead of
    `now` (the worker's due work: series are made a few months ahead when created, and this
    moves the horizon on as time passes). Returns how many sessions were made.

    One query when every series is full (the dates still to make are worked out from the
    pattern without the database); each series that needs sessions is extended in its own
    transaction under its lock, so two workers at once make each session once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    running = Series.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).annotate(
        last_made=Max("sessions__series_date")
    )
    made = 0
    for series in running:
        until = today + relativedelta(months=series.generate_months_ahead)
        due = recurrence.series_occurrences(series, until=until)
        if any(series.last_made is None or o.date > series.last_made for o in due):
            made += len(series_extend(series=series, actor=None, until=until))
    return made


SESSION_EDITABLE = {
    "venue",
    "online_link",
    "link_to_follow",
    "capacity",
    "start_time",
    "duration_minutes",
    "trainers",
}


def session_update(
    *, session: Session, actor: User | None, following: bool = False, **changes
) -> list[Session]:
    """Edit one session, or (following=True) this one and every later one of its series.

    `start_time` (a local time of day) and `duration_minutes` keep each session's own date.
    Capacity changes go through `session_set_capacity`, so they promote from the waiting list
    and never drop below the places taken. Sessions edited on their own since (detached) are
    left alone by a "this and following" edit. A new venue or online link queues, in this
    transaction, an updated invite for everyone with a place on each session it changes;
    new `trainers` go through `session_trainers_set` (their rosters follow).
    """
    unknown = set(changes) - SESSION_EDITABLE
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} here.")
    if "trainers" in changes:
        changes["trainers"] = list(changes["trainers"])
    if changes.get("online_link"):
        changes["link_to_follow"] = False
    if {"venue", "online_link", "link_to_follow"} & set(changes):
        venues.check_place(
            session.course,
            venue=changes.get("venue", session.venue),
            online_link=changes.get("online_link", session.online_link),
            link_to_follow=changes.get("link_to_follow", session.link_to_follow),
        )
    with transaction.atomic():
        targets = [session]
        if following and session.series_id:
            later = Session.objects.filter(
                series_id=session.series_id,
                starts_at__gt=session.starts_at,
                status=Session.Status.SCHEDULED,
                detached=False,
            )
            targets += list(later)
            series = session.series
            for key in (
                "venue",
                "online_link",
                "link_to_follow",
                "capacity",
                "start_time",
                "duration_minutes",
            ):
                if key in changes:
                    setattr(series, key, changes[key])
            series.save()
            if "trainers" in changes:
                series.trainers.set(changes["trainers"])
        for target in targets:
            fields = {
                k: v for k, v in changes.items() if k in ("venue", "online_link", "link_to_follow")
            }
            if "start_time" in changes or "duration_minutes" in changes:
                local_start = timezone.localtime(target.starts_at)
                new_time = changes.get("start_time", local_start.time())
                minutes = changes.get("duration_minutes", target.duration_minutes)
                starts = timezone.make_aware(
                    datetime.combine(local_start.date(), new_time), local_start.tzinfo
                )
                if starts != target.starts_at or minutes != target.duration_minutes:
                    session_reschedule(
                        session=target,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=minutes),
                        actor=actor,
                        detach=not following,
                    )
                    target.refresh_from_db()
            current = _lock_session(target.pk) if fields else target
            changed = sorted(k for k, v in fields.items() if getattr(current, k) != v)
            if changed:
                Session.objects.filter(pk=target.pk).update(**fields)
                for k, v in fields.items():
                    setattr(target, k, v)
                moved = [k for k in changed if k != "link_to_follow"]
                if moved:
                    messages.on_session_place_changed(target, moved, now=timezone.now())
            if "capacity" in changes and changes["capacity"] != target.capacity:
                session_set_capacity(session=target, capacity=changes["capacity"], actor=actor)
            if "trainers" in changes:
                session_trainers_set(session=target, trainers=changes["trainers"], actor=actor)
            if not following and target.series_id:
                Session.objects.filter(pk=target.pk).update(detached=True)
            audit_record(
                actor=actor, action="session_updated", subject=target, changes=_jsonable(changes)
            )
            session_changed_on_commit(target, change="updated", actor=actor)
    return targets


def session_trainers_set(
    *, session: Session, trainers: Iterable[User], actor: User | None
) -> Session:
    """Name the session's own trainers (none: the course's trainers run it). The roster the
    day before is queued for each new trainer and voided for anyone taken off, and a
    late-release note not yet sent goes to the trainers as they now are, in this
    transaction."""
    trainers = list(trainers)
    with transaction.atomic():
        session = _lock_session(session.pk)
        before = set(session.trainers.values_list("pk", flat=True))
        if {t.pk for t in trainers} == before:
            return session
        session.trainers.set(trainers)
        audit_record(
            actor=actor,
            action="session_trainers_changed",
            subject=session,
            before=sorted(before),
            after=sorted(t.pk for t in trainers),
        )
        now = timezone.now()
        if session.status == Session.Status.SCHEDULED and session.ends_at > now:
            messages.on_trainers_changed([session], now=now)
    return session


def _jsonable(changes: dict) -> dict:
    def value(v):
        if isinstance(v, list):  # trainers: their ids
            return [getattr(item, "pk", item) for item in v]
        return v.isoformat() if hasattr(v, "isoformat") else v

    return {k: value(v) for k, v in changes.items()}


def session_reschedule(
    *,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    actor: User | None,
    detach: bool = True,
) -> Session:
    """Move a session to a new time. Its people keep their places and are told: an updated
    calendar invite each, queued in this transaction; their reminders move with it."""
    session_times_check(starts_at, ends_at)
    with transaction.atomic():
        session = _lock_session(session.pk)
        if session.is_cancelled:
            raise ServiceError("A cancelled session cannot be rescheduled.", field="starts_at")
        old = session.starts_at
        session.starts_at, session.ends_at = starts_at, ends_at
        if detach and session.series_id:
            session.detached = True
        session.save(update_fields=["starts_at", "ends_at", "detached", "updated_at"])
        # An offer never runs past the start (offer mode), even when the start moves earlier.
        Booking.objects.filter(
            session=session, status=Booking.Status.OFFERED, offer_expires_at__gt=starts_at
        ).update(offer_expires_at=starts_at)
        audit_record(
            actor=actor,
            action="session_rescheduled",
            subject=session,
            old_start=old.isoformat(),
            new_start=starts_at.isoformat(),
        )
        now = timezone.now()
        messages.on_session_rescheduled(session, now=now)
        alerts.alerts_follow([session])
        session_moved.send(sender=Session, session=session, now=now)
        session_changed_on_commit(session, change="rescheduled", actor=actor)
    return session


def session_cancel(
    *,
    session: Session,
    actor: User | None,
    reason: str = "",
    move_to: Session | None = None,
) -> Session:
    """Cancel a session. Its bookings end, or move to `move_to` keeping their order:
    people with places first (in the order they booked), then the waiting list in its order.
    On the new session they get a place while there is one, then join its waiting list.
    """
    if move_to is not None and move_to.pk == session.pk:
        raise ServiceError("Choose a different session to move people to.", field="move_to")
    with transaction.atomic():
        locked = _lock_sessions([session.pk] + ([move_to.pk] if move_to else []))
        session = locked[session.pk]
        if session.is_cancelled:
            raise ServiceError("This session is already cancelled.")
        if session.bookings.exclude(attendance="").exists():
            raise ServiceError(
                "The register has been taken for this session, so it cannot be cancelled: "
                "its attendance is part of people's training records."
            )
        target = locked.get(move_to.pk) if move_to else None
        if target is not None:
            if target.course_id != session.course_id:
                raise ServiceError("Move people to a session of the same course.", field="move_to")
            if target.is_cancelled or target.starts_at <= timezone.now():
                raise ServiceError("Move people to a future, scheduled session.", field="move_to")
        now = timezone.now()
        # People with places first, in the order they got them, then the waiting list in
        # its order: two queries, because no ordering of the status words says that.
        active = list(
            session.bookings.filter(status=Booking.Status.CONFIRMED)
            .select_related("person")
            .order_by("confirmed_at", "id")
        ) + list(
            # Offered places are the head of the list, so they keep their turn.
            session.bookings.filter(status__in=[Booking.Status.OFFERED, Booking.Status.WAITING])
            .select_related("person")
            .order_by("waiting_since", "id")
        )
        endings = []
        for booking in active:
            if target is not None:
                new = _move(booking, session, target, actor, now, notify=False)
                if new.pk == booking.pk:  # already had a booking on the target
                    new = target.bookings.filter(
                        person_id=booking.person_id, status__in=Booking.ACTIVE
                    ).first()
                endings.append((booking, new))
            else:
                _end(booking, session, Booking.Ending.SESSION_CANCELLED, actor, now, promote=False)
                endings.append((booking, None))
        messages.on_session_cancelled(session, endings, now=now)
        alerts.alerts_withdraw(session)
        session.status = Session.Status.CANCELLED
        session.cancelled_at = now
        session.cancellation_reason = reason.strip()[:300]
        session.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="session_cancelled",
            subject=session,
            reason=session.cancellation_reason,
            moved_to=target.pk if target else None,
        )
        session_changed_on_commit(session, change="cancelled", actor=actor)
    return session


def _places_check(capacity: int | None) -> None:
    """Refuse a number of places below one: a session (or each of a series') needs one."""
    if capacity is None or capacity < 1:
        raise ServiceError("A session needs at least one place.", field="capacity")


def session_capacity_check(session: Session, capacity: int) -> None:
    """Refuse a number of places below one, or below the places taken."""
    _places_check(capacity)
    if capacity < session.places_taken:
        raise ServiceError(
            f"{session.places_taken} places are taken, so the capacity cannot go below "
            f"{session.places_taken}. Move or remove bookings first.",
            field="capacity",
        )


def session_set_capacity(*, session: Session, capacity: int, actor: User | None) -> Session:
    """Change the number of places. Never below the places taken; raising it promotes."""
    with transaction.atomic():
        session = _lock_session(session.pk)
        session_capacity_check(session, capacity)
        old = session.capacity
        session.capacity = capacity
        session.save(update_fields=["capacity", "updated_at"])
        audit_record(actor=actor, action="capacity_changed", subject=session, old=old, new=capacity)
        _promote(session, actor, timezone.now())
    return session


PLACE_FIELDS = ("venue", "online_link", "link_to_follow")


def session_change_check(session: Session, **changes) -> None:
    """The checks `session_change` makes before it writes, for a form to show beside its
    fields: times a session can have, not on a cancelled session, somewhere to meet, and
    no fewer places than are taken."""
    if session.is_cancelled and changes:
        raise ServiceError("A cancelled session cannot be changed.")
    if "starts_at" in changes or "ends_at" in changes:
        session_times_check(
            changes.get("starts_at", session.starts_at), changes.get("ends_at", session.ends_at)
        )
    if set(PLACE_FIELDS) & set(changes):
        online_link = changes.get("online_link", session.online_link)
        venues.check_place(
            session.course,
            venue=changes.get("venue", session.venue),
            online_link=online_link,
            link_to_follow=changes.get("link_to_follow", session.link_to_follow),
        )
    if "capacity" in changes:
        session_capacity_check(session, changes["capacity"])


def session_change(*, session: Session, actor: User | None, **changes) -> Session:
    """Change one session's date and times, place and capacity in one go (the
    administration site's form), all or nothing, through the same functions as the trainer
    pages: a new time is `session_reschedule` (the "moved" e-mail and invite, reminders and
    survey invitations move with it), a new venue or link `session_update` (people with a
    place are told), a new capacity `session_set_capacity` (never below the places taken;
    more places promote from the waiting list)."""
    unknown = set(changes) - {"starts_at", "ends_at", "capacity", *PLACE_FIELDS}
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} here.")
    session_change_check(session, **changes)
    with transaction.atomic():
        starts_at = changes.get("starts_at", session.starts_at)
        ends_at = changes.get("ends_at", session.ends_at)
        if (starts_at, ends_at) != (session.starts_at, session.ends_at):
            session = session_reschedule(
                session=session, starts_at=starts_at, ends_at=ends_at, actor=actor
            )
        place = {k: changes[k] for k in PLACE_FIELDS if k in changes}
        if place:
            session_update(session=session, actor=actor, **place)
        if "capacity" in changes and changes["capacity"] != session.capacity:
            session_set_capacity(session=session, capacity=changes["capacity"], actor=actor)
        session.refresh_from_db()
    return session


SERIES_EDITABLE = ("ends_on", "generate_months_ahead")


def series_update_check(series: Series, **changes) -> None:
    """The checks `series_update` makes before it writes, for a form to show."""
    unknown = set(changes) - set(SERIES_EDITABLE)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} here.")
    ends_on = changes.get("ends_on", series.ends_on)
    if ends_on and ends_on < series.starts_on:
        raise ServiceError("The series must end after it starts.", field="ends_on")
    months = changes.get("generate_months_ahead", series.generate_months_ahead)
    if not 1 <= (months or 0) <= 24:
        raise ServiceError("Plan 1 to 24 months ahead.", field="generate_months_ahead")


def series_update(*, series: Series, actor: User | None, **changes) -> Series:
    """Change when a series ends and how far ahead it plans. A later horizon schedules the
    new sessions at once (as `series_extend`); an earlier end leaves the sessions already
    made, which have bookings of their own: cancel them on their pages if they should go."""
    series_update_check(series, **changes)
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        changed = sorted(k for k, v in changes.items() if getattr(series, k) != v)
        if not changed:
            return series
        for key in changed:
            setattr(series, key, changes[key])
        series.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="series_updated", subject=series, fields=changed)
        series_extend(series=series, actor=actor)
    return series
