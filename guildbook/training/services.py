"""Every write to the training offer. One function per operation, one transaction each.

Booking changes for a session take the session's row lock first (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), then re-read what
they depend on. That is what makes the capacity and first-come-first-served guarantees hold
under concurrent requests; the database constraints in models.py are the backstop.

Signals for other apps are sent on commit (see signals.py). E-mails are outbox rows queued
by messages.py inside the same transaction as the change, never from a signal handler.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.core.models import AuditEntry
from guildbook.core.postgresql.prepared import bound, prepared
from guildbook.core.timefmt import format_date, format_time
from guildbook.training import alerts, messages, offers, recurrence, removal, venues
from guildbook.training.models import (
    AgendaItem,
    Booking,
    BookingQuestion,
    Course,
    CourseMaterial,
    Series,
    Session,
)
from guildbook.training.signals import (
    attendance_marked,
    attendance_recorded,
    booking_changed,
    session_changed,
    session_moved,
)


class BookingRefused(ServiceError):
    """Booking is not possible now (not open yet, closed, past, cancelled, full)."""

    status = 422
    code = "booking_not_open"


class AlreadyBooked(Conflict):
    code = "already_booked"


class OfferGone(Conflict):
    """The place offered is no longer there to claim (taken, lapsed, session changed)."""

    code = "offer_gone"


def _on_commit_send(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=Booking, **kwargs))


def _lock_session(session_id: int) -> Session:
    # of=("self",): lock the session's row only, not its course's, so bookings on other
    # sessions of the same course do not queue behind this one.
    return (
        Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)
    )


def _lock_sessions(ids: Iterable[int]) -> dict[int, Session]:
    # Always in id order, so two operations touching the same pair cannot deadlock.
    return {pk: _lock_session(pk) for pk in sorted(set(ids))}


# --- Courses --------------------------------------------------------------------------

COURSE_FIELDS = {
    "title",
    "slug",
    "summary",
    "description",
    "learning_outcomes",
    "level",
    "duration_minutes",
    "audience",
    "category",
    "tags",
    "delivery",
    "visibility",
    "status",
    "booking_opens_days",
    "booking_closes_hours",
    "late_cancellation_hours",
    "waiting_list_enabled",
    "waiting_list_mode",
    "default_capacity",
    "reminder_hours",
    "confirmation_note",
    "reminder_note",
}


def course_create(*, actor: User | None, trainers: Iterable[User] = (), **fields) -> Course:
    """Create a course. Unknown fields are refused; the slug is made from the title."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise ServiceError(f"Unknown course field: {', '.join(sorted(unknown))}.")
    if not (fields.get("title") or "").strip():
        raise ServiceError("A course needs a title.", field="title")
    _check_notes(fields)
    with transaction.atomic():
        course = Course(**fields)
        if not course.slug:
            from django.utils.text import slugify

            base = slugify(course.title)[:190] or "course"
            slug, n = base, 2
            while Course.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            course.slug = slug
        elif Course.objects.filter(slug=course.slug).exists():
            raise Conflict("Another course already uses that web address.", field="slug")
        _full_clean(course)
        course.save()
        if trainers:
            course.trainers.set(trainers)
        audit_record(actor=actor, action="course_created", subject=course)
    return course


def course_update(
    *, course: Course, actor: User | None, trainers: Iterable[User] | None = None, **fields
) -> Course:
    """Change a course's details (and, when `trainers` is given, who runs it)."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise ServiceError(f"Unknown course field: {', '.join(sorted(unknown))}.")
    if "title" in fields and not (fields["title"] or "").strip():
        raise ServiceError("A course needs a title.", field="title")
    _check_notes(fields)
    with transaction.atomic():
        old_reminder_hours = course.reminder_hours
        old_opens_days = course.booking_opens_days
        for key, value in fields.items():
            setattr(course, key, value)
        _full_clean(course)
        course.save()
        if course.reminder_hours != old_reminder_hours:
            messages.on_reminder_hours_changed(course, now=timezone.now())
        if course.booking_opens_days != old_opens_days:
            alerts.alerts_follow_course(course)
        changed = sorted(fields)
        if trainers is not None:
            _course_trainers_set(course, trainers)
            changed.append("trainers")
        audit_record(actor=actor, action="course_updated", subject=course, fields=changed)
    return course


def course_trainers_set(*, course: Course, trainers: Iterable[User], actor: User | None) -> Course:
    """Name who runs a course. Its sessions to come without trainers of their own get their
    rosters queued for the new trainers (and voided for the old) in this transaction."""
    with transaction.atomic():
        if _course_trainers_set(course, trainers):
            audit_record(actor=actor, action="course_updated", subject=course, fields=["trainers"])
    return course


def _course_trainers_set(course: Course, trainers: Iterable[User]) -> bool:
    trainers = list(trainers)
    if {t.pk for t in trainers} == set(course.trainers.values_list("pk", flat=True)):
        return False
    course.trainers.set(trainers)
    now = timezone.now()
    # Only the sessions that fall back on the course's trainers are affected.
    sessions = (
        course.sessions.filter(status=Session.Status.SCHEDULED, ends_at__gt=now)
        .annotate(own_trainers=Count("trainers"))
        .filter(own_trainers=0)
        .select_related("course")
        .order_by("starts_at", "id")
    )
    messages.on_trainers_changed(list(sessions), now=now)
    return True


def _check_notes(fields: dict) -> None:
    """The trainer's paragraphs use only the placeholders messages.render_note fills in."""
    for field in ("confirmation_note", "reminder_note"):
        wrong = messages.note_mistakes(fields.get(field) or "")
        if wrong:
            names = ", ".join(f"{{{n}}}" for n in messages.NOTE_PLACEHOLDERS[:-1])
            raise ServiceError(
                f"“{wrong[0]}” is not something Guildbook can fill in. You can use "
                f"{names} and {{{messages.NOTE_PLACEHOLDERS[-1]}}}, written exactly so.",
                field=field,
            )


