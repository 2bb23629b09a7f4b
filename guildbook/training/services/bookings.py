"""Bookings: booking a place or joining the waiting list, cancelling, moving, removing.

Booking changes for a session take the session's row lock first (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), then re-read what
they depend on. That is what makes the capacity and first-come-first-served guarantees hold
under concurrent requests; the database constraints in models.py are the backstop.

Signals for other apps are sent on commit (see signals.py). E-mails are outbox rows queued
by messages.py inside the same transaction as the change, never from a signal handler.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core import limits
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.core.fast_paths import fast_paths_on
from guildbook.core.models import AuditEntry
from guildbook.training import messages, removal, sql
from guildbook.training.models import (
    Booking,
    BookingQuestion,
    Course,
    Session,
)
from guildbook.training.selectors.bookings import booking_refusal, waiting_position
from guildbook.training.services.places import (
    _end,
    _end_of_waiting_list,
    _lock_session,
    _lock_sessions,
    _on_commit_send,
    _promote,
    _take_place,
)
from guildbook.training.signals import (
    booking_changed,
)


class BookingRefused(ServiceError):
    """Booking is not possible now (not open yet, closed, past, cancelled, full)."""

    status = 422
    code = "booking_not_open"


class AlreadyBooked(Conflict):
    code = "already_booked"


def booking_answers_clean(course: Course, answers: dict | None) -> dict:
    """Check answers to the course's booking questions; keys are question ids as strings.

    A caller that counted the course's questions in its own read of the course (as
    `booking_question_count`, as the booking API does) saves the look-up when there are
    none."""
    if getattr(course, "booking_question_count", None) == 0:
        return {}
    answers = {str(k): v for k, v in (answers or {}).items()}
    cleaned = {}
    if fast_paths_on():
        questions = sql.booking_questions(course.pk)
    else:
        questions = BookingQuestion.objects.filter(course_id=course.pk).order_by("order", "id")
    for q in questions:
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
            answer = limits.check_text(
                str(value), field=f"q{q.pk}", limit=2000, what=f"The answer to “{q.text}”"
            )
            cleaned[str(q.pk)] = {"question": q.text, "answer": answer}
    return cleaned


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

    `booking_id`, on PostgreSQL only: an id drawn from the bookings' sequence for this call
    alone, in a statement sent anyway, which saves booking a round trip; an id left unused
    is only a gap in the ids. A session read by selectors.session_to_book carries one
    (`drawn_booking_id`), used here once.

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
    if booking_id is None:
        booking_id = session.__dict__.pop("drawn_booking_id", None)
    db = transaction.get_connection()
    try:
        if not fast_paths_on():
            with transaction.atomic():
                return _book_orm(session, person, actor, cleaned, now, by_trainer)
        if db.vendor == "postgresql" and not db.in_atomic_block:
            booking = _book_at_once(
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

    Booking is the hottest write there is: when a course is announced, everyone books the
    same session at once and every booking queues for that session's lock, so the time
    from the lock to the commit bounds how many bookings a second the whole service takes
    (see docs/subsystems/bookings.md, "Speed"):

    - SQLite (`sql.book_sqlite`): the IMMEDIATE transaction already holds the database's
      write lock; the session's fields are read again, then a few short statements write.
    - PostgreSQL inside a caller's transaction (`sql.book_postgresql`): the lock (SELECT …
      FOR UPDATE OF the session, drawing the new booking's id), then every write in ONE
      data-modifying WITH statement (`sql.book_write_postgresql`).
    - PostgreSQL as its own transaction: `_book_at_once` (`sql.book_postgresql_at_once`),
      called by booking_create before this, sends BEGIN, the lock, the writes and COMMIT
      in one round trip; this function is its fallback.

    The meaning is `_book_orm`'s, and the tests run both: capacity, status and the booking
    window are decided on values read under the lock; the duplicate check IS the partial
    unique index (INSERT … ON CONFLICT DO NOTHING on the index's own condition: no row back
    means the person already holds an active booking); the waiting list's order and the
    positions are counted under the lock; all of it commits together or not at all. Rows
    are built as model instances and written with the values `save()` would write
    (`sql.insert_sql`), so defaults stay the models'. `booking_changed` is sent on commit
    as for every booking change.
    """
    db = transaction.get_connection()  # the connection itself, not the per-thread proxy
    decide = lambda pk=None: _new_booking(  # noqa: E731
        session, person, actor, cleaned, now, by_trainer, pk=pk
    )
    rows = lambda booking: _book_rows(booking, session, actor, now)  # noqa: E731
    if db.vendor == "postgresql":
        booking = sql.book_postgresql(db, session, person, decide=decide, rows=rows, now=now)
    else:
        queue_end = lambda: _end_of_waiting_list(session, now)  # noqa: E731
        booking = sql.book_sqlite(
            db, session, person, decide=decide, rows=rows, queue_end=queue_end
        )
    if booking is None:
        raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
    return _booked(db, booking, session, actor)