def _full_clean(obj, **kwargs) -> None:
    """Model validation as a ServiceError naming the first field at fault."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            message = " ".join(m for e in errors for m in e.messages)
            raise ServiceError(message, field=None if field == "__all__" else field) from None
        raise ServiceError(" ".join(exc.messages)) from None


def course_invitation_renew(*, course: Course, actor: User | None) -> Course:
    """Give a closed course a new invitation link; the old link stops working at once."""
    import secrets

    if course.visibility != Course.Visibility.CLOSED:
        raise ServiceError("Only closed team courses have an invitation link.")
    with transaction.atomic():
        course.invitation_token = secrets.token_urlsafe(24)
        course.save(update_fields=["invitation_token", "updated_at"])
        audit_record(actor=actor, action="course_invitation_renewed", subject=course)
    return course


# Parts of a course edited as ordered lists: (model, editable fields, what one row is called).
PLAN_PARTS = {
    "agenda": (AgendaItem, ("kind", "minutes", "title", "notes"), "Agenda item"),
    "questions": (
        BookingQuestion,
        ("text", "help_text", "kind", "choices", "required"),
        "Question",
    ),
    "materials": (CourseMaterial, ("title", "url", "file", "for_trainers_only"), "Material"),
}


def course_plan_set(
    *,
    course: Course,
    actor: User | None,
    agenda: list[dict] | None = None,
    questions: list[dict] | None = None,
    materials: list[dict] | None = None,
) -> Course:
    """Set a course's session plan (agenda), booking questions and materials. All or nothing.

    Each list left as None is unchanged. Otherwise it is the whole list in its new order: a
    row with the "id" of one of this course's rows updates that row, a row without an id adds
    one, and the course's rows missing from the list are deleted. Answers already given keep
    their own copy of the question's text, so deleting a question loses no answer.
    """
    parts = {"agenda": agenda, "questions": questions, "materials": materials}
    with transaction.atomic():
        for name, rows in parts.items():
            if rows is None:
                continue
            model, fields, label = PLAN_PARTS[name]
            existing = {obj.pk: obj for obj in model.objects.filter(course=course)}
            keep = []
            for position, row in enumerate(rows, start=1):
                pk = row.get("id")
                obj = existing.get(int(pk)) if pk else model(course=course)
                if obj is None:
                    raise ServiceError(
                        f"{label} {position} is no longer part of this course; reload the page.",
                        field=name,
                    )
                for key in fields:
                    if key in row:
                        value = row[key]
                        if value is None and key != "minutes":
                            value = ""  # blank text; a blank `minutes` stays None
                        if key == "file" and value is False:
                            value = ""  # the file was cleared
                        setattr(obj, key, value)
                obj.order = position
                _plan_row_check(name, obj, label, position)
                try:
                    obj.full_clean(exclude=["course"], validate_constraints=False)
                except ValidationError as exc:
                    raise ServiceError(
                        f"{label} {position}: " + " ".join(exc.messages), field=name
                    ) from None
                obj.save()
                keep.append(obj.pk)
            model.objects.filter(course=course).exclude(pk__in=keep).delete()
        audit_record(
            actor=actor,
            action="course_plan_updated",
            subject=course,
            parts=sorted(k for k, v in parts.items() if v is not None),
        )
    return course


def _plan_row_check(name: str, obj, label: str, position: int) -> None:
    if name == "materials" and not obj.url and not obj.file:
        raise ServiceError(f"{label} {position}: give a link or a file.", field=name)
    if name == "questions" and obj.kind == BookingQuestion.Kind.CHOICE and len(obj.choice_list) < 2:
        raise ServiceError(
            f"{label} {position}: list at least two choices, one a line.", field=name
        )
    if name == "agenda" and obj.kind == AgendaItem.Kind.ITEM and obj.minutes == 0:
        raise ServiceError(f"{label} {position}: give the minutes, or leave it blank.", field=name)


# --- Sessions and series --------------------------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None or ends_at is None:
        raise ServiceError("A session needs a start and an end.", field="starts_at")
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
) -> Session:
    """Schedule one session of a course (ends after the course's duration unless given).

    `series_date` is the series occurrence the session is made for (see series_extend)."""
    ends_at = ends_at or (starts_at + timedelta(minutes=course.duration_minutes))
    _check_times(starts_at, ends_at)
    venues.check_place(course, venue=venue, online_link=online_link, link_to_follow=link_to_follow)
    capacity = course.default_capacity if capacity is None else capacity
    if capacity < 1:
        raise ServiceError("A session needs at least one place.", field="capacity")
    with transaction.atomic():
        session = Session.objects.create(
            course=course,
            series=series,
            series_date=series_date if series is not None else None,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            venue=venue,
            online_link=online_link,
            link_to_follow=link_to_follow and not online_link,
        )
        trainers = list(trainers)
        if trainers:
            session.trainers.set(trainers)
        audit_record(actor=actor, action="session_created", subject=session)
        messages.on_session_created(session, now=timezone.now())
        transaction.on_commit(
            lambda: session_changed.send(
                sender=Session, session=session, change="created", actor=actor
            )
        )
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
    venues.check_place(course, venue=venue, online_link=online_link, link_to_follow=link_to_follow)
    if frequency not in Series.Frequency.values:
        raise ServiceError("Choose weekly or monthly.", field="frequency")
    if not 1 <= interval <= 12:
        raise ServiceError("Repeat every 1 to 12 periods.", field="interval")
    if not 0 <= weekday <= 6:
        raise ServiceError("Choose a day of the week.", field="weekday")
    if frequency == "monthly" and week_of_month not in (1, 2, 3, 4, -1):
        raise ServiceError("Choose which week of the month.", field="week_of_month")
    if capacity < 1:
        raise ServiceError("A session needs at least one place.", field="capacity")
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
            venue=venue,
            online_link=online_link,
            link_to_follow=link_to_follow and not online_link,
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
    return created


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
            transaction.on_commit(
                lambda t=target: session_changed.send(
                    sender=Session, session=t, change="updated", actor=actor
                )
            )
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
    _check_times(starts_at, ends_at)
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
        transaction.on_commit(
            lambda: session_changed.send(
                sender=Session, session=session, change="rescheduled", actor=actor
            )
        )
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
        transaction.on_commit(
            lambda: session_changed.send(
                sender=Session, session=session, change="cancelled", actor=actor
            )
        )
    return session


def session_set_capacity(*, session: Session, capacity: int, actor: User | None) -> Session:
    """Change the number of places. Never below the places taken; raising it promotes."""
    with transaction.atomic():
        session = _lock_session(session.pk)
        if capacity < 1:
            raise ServiceError("A session needs at least one place.", field="capacity")
        if capacity < session.places_taken:
            raise ServiceError(
                f"{session.places_taken} places are taken, so the capacity cannot go below "
                f"{session.places_taken}. Move or remove bookings first.",
                field="capacity",
            )
        old = session.capacity
        session.capacity = capacity
        session.save(update_fields=["capacity", "updated_at"])
        audit_record(actor=actor, action="capacity_changed", subject=session, old=old, new=capacity)
        _promote(session, actor, timezone.now())
    return session


# --- Bookings -------------------------------------------------------------------------


def booking_refusal(
    session: Session, *, now: datetime | None = None, by_trainer: bool = False
) -> str | None:
    """Why this session cannot be booked now, in words for the person, or None."""
    now = now or timezone.now()
    course = session.course
    if session.is_cancelled:
        return "This session has been cancelled."
    if session.starts_at <= now:
        return "This session has already started, so it can no longer be booked."
    if course.status == Course.Status.ARCHIVED and not by_trainer:
        return "This course is no longer running."
    if by_trainer:
        return None
    opens = session.booking_opens_at()
    if now < opens:
        return f"Booking opens on {format_date(opens)} at {format_time(opens)}."
    closes = session.booking_closes_at()
    if now >= closes:
        return f"Booking closed on {format_date(closes)} at {format_time(closes)}."
    return None


# A course's booking questions in their order: plain SQL, as every booking asks (most
# courses have none, and the ORM's query cost many times the database's answer).
_QUESTIONS = 'SELECT * FROM training_bookingquestion WHERE course_id = %s ORDER BY "order", id'


def booking_answers_clean(course: Course, answers: dict | None) -> dict:
    """Check answers to the course's booking questions; keys are question ids as strings.

    A caller that counted the course's questions in its own read of the course (as
    `booking_question_count`, as the booking API does) saves the look-up when there are
    none."""
    if getattr(course, "booking_question_count", None) == 0:
        return {}
    answers = {str(k): v for k, v in (answers or {}).items()}
    cleaned = {}
    for q in BookingQuestion.objects.raw(_QUESTIONS, [course.pk]):
        value = answers.get(str(q.pk), "")
        value = value.strip() if isinstance(value, str) else value
        if q.kind == BookingQuestion.Kind.YES_NO and value not in ("", None):
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if str(value).lower() not in ("yes", "no"):
                raise ServiceError(f"Answer “{q.text}” with yes or no.", field=f"q{q.pk}")
            value = str(value).lower()
        if q.kind == BookingQuestion.Kind.CHOICE and value and value not in q.choice_list:
            raise ServiceError(f"Choose one of the answers to “{q.text}”.", field=f"q{q.pk}")
        if q.required and value in ("", None):
            raise ServiceError(f"Please answer “{q.text}”.", field=f"q{q.pk}")
        if value not in ("", None):
            cleaned[str(q.pk)] = {"question": q.text, "answer": str(value)[:2000]}
    return cleaned


def waiting_position(booking: Booking) -> int | None:
    """1 for the head of the waiting list; None when the booking is not waiting."""
    if booking.status != Booking.Status.WAITING:
        return None
    ahead = Booking.objects.filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, id__lt=booking.pk),
        session_id=booking.session_id,
        status=Booking.Status.WAITING,
    )
    return ahead.count() + 1


def booking_create(
    *,
    session: Session,
    person: User,
    actor: User | None,
    answers: dict | None = None,
    now: datetime | None = None,
    booking_id: int | None = None,
) -> Booking:
    """Book `person` onto `session`: a place if one is free, else the waiting list.

    A booking put on the waiting list comes back with `position_when_joined`, its place in
    the queue counted under the session's lock (it can only improve afterwards).

    `booking_id`, on PostgreSQL only: an id the caller drew from the bookings' sequence
    (`DRAW_BOOKING_ID`) for this call alone, in a statement it sent anyway, which saves
    booking a round trip; an id left unused is only a gap in the ids.

    A trainer (actor with the run_training permission, booking someone else or themselves)
    may book outside the booking window. Raises AlreadyBooked when the person already holds
    a place or a waiting-list entry, BookingRefused when booking is not possible.
    """
    by_trainer = (
        actor is not None and actor.pk != person.pk and actor.has_perm("training.run_training")
    )
    # Answers are checked before the session's lock is taken, so the lock is held only for
    # the few statements that must see the latest places and waiting list.
    cleaned = booking_answers_clean(session.course, answers)
    now = now or timezone.now()
    db = transaction.get_connection()
    try:
        if db.vendor == "postgresql" and not db.in_atomic_block:
            booking = _book_postgresql_at_once(
                db, session, person, actor, cleaned, now, by_trainer, booking_id
            )
            if booking is not None:
                return _booked(db, booking, session, actor)
        with transaction.atomic():
            return _book(session, person, actor, cleaned, now, by_trainer)
    except IntegrityError as exc:
        # The partial unique index caught a duplicate that slipped past the check (it
        # cannot under the row lock, but the constraint is the guarantee).
        if Booking.objects.filter(
            session_id=session.pk, person=person, status__in=Booking.ACTIVE
        ).exists():
            raise AlreadyBooked(_already_booked_message(session.pk, person, actor)) from exc
        raise


def _already_booked_message(session_id: int, person: User, actor: User | None = None) -> str:
    """Why a second booking is refused, in the second person when people book themselves."""
    existing = Booking.objects.filter(
        session_id=session_id, person=person, status__in=Booking.ACTIVE
    ).first()
    own = actor is not None and actor.pk == person.pk
    if existing and existing.status == Booking.Status.WAITING:
        who = "You are" if own else f"{person.display_name} is"
        return (
            f"{who} already on the waiting list for this session "
            f"(number {waiting_position(existing)})."
        )
    if existing and existing.status == Booking.Status.OFFERED:
        whom = "you" if own else person.display_name
        return f"A place on this session is already offered to {whom}."
    if own:
        return "You already have a place on this session."
    return f"{person.display_name} already has a place on this session."


def _book(session, person, actor, cleaned, now, by_trainer) -> Booking:
    """The locked part of booking_create, in plain SQL and as few statements as possible.

    This is the hottest write in Guildbook: when a course is announced, everyone books the
    same session at once and every booking queues for that session's lock, so the time
    from the lock to the commit bounds how many bookings a second the whole service takes,
    and every round trip to the database costs both sides CPU. Through the ORM it was
    seven statements, each costing more in Python than in the database, with the worker
    waking up between each; now (see docs/subsystems/bookings.md, "Speed"):

    - SQLite (`_book_sqlite`): the IMMEDIATE transaction already holds the database's write
      lock; the session's fields are read again, then four or five short statements write.
    - PostgreSQL inside a caller's transaction (`_book_postgresql`): the lock (SELECT … FOR
      UPDATE OF the session, drawing the new booking's id), then every write in ONE
      data-modifying WITH statement (`_book_write_postgresql`).
    - PostgreSQL as its own transaction: `_book_postgresql_at_once`, called by
      booking_create before this, sends BEGIN, the lock, the writes and COMMIT in one
      round trip; this function is its fallback.

    The guarantees are those of the ORM version: capacity, status and the booking window
    are decided on values read under the lock; the duplicate check IS the partial unique
    index (INSERT … ON CONFLICT DO NOTHING on the index's own condition: no row back means
    the person already holds an active booking, and nothing else is kept); the waiting
    list's order and the positions are counted under the lock; all of it commits together
    or not at all. Rows are built as model instances and written with the values `save()`
    would write (`_insert_sql`), so defaults stay the models'. No model signals are sent
    for these rows (none are connected); `booking_changed` is sent on commit as for every
    booking change.
    """
    db = transaction.get_connection()  # the connection itself, not the per-thread proxy
    write = _book_postgresql if db.vendor == "postgresql" else _book_sqlite
    return _booked(db, write(db, session, person, actor, cleaned, now, by_trainer), session, actor)


def _booked(db, booking: Booking, session: Session, actor) -> Booking:
    change = str(booking.status)
    if change == Booking.Status.CONFIRMED:
        session.places_taken += 1
    booking._state.adding = False
    booking._state.db = db.alias
    _on_commit_send(booking_changed, booking=booking, change=change, actor=actor, late=False)
    return booking


def _new_booking(session, person, actor, cleaned, now, by_trainer, pk=None) -> Booking:
    """The booking to write, decided on the session's fields as they are in `session`:
    a place, else the waiting list; raises BookingRefused when it cannot be booked."""
    reason = booking_refusal(session, now=now, by_trainer=by_trainer)
    if reason:
        raise BookingRefused(reason)
    booking = Booking(pk=pk, session=session, person=person, answers=cleaned, booked_by=actor)
    if session.places_taken < session.capacity:
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
    elif session.course.waiting_list_enabled:
        booking.status = Booking.Status.WAITING
    else:
        raise BookingRefused("This session is full and has no waiting list.", code="full")
    return booking


def _book_sqlite(db, session, person, actor, cleaned, now, by_trainer) -> Booking:
    """One short statement each: SQLite is in the process, so a statement costs little."""
    with db.cursor() as cursor:
        cursor.execute(_LOCK_FOR_BOOKING, [session.pk])
        _refresh_for_booking(session, cursor.fetchone())
        booking = _new_booking(session, person, actor, cleaned, now, by_trainer)
        if booking.status == Booking.Status.WAITING:
            cursor.execute(_WAITING_LIST_END, [session.pk])
            last, ahead = cursor.fetchone()
            last = _db_datetime(last)
            # `now` was read before the lock was granted, and app servers' clocks differ,
            # so it can be earlier than the time of someone who joined before. Never going
            # below the last one keeps the list in the order people joined.
            booking.waiting_since = max(now, last + timedelta(microseconds=1)) if last else now
            booking.position_when_joined = ahead + 1
        cursor.execute(*_insert_sql(db, [booking], suffix=_ONE_ACTIVE_OR_NOTHING))
        got = cursor.fetchone()
        if got is None:
            raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
        booking.pk = got[0]
        if booking.status == Booking.Status.CONFIRMED:
            cursor.execute(_TAKE_PLACE, [session.pk])
        for rows in _book_rows(booking, session, actor, now):
            cursor.execute(*_insert_sql(db, rows))
    return booking


def _book_postgresql(db, session, person, actor, cleaned, now, by_trainer) -> Booking:
    """Inside a transaction: the lock, then the writes as one statement."""
    with db.cursor() as cursor:
        cursor.execute(_LOCK_FOR_BOOKING_PG_WITH_ID, [session.pk])
        row = cursor.fetchone()
        _refresh_for_booking(session, row)
        booking = _new_booking(session, person, actor, cleaned, now, by_trainer, pk=row[-1])
        cursor.execute(*_book_write_postgresql(db, booking, session, actor, now, None))
        if not _booking_written(booking, cursor.fetchone()):
            raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
    return booking


def _book_postgresql_at_once(db, session, person, actor, cleaned, now, by_trainer, pk=None):
    """A booking that is its own transaction, in one round trip with the lock held only
    for the server's own work: "BEGIN; lock; write; COMMIT" sent as one query while the
    connection is in autocommit mode (outside any atomic block). None when it could not be
    done this way; booking_create then books through `_book`, in a transaction.

    The new booking's id is drawn first (unless the caller drew it: `pk`), and the booking
    and its rows are built from the session as the caller read it (normally a moment
    before). The write runs only if the session's fields, read again under the lock, still
    lead to the same decision (`_GUARD`: same status, start, booking window, waiting-list
    setting and reminder time, and a place free or not as before). Each statement reads
    the latest committed rows (READ COMMITTED takes a new snapshot per statement, and the
    write's is taken after the lock was granted), so the waiting list's end is read in the
    write. When the guard fails nothing is written and the transaction commits empty,
    releasing the lock."""
    before = _booking_state(session)
    try:
        booking = _new_booking(session, person, actor, cleaned, now, by_trainer)
    except BookingRefused:
        return None  # decided again under the lock, where it counts
    with db.cursor() as cursor:
        if pk is None:
            cursor.execute(f"SELECT {DRAW_BOOKING_ID}")
            pk = cursor.fetchone()[0]
        booking.pk = pk
        guard = (_GUARD, [session.pk, *before])
        sql, params = _book_write_postgresql(db, booking, session, actor, now, guard)
        # Both prepared (once per connection): planning them cost the server more than
        # running them.
        lock, write = prepared(db, _LOCK_FOR_BOOKING_PG), prepared(db, sql)
        try:
            # Written out here: psycopg would search this long statement for its
            # placeholders on every call.
            query = f"BEGIN; {lock}; {write}; COMMIT"
            cursor.execute(bound(db, query, [session.pk, *params]))
        except BaseException:
            # The server skipped the COMMIT after the error: end the transaction here.
            if db.connection.info.transaction_status.name != "IDLE":
                db.connection.rollback()
            raise
        cursor.nextset()  # past BEGIN's answer
        fresh = cursor.fetchone()
        cursor.nextset()
        written = _booking_written(booking, cursor.fetchone())
    _refresh_for_booking(session, fresh)  # as under the lock; _booked counts this booking
    if written:
        return booking
    if _booking_state(session) == before:
        raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
    return None


def _booking_state(session: Session) -> list:
    """What a booking's decision and rows depend on, in _GUARD's order."""
    course = session.course
    return [
        session.status,
        session.starts_at,
        session.places_taken < session.capacity,
        course.status,
        course.waiting_list_enabled,
        course.booking_opens_days,
        course.booking_closes_hours,
        course.reminder_hours,
    ]


def _booking_written(booking: Booking, got) -> bool:
    if got is None:
        return False
    booking.waiting_since, ahead = got[1], got[2]
    if booking.status == Booking.Status.WAITING:
        booking.position_when_joined = ahead + 1
    return True


def _book_write_postgresql(db, booking, session, actor, now, guard) -> tuple[str, list]:
    """A new booking's writes as ONE statement (data-modifying WITH): the booking (only
    when `guard`, an SQL condition and its parameters, holds), its place or its queue time
    after the last one's, its audit entry and its messages. Every part reads the same
    snapshot and none sees the others' rows. Answers the booking's id, queue time and the
    waiting list's length before it joined; no row when nothing was written."""
    exprs, welcome = {}, {}
    if booking.status == Booking.Status.WAITING:
        booking.waiting_since = now
        exprs["waiting_since"] = (_QUEUE_TIME, [now, session.pk])
        welcome["context"] = (_QUEUE_POSITION_CONTEXT, [session.pk])
    where, params = guard or ("TRUE", [])
    returning = _ONE_ACTIVE_OR_NOTHING + ", waiting_since"  # RETURNING id, waiting_since
    sql, more = _insert_sql(db, [booking], exprs=exprs, select=f"WHERE {where}")
    parts = [f"b AS ({sql} {returning})"]
    params = [*more, *params]
    if booking.status == Booking.Status.CONFIRMED:
        parts.append(f"u AS ({_TAKE_PLACE_IF_BOOKED})")
        params.append(session.pk)
    audit, outbox = _book_rows(booking, session, actor, now)
    for n, (rows, row_exprs) in enumerate([(audit, {}), (outbox, welcome)]):
        sql, more = _insert_sql(db, rows, exprs=row_exprs, select="FROM b")
        parts.append(f"r{n} AS ({sql})")
        params.extend(more)
    # The parts are this module's constants and _insert_sql's (names from the models).
    sql = f"WITH {', '.join(parts)} SELECT id, waiting_since, {_QUEUE_LENGTH} FROM b"  # noqa: S608
    return sql, [*params, session.pk]


# The fields of a session and its course that booking depends on, read under the lock.
_BOOKING_FIELDS = """
    SELECT s.status, s.starts_at, s.capacity, s.places_taken, c.status,
           c.waiting_list_enabled, c.booking_opens_days, c.booking_closes_hours,
           c.reminder_hours
    FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s
"""
_LOCK_FOR_BOOKING = _BOOKING_FIELDS
_LOCK_FOR_BOOKING_PG = _BOOKING_FIELDS + " FOR UPDATE OF s"
# A new booking's id, drawn before the lock (PostgreSQL); an id drawn and not used (a
# refusal) is only a gap in the ids.
DRAW_BOOKING_ID = "nextval(pg_get_serial_sequence('training_booking', 'id'))"
_LOCK_FOR_BOOKING_PG_WITH_ID = f"""
    SELECT s.status, s.starts_at, s.capacity, s.places_taken, c.status,
           c.waiting_list_enabled, c.booking_opens_days, c.booking_closes_hours,
           c.reminder_hours, {DRAW_BOOKING_ID}
    FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s
    FOR UPDATE OF s
"""  # noqa: S608 (constants only)
# The session's fields still as the booking was decided on (_booking_state's order).
_GUARD = """EXISTS (
    SELECT 1 FROM training_session s JOIN training_course c ON c.id = s.course_id
    WHERE s.id = %s AND s.status = %s AND s.starts_at = %s
      AND (s.places_taken < s.capacity) = %s AND c.status = %s
      AND c.waiting_list_enabled = %s AND c.booking_opens_days = %s
      AND c.booking_closes_hours = %s AND c.reminder_hours = %s)"""