# What booking reads of the person (sql.PERSON_FOR_BOOKING), and of a session and its course
# under the lock (sql.BOOKING_FIELDS).
_PERSON_READ = ("is_active", "awaiting_first_sign_in")
_SESSION_READ = ("status", "starts_at", "capacity", "places_taken")
_COURSE_READ = (
    "status",
    "waiting_list_enabled",
    "booking_opens_days",
    "booking_closes_hours",
    "reminder_hours",
)


def _book_orm(session, person, actor, cleaned, now, by_trainer) -> Booking:
    """The ORM twin of `_book` (`GUILDBOOK_FAST_PATHS` false): the reference for what the
    hand-written SQL means. Must run inside a transaction."""
    # The person first, then the session: the order deactivation takes them in.
    mine = User.objects.select_for_update(no_key=True).only(*_PERSON_READ).get(pk=person.pk)
    for name in _PERSON_READ:
        setattr(person, name, getattr(mine, name))
    locked = _lock_session(session.pk)
    for name in _SESSION_READ:
        setattr(session, name, getattr(locked, name))
    for name in _COURSE_READ:
        setattr(session.course, name, getattr(locked.course, name))
    booking = _new_booking(session, person, actor, cleaned, now, by_trainer)
    if Booking.objects.filter(
        session_id=session.pk, person=person, status__in=Booking.ACTIVE
    ).exists():
        raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
    if booking.status == Booking.Status.WAITING:
        booking.waiting_since, ahead = _end_of_waiting_list(session, now)
        booking.position_when_joined = ahead + 1
    booking.save(force_insert=True)
    if booking.status == Booking.Status.CONFIRMED:
        Session.objects.filter(pk=session.pk).update(places_taken=F("places_taken") + 1)
    for table_rows in _book_rows(booking, session, actor, now):
        for row in table_rows:
            row.save(force_insert=True)
    return _booked(transaction.get_connection(), booking, session, actor)


def _book_at_once(db, session, person, actor, cleaned, now, by_trainer, pk=None):
    """On PostgreSQL outside a transaction: decide on the session as the caller read it,
    then lock, check and write in one round trip (`sql.book_postgresql_at_once`). None when
    it could not be done this way; booking_create then books through `_book`, in a
    transaction."""
    try:
        booking = _new_booking(session, person, actor, cleaned, now, by_trainer)
    except BookingRefused:
        return None  # decided again under the lock, where it counts
    outcome = sql.book_postgresql_at_once(
        db,
        session,
        booking,
        person,
        rows=lambda booking: _book_rows(booking, session, actor, now),
        now=now,
        pk=pk,
    )
    if outcome == "written":
        return booking
    if outcome == "already_booked":
        raise AlreadyBooked(_already_booked_message(session.pk, person, actor))
    return None


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
    a place, else the waiting list; raises BookingRefused when it cannot be booked (the
    person's account closed included: a deactivated person holds nothing to come)."""
    if not sql.account_open(person):
        raise BookingRefused(
            f"{person.display_name}'s account is closed, so they cannot be booked.",
            code="account_closed",
        )
    reason = booking_refusal(session, now=now, by_trainer=by_trainer, person=person)
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


def booking_add_person(
    *, session: Session, email: str, name: str = "", actor: User, answers: dict | None = None
) -> Booking:
    """A trainer adds someone by e-mail, creating the person if they are new. All or nothing."""
    from guildbook.accounts.services import user_get_or_create

    with transaction.atomic():
        person, _created = user_get_or_create(email=email, name=name, actor=actor)
        return booking_create(session=session, person=person, actor=actor, answers=answers)


def booking_cancel(
    *,
    booking: Booking,
    actor: User | None,
    now: datetime | None = None,
    account_closed: bool = False,
) -> Booking:
    """Cancel a place or leave the waiting list. A freed place goes at once, in this
    transaction, to the head of the waiting list. Inside the course's late-cancellation
    window the booking is recorded as a late cancellation, unless `account_closed`: the
    person's account is being closed (deactivated or erased), which is not their choice of
    moment, so it is never held against them; the audit entry gives that reason."""
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
        if account_closed:
            return _end(booking, session, ending, actor, now, reason="account_closed")
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