_WAITING_LIST_END = """
    SELECT MAX(waiting_since), COUNT(*) FROM training_booking
    WHERE session_id = %s AND status = 'waiting'
"""
# The same, as parts of the PostgreSQL statement: the queue time (GREATEST skips the NULL
# of an empty list), the position in the welcome's context, and the length before joining.
_QUEUE_TIME = """GREATEST(%s::timestamptz, (
    SELECT MAX(waiting_since) + interval '1 microsecond' FROM training_booking
    WHERE session_id = %s AND status = 'waiting'))"""
_QUEUE_POSITION_CONTEXT = """jsonb_build_object('position', (
    SELECT COUNT(*) + 1 FROM training_booking WHERE session_id = %s AND status = 'waiting'))"""
_QUEUE_LENGTH = """(
    SELECT COUNT(*) FROM training_booking WHERE session_id = %s AND status = 'waiting')"""
# The partial unique index booking_one_active_per_person, named by its columns and its
# condition, so that a second active booking of the same person is skipped, not an error.
_ONE_ACTIVE_OR_NOTHING = """
    ON CONFLICT (session_id, person_id) WHERE status IN ('confirmed', 'waiting', 'offered')
    DO NOTHING RETURNING id
"""
_TAKE_PLACE = "UPDATE training_session SET places_taken = places_taken + 1 WHERE id = %s"
# In the same statement as the booking's INSERT (named b): only when it wrote a row.
_TAKE_PLACE_IF_BOOKED = """
    UPDATE training_session SET places_taken = places_taken + 1
    WHERE id = %s AND EXISTS (SELECT 1 FROM b)
"""


def _refresh_for_booking(session: Session, row) -> None:
    if row is None:
        raise Session.DoesNotExist("No such session")
    course = session.course
    (
        session.status,
        starts_at,
        session.capacity,
        session.places_taken,
        course.status,
        waiting_list_enabled,
        course.booking_opens_days,
        course.booking_closes_hours,
        course.reminder_hours,
    ) = row[:9]
    session.starts_at = _db_datetime(starts_at)
    course.waiting_list_enabled = bool(waiting_list_enabled)


def _db_datetime(value):
    """A datetime from a plain SQL result: SQLite gives text or naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def db_value(value):
    """A value from a plain SQL result, as the ORM would give it: SQLite answers datetime
    columns as naive UTC; everything else passes unchanged."""
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _book_rows(booking, session, actor, now) -> list[list]:
    """What a new booking writes besides itself, as unsaved rows, one list per table."""
    audit = AuditEntry(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=f"booking_{booking.status}",
        content_type=ContentType.objects.get_for_model(Booking),
        object_id=booking.pk,
        data={},
        at=now,
    )
    return [[audit], messages.on_booked(booking, session, now=now)]


_insert_shapes: dict = {}


def _insert_shape(db, model, with_pk: bool) -> tuple[list, str, list[str]]:
    """A model's fields for an INSERT, their quoted columns and their casts (worked out
    once per model and database: it is the same for every booking)."""
    key = (model, db.vendor, with_pk)
    if key not in _insert_shapes:
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
        casts = [f"CAST(%s AS {f.cast_db_type(db)})" for f in fields]
        _insert_shapes[key] = (fields, columns, casts)
    return _insert_shapes[key]


def _insert_sql(
    db, objs: list, *, suffix: str = "", exprs: dict | None = None, select: str | None = None
) -> tuple[str, list]:
    """One INSERT of new instances of one model, with the values `save()` would write
    (defaults, `auto_now`, JSON and time zones as the ORM prepares them). The id is written
    only when already set. `exprs` replaces a field's value with an SQL expression and its
    parameters. With `select` (PostgreSQL: "FROM b", "WHERE …"), each row is a SELECT of
    its values, typed by casts, followed by `select`, so that rows are written only when
    it gives a row."""
    meta = objs[0]._meta
    fields, columns, casts = _insert_shape(db, type(objs[0]), objs[0].pk is not None)
    exprs = exprs or {}
    rows, params = [], []
    for obj in objs:
        values = []
        for f, cast in zip(fields, casts, strict=True):
            if f.attname in exprs:
                sql, more = exprs[f.attname]
                values.append(sql)
                params.extend(more)
                continue
            values.append(cast if select else "%s")
            params.append(f.get_db_prep_save(f.pre_save(obj, True), db))
        rows.append(", ".join(values))
    if select:
        body = " UNION ALL ".join(f"SELECT {row} {select}" for row in rows)
    else:
        body = "VALUES " + ", ".join(f"({row})" for row in rows)
    # Table and column names come from the model.
    sql = f"INSERT INTO {meta.db_table} ({columns}) {body}"
    return sql + suffix, params


def booking_add_person(
    *, session: Session, email: str, name: str = "", actor: User, answers: dict | None = None
) -> Booking:
    """A trainer adds someone by e-mail, creating the person if they are new. All or nothing."""
    from guildbook.accounts.services import user_get_or_create

    with transaction.atomic():
        person, _created = user_get_or_create(email=email, name=name, actor=actor)
        return booking_create(session=session, person=person, actor=actor, answers=answers)


def _end_of_waiting_list(session: Session, now: datetime) -> tuple[datetime, int]:
    """The queue time for someone joining the waiting list now, and how many are already
    waiting. Session must be locked.

    `now` was read before the lock was granted, and app servers' clocks differ, so it can be
    earlier than the time of someone who joined before. Never going below the last one
    keeps the list in the order people joined (ties, if any, go by id).
    """
    queue = session.bookings.filter(status=Booking.Status.WAITING).aggregate(
        last=Max("waiting_since"), n=Count("id")
    )
    last = queue["last"]
    return (max(now, last + timedelta(microseconds=1)) if last else now), queue["n"]


def _take_place(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(places_taken=F("places_taken") + 1)
    session.places_taken += 1


def _free_place(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(places_taken=F("places_taken") - 1)
    session.places_taken -= 1


def _promote(session: Session, actor: User | None, now: datetime) -> list[Booking]:
    """Give free places to the head of the waiting list, in order. Session must be locked.
    In offer mode the places are offered instead (`_offer`)."""
    free = session.capacity - session.places_taken
    if free <= 0 or session.is_cancelled or session.starts_at <= now:
        return []
    if session.course.waiting_list_mode == Course.WaitingListMode.OFFER:
        return _offer(session, free, actor, now)
    heads = list(
        session.bookings.filter(status=Booking.Status.WAITING).order_by("waiting_since", "id")[
            :free
        ]
    )
    for booking in heads:
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
        _take_place(session)
        audit_record(actor=actor, action="booking_promoted", subject=booking, at=now)
        messages.on_promoted(booking, session, now=now)
        _on_commit_send(
            booking_changed, booking=booking, change="promoted", actor=actor, late=False
        )
    return heads


def _offer(session: Session, free: int, actor: User | None, now: datetime) -> list[Booking]:
    """Offer mode: hold each free place for the next person waiting, until a time that
    shrinks as the session nears (offers.py). In the last 24 hours the places stay free and
    everyone waiting is told; the first to claim one gets it. Session must be locked."""
    waiting = session.bookings.filter(status=Booking.Status.WAITING).order_by("waiting_since", "id")
    expires = offers.offer_expires_at(session.starts_at, now)
    if expires is None:
        people = list(waiting.select_related("person"))
        if people:
            messages.on_open_offer(session, people, now=now)
            audit_record(
                actor=actor, action="places_open_to_claim", subject=session, at=now, free=free
            )
        return []
    heads = list(waiting[:free])
    for booking in heads:
        booking.status = Booking.Status.OFFERED
        booking.offer_expires_at = expires
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        _take_place(session)  # the offer holds the place
        audit_record(
            actor=actor,
            action="booking_offered",
            subject=booking,
            at=now,
            expires=expires.isoformat(),
        )
        messages.on_offered(booking, session, now=now)
        _on_commit_send(booking_changed, booking=booking, change="offered", actor=actor, late=False)
    return heads


def _end(
    booking: Booking,
    session: Session,
    ending: str,
    actor: User | None,
    now: datetime,
    *,
    promote: bool = True,
) -> Booking:
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    held = booking.status in Booking.HOLDING  # a confirmed or an offered place
    booking.late_cancellation = bool(
        was_confirmed
        and ending == Booking.Ending.CANCELLED
        and now >= session.late_cancellation_from()
    )
    booking.status = Booking.Status.CANCELLED
    booking.ended_at = now
    booking.ending = ending
    booking.save(update_fields=["status", "ended_at", "ending", "late_cancellation", "updated_at"])
    if held:
        _free_place(session)
    audit_record(
        actor=actor,
        action=f"booking_{ending}",
        subject=booking,
        at=now,
        late=booking.late_cancellation,
    )
    messages.on_ended(booking, session, now=now)
    change = "session_cancelled" if ending == Booking.Ending.SESSION_CANCELLED else ending
    if ending != Booking.Ending.MOVED:
        _on_commit_send(
            booking_changed,
            booking=booking,
            change=change,
            actor=actor,
            late=booking.late_cancellation,
        )
    # Who the freed place went to (promoted or offered), for pages that say what happened.
    booking.passed_on = _promote(session, actor, now) if held and promote else []
    return booking


def booking_cancel(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """Cancel a place or leave the waiting list. A freed place goes at once, in this
    transaction, to the head of the waiting list. Inside the course's late-cancellation
    window the booking is recorded as a late cancellation."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(booking.session_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not booking.is_active:
            raise ServiceError("This booking has already been cancelled.", code="not_active")
        if session.ends_at <= now:
            raise ServiceError("This session is over, so the booking can no longer change.")
        ending = {
            Booking.Status.WAITING: Booking.Ending.LEFT_WAITING_LIST,
            Booking.Status.OFFERED: Booking.Ending.DECLINED_OFFER,
        }.get(booking.status, Booking.Ending.CANCELLED)
        return _end(booking, session, ending, actor, now)


def booking_confirm_coming(
    *, booking: Booking, actor: User | None, now: datetime | None = None
) -> Booking:
    """Record that the person is still coming (their answer to the reminder). Changes
    nothing else; answering twice keeps the first time."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=booking.pk)
        )
        if booking.status != Booking.Status.CONFIRMED:
            raise ServiceError("This booking no longer has a place.", code="not_active")
        if booking.session.is_cancelled:
            raise ServiceError("This session has been cancelled.", code="not_active")
        if booking.session.ends_at <= now:
            raise ServiceError("This session is over.", code="not_active")
        if booking.still_coming_at is None:
            booking.still_coming_at = now
            booking.save(update_fields=["still_coming_at", "updated_at"])
            audit_record(actor=actor, action="booking_still_coming", subject=booking, at=now)
    return booking


def booking_remove(
    *,
    booking: Booking,
    actor: User,
    reason: str = "",
    tell: bool = True,
    give_to: Booking | None = None,
) -> Booking:
    """A trainer takes someone off a session (a place or the waiting list), with a reason
    for the e-mail that tells them, or without telling them. The e-mail waits out the undo
    window (removal.py). `give_to`, someone on the waiting list, gets the freed place instead
    of the head of the list, recorded as the trainer's choice."""
    now = timezone.now()
    with transaction.atomic():
        session = _lock_session(booking.session_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not booking.is_active:
            raise ServiceError("This booking is no longer active.", code="not_active")
        chosen = None
        if give_to is not None:
            chosen = (
                Booking.objects.select_for_update()
                .filter(pk=give_to.pk, session_id=session.pk, status=Booking.Status.WAITING)
                .first()
            )
            if chosen is None or booking.status != Booking.Status.CONFIRMED:
                raise ServiceError(
                    "Only a place can be given, to someone on this session's waiting list.",
                    field="give_to",
                )
        booking = _end(booking, session, Booking.Ending.REMOVED, actor, now, promote=not chosen)
        if chosen is not None:
            chosen.status = Booking.Status.CONFIRMED
            chosen.confirmed_at = now
            chosen.save(update_fields=["status", "confirmed_at", "updated_at"])
            _take_place(session)
            audit_record(
                actor=actor,
                action="booking_given_place",
                subject=chosen,
                at=now,
                instead_of=booking.pk,
            )
            messages.on_promoted(chosen, session, now=now)
            _on_commit_send(
                booking_changed, booking=chosen, change="promoted", actor=actor, late=False
            )
            booking.passed_on = [chosen]
        removal.after_remove(booking, reason=reason.strip(), tell=tell, now=now)
        return booking


def _move(
    booking: Booking, source: Session, target: Session, actor, now, *, notify: bool = True
) -> Booking:
    if Booking.objects.filter(
        session=target, person_id=booking.person_id, status__in=Booking.ACTIVE
    ).exists():
        # Already booked on the target: just end this one.
        _end(booking, source, Booking.Ending.MOVED, actor, now, promote=False)
        return booking
    _end(booking, source, Booking.Ending.MOVED, actor, now, promote=False)
    if target.places_taken < target.capacity:
        new = Booking.objects.create(
            session=target,
            person_id=booking.person_id,
            status=Booking.Status.CONFIRMED,
            confirmed_at=now,
            answers=booking.answers,
            booked_by=actor,
        )
        _take_place(target)
    else:
        # Join the end of the target's waiting list, keeping the moved people's own order.
        new = Booking.objects.create(
            session=target,
            person_id=booking.person_id,
            status=Booking.Status.WAITING,
            waiting_since=_end_of_waiting_list(target, now)[0],
            answers=booking.answers,
            booked_by=actor,
        )
    booking.moved_to = new
    booking.save(update_fields=["moved_to"])
    messages.on_moved(booking, new, now=now, notify=notify)
    audit_record(actor=actor, action="booking_moved_in", subject=new, at=now, source=booking.pk)
    _on_commit_send(booking_changed, booking=new, change="moved", actor=actor, late=False)
    return new


def booking_move(*, booking: Booking, to_session: Session, actor: User) -> Booking:
    """Move a booking to another session of the same course. Returns the new booking.
    The freed place on the old session goes to its waiting list."""
    now = timezone.now()
    if to_session.pk == booking.session_id:
        raise ServiceError("Choose a different session.", field="to_session")
    with transaction.atomic():
        locked = _lock_sessions([booking.session_id, to_session.pk])
        source, target = locked[booking.session_id], locked[to_session.pk]
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not booking.is_active:
            raise ServiceError("This booking is no longer active.", code="not_active")
        if target.course_id != source.course_id:
            raise ServiceError("Move to a session of the same course.", field="to_session")
        if target.is_cancelled or target.starts_at <= now:
            raise ServiceError("Move to a future, scheduled session.", field="to_session")
        if Booking.objects.filter(
            session=target, person_id=booking.person_id, status__in=Booking.ACTIVE
        ).exists():
            raise AlreadyBooked(_already_booked_message(target.pk, booking.person))
        held = booking.status in Booking.HOLDING
        new = _move(booking, source, target, actor, now)
        if held:
            _promote(source, actor, now)
        return new


# --- Offers (offer mode) -----------------------------------------------------------------


def _lock_offer(booking: Booking) -> tuple[Session, Booking]:
    session = _lock_session(booking.session_id)
    return session, Booking.objects.select_for_update().select_related("person").get(pk=booking.pk)


def offer_claim(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """Take the place offered: an offer held for this person, or (in the last 24 hours) a
    free place everyone waiting was told about, which goes to the first to claim it. Raises
    OfferGone when there is no place to claim any more; the person keeps their turn."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status == Booking.Status.CONFIRMED:
            raise ServiceError(
                "You already have a place on this session.", code="already_confirmed"
            )
        if session.is_cancelled:
            raise OfferGone("This session has been cancelled.")
        if session.starts_at <= now:
            raise OfferGone(
                "This session has already started, so the place can no longer be claimed."
            )
        if booking.status == Booking.Status.OFFERED:
            if booking.offer_expires_at <= now:
                raise OfferGone(
                    "Sorry, this offer ran out on "
                    f"{format_date(booking.offer_expires_at)} at "
                    f"{format_time(booking.offer_expires_at)}, so the place has gone to the "
                    "next person waiting."
                )
        elif booking.status == Booking.Status.WAITING and offers.is_open_claim(
            session.starts_at, now
        ):
            if session.places_taken >= session.capacity:
                raise OfferGone(
                    "Sorry, the place has gone: someone else claimed it first. You are still "
                    f"on the waiting list, number {waiting_position(booking)}."
                )
            _take_place(session)
        else:
            raise OfferGone("There is no place on offer to you on this session now.")
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
        audit_record(actor=actor, action="booking_offer_claimed", subject=booking, at=now)
        messages.on_promoted(booking, session, now=now)
        _on_commit_send(
            booking_changed, booking=booking, change="promoted", actor=actor, late=False
        )
    return booking


def offer_decline(*, booking: Booking, actor: User | None, now: datetime | None = None) -> Booking:
    """ "No thanks": the person leaves the waiting list and the place is offered to the next."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status != Booking.Status.OFFERED:
            raise OfferGone("There is no place on offer to you on this session now.")
        return _end(booking, session, Booking.Ending.DECLINED_OFFER, actor, now)


def offer_expire(*, booking: Booking, now: datetime | None = None) -> Booking | None:
    """An offer not claimed in time: it ends ("offer_expired", the person is told) and the
    place passes down the list. Does nothing (None) unless the booking is still offered and
    its time is up, so running it twice, or after a claim, is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        session, booking = _lock_offer(booking)
        if booking.status != Booking.Status.OFFERED or booking.offer_expires_at > now:
            return None
        return _end(booking, session, Booking.Ending.OFFER_EXPIRED, None, now)


def expire_offers(*, now: datetime | None = None) -> int:
    """Expire every offer whose time is up, oldest first; each in its own transaction under
    its session's lock. The worker runs this before each batch. Returns how many expired."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now).order_by(
        "offer_expires_at", "id"
    )
    return sum(1 for booking in list(due) if offer_expire(booking=booking, now=now) is not None)


# --- Attendance -----------------------------------------------------------------------


def attendance_record(
    *, booking: Booking, attended: bool, actor: User | None, arrived_late: bool = False
) -> Booking:
    """Mark a person with a place as attended (optionally late) or a no-show.

    Can be changed later (a late arrival marked absent by mistake); each change is audited.
    """
    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("session").get(pk=booking.pk)
        if booking.status != Booking.Status.CONFIRMED:
            raise ServiceError(
                "Only people with a place can be marked on the register.", field="attended"
            )
        if booking.session.starts_at > now:
            # Open the register early to see who is coming, but a mark counts at once (in
            # the training record, the follow-up survey), so none before the start.
            starts = booking.session.starts_at
            raise ServiceError(
                f"Attendance can be marked once the session starts, at {format_time(starts)} "
                f"on {format_date(starts)}.",
                field="attended",
            )
        booking.attendance = Booking.Attendance.ATTENDED if attended else Booking.Attendance.NO_SHOW
        booking.arrived_late = bool(attended and arrived_late)
        booking.attendance_recorded_at = now
        booking.save(
            update_fields=["attendance", "arrived_late", "attendance_recorded_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="attendance_recorded",
            subject=booking,
            attendance=booking.attendance,
            late=booking.arrived_late,
        )
        attendance_marked.send(sender=Booking, booking=booking, now=now)
        transaction.on_commit(
            lambda: attendance_recorded.send(sender=Booking, booking=booking, actor=actor)
        )
    return booking


def attendance_mark_all(*, session: Session, attended: bool = True, actor: User | None) -> int:
    """Mark everyone with a place who is not yet marked. Returns how many were marked."""
    with transaction.atomic():
        pending = list(
            session.bookings.filter(status=Booking.Status.CONFIRMED, attendance="").order_by("id")
        )
        for booking in pending:
            attendance_record(booking=booking, attended=attended, actor=actor)
    return len(pending)
