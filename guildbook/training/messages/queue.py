"""Queuing training's e-mails: the functions services call inside their transaction.

Every message is an outbox row written by a service INSIDE the transaction of the change
that makes it due, so a booking that rolls back leaves no e-mail behind and a cancelled
booking's reminder is voided in the cancelling transaction.

Dedupe keys are "<kind>:<booking>" with the booking's calendar sequence where a kind may
rightly be sent again for the same booking (a second reschedule, a reminder after a move).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import (
    outbox_pending_recipients,
    outbox_reschedule,
    outbox_row,
    outbox_schedule,
    outbox_void,
)
from guildbook.training import calendar
from guildbook.training.messages.kinds import (
    BOOKING_MOVED,
    CANCELLED,
    CONFIRMED,
    LATE_RELEASE,
    OFFER_DECLINED,
    OFFER_LAPSED,
    OFFERED,
    OPEN_OFFER,
    PLACE_CHANGED,
    PROMOTED,
    REMINDER,
    RESCHEDULED,
    ROSTER,
    SESSION_CANCELLED,
    WAITING_JOINED,
    WAITING_LEFT,
    session_trainers,
)
from guildbook.training.models import Booking, Session
from guildbook.training.reminders import reminder_time

ROSTER_HOURS_BEFORE = 24


def _key(kind: str, obj, *parts) -> str:
    return ":".join([kind, str(obj.pk), *(str(p) for p in parts)])


def _schedule(kind: str, booking: Booking, due_at: datetime, *, key: str, **context):
    return outbox_schedule(
        kind=kind,
        about=booking,
        recipient=booking.person,
        due_at=due_at,
        key=key,
        context=context or None,
    )


def _schedule_reminder(booking: Booking, session: Session, now: datetime) -> None:
    due = reminder_time(session, now)
    if due is not None:
        _schedule(
            REMINDER,
            booking,
            due,
            key=_key(REMINDER, booking, booking.calendar_sequence),
        )


def on_booked(booking: Booking, session: Session, *, now: datetime) -> list[OutboxMessage]:
    """A new booking's messages: a confirmed place's confirmation (with its invite) and
    reminder, or the waiting list's welcome.

    Returned as unsaved outbox rows, which the booking service writes in the booking's own
    statement (services/bookings.py): booking is the hottest write there is. The rows are what
    `outbox_schedule(..., about_is_new=True)` would write — the booking was created in this
    transaction, so no row can hold their keys yet, and the unique index refuses a clash.
    """
    if booking.status == Booking.Status.CONFIRMED:
        rows = [_new_row(CONFIRMED, booking, now, _key(CONFIRMED, booking))]
        due = reminder_time(session, now)
        if due is not None:
            key = _key(REMINDER, booking, booking.calendar_sequence)
            rows.append(_new_row(REMINDER, booking, due, key))
        return rows
    if booking.status == Booking.Status.WAITING:
        position = getattr(booking, "position_when_joined", None)
        key = _key(WAITING_JOINED, booking)
        return [_new_row(WAITING_JOINED, booking, now, key, position=position)]
    return []


def _new_row(kind: str, booking: Booking, due_at: datetime, key: str, **context) -> OutboxMessage:
    return outbox_row(
        kind=kind,
        about=booking,
        recipient=booking.person,
        due_at=due_at,
        key=key,
        context=context,
    )


def on_promoted(booking: Booking, session: Session, *, now: datetime) -> None:
    _schedule(PROMOTED, booking, now, key=_key(PROMOTED, booking))
    _schedule_reminder(booking, session, now)


def on_offered(booking: Booking, session: Session, *, now: datetime) -> None:
    """Offer mode: a place is held for this person until `booking.offer_expires_at`. When
    it lapses, `services.offer_expire` ends the booking and `on_ended` tells them."""
    _schedule(OFFERED, booking, now, key=_key(OFFERED, booking))


def on_open_offer(session: Session, waiting: list[Booking], *, now: datetime) -> None:
    """Offer mode, last 24 hours: a free place that everyone waiting may claim, first come.
    The key carries the time, as more places may come free later and each is news."""
    stamp = int(now.timestamp() * 1_000_000)
    for booking in waiting:
        _schedule(OPEN_OFFER, booking, now, key=_key(OPEN_OFFER, booking, stamp))


def on_ended(booking: Booking, session: Session, *, now: datetime, went: str = "") -> None:
    """A booking stopped being active. Its pending messages (the reminder, a confirmation
    not yet sent) are voided here; the person is told, unless the booking was moved or its
    session cancelled, which `on_moved` and `on_session_cancelled` tell in their own words.
    `went` is what happened to a cancelled place (outcomes.place_went), as the page said."""
    outbox_void(about=booking)
    ending = booking.ending
    was_place = booking.confirmed_at is not None and ending != Booking.Ending.LEFT_WAITING_LIST
    if ending in (Booking.Ending.CANCELLED, Booking.Ending.REMOVED):
        Booking.objects.filter(pk=booking.pk).update(
            calendar_sequence=booking.calendar_sequence + 1
        )
        booking.calendar_sequence += 1
        _schedule(
            CANCELLED,
            booking,
            now,
            key=_key(CANCELLED, booking),
            had_place=was_place,
            **({"went": went} if went else {}),
        )
    elif ending == Booking.Ending.LEFT_WAITING_LIST:
        _schedule(WAITING_LEFT, booking, now, key=_key(WAITING_LEFT, booking))
    elif ending == Booking.Ending.OFFER_EXPIRED:
        _schedule(OFFER_LAPSED, booking, now, key=_key(OFFER_LAPSED, booking))
    elif ending == Booking.Ending.DECLINED_OFFER:
        _schedule(OFFER_DECLINED, booking, now, key=_key(OFFER_DECLINED, booking))
    if booking.late_cancellation:
        trainers = session_trainers(session)
        for trainer in trainers:
            outbox_schedule(
                kind=LATE_RELEASE,
                about=booking,
                recipient=trainer,
                due_at=now,
                key=_key(LATE_RELEASE, booking, trainer.pk),
            )
        if not trainers and settings.GUILDBOOK_TRAINING_INBOX:
            # Nobody runs the session: the service's training inbox hears of it instead (and
            # the trainers' dashboard lists it).
            outbox_schedule(
                kind=LATE_RELEASE,
                about=booking,
                to=settings.GUILDBOOK_TRAINING_INBOX,
                due_at=now,
                key=_key(LATE_RELEASE, booking, "inbox"),
            )


def on_moved(old: Booking, new: Booking, *, now: datetime, notify: bool = True) -> None:
    """`old` was moved to `new` (another session of the course). The new booking keeps the
    old one's calendar event, one version on, so calendars move the event they have."""
    new.calendar_uid = calendar.booking_uid(old)
    new.calendar_sequence = old.calendar_sequence + 1
    Booking.objects.filter(pk=new.pk).update(
        calendar_uid=new.calendar_uid, calendar_sequence=new.calendar_sequence
    )
    if notify:
        _schedule(
            BOOKING_MOVED,
            new,
            now,
            key=_key(BOOKING_MOVED, new),
            from_booking=old.pk,
            had_place=old.confirmed_at is not None,
        )
    if new.status == Booking.Status.CONFIRMED:
        _schedule_reminder(new, new.session, now)


def on_session_cancelled(
    session: Session, endings: list[tuple[Booking, Booking | None]], *, now: datetime
) -> None:
    """Tell everyone on a cancelled session, with the session they were moved to if any.
    Voids the session's own pending messages (the trainers' roster)."""
    outbox_void(about=session)
    for old, new in endings:
        was_confirmed = (
            old.confirmed_at is not None and old.ending != Booking.Ending.LEFT_WAITING_LIST
        )
        if new is None:
            Booking.objects.filter(pk=old.pk).update(calendar_sequence=old.calendar_sequence + 1)
            old.calendar_sequence += 1
        _schedule(
            SESSION_CANCELLED,
            old,
            now,
            key=_key(SESSION_CANCELLED, old),
            replacement=new.pk if new is not None else None,
            had_place=was_confirmed,
        )


def on_session_created(session: Session, *, now: datetime) -> None:
    """Queue the trainers' roster for the day before."""
    _schedule_rosters(session, now)


def _roster_due(session: Session) -> datetime:
    return session.starts_at - timedelta(hours=ROSTER_HOURS_BEFORE)


def _schedule_rosters(session: Session, now: datetime) -> None:
    due = _roster_due(session)
    if due <= now:
        return
    for trainer in session_trainers(session):
        _schedule_to_trainer(
            ROSTER, session, trainer, due, _key(ROSTER, session, trainer.pk, _stamp(session))
        )


def _stamp(session: Session) -> int:
    return int(session.starts_at.timestamp())


def _schedule_to_trainer(kind: str, about, trainer, due: datetime, key: str) -> None:
    """Queue `kind` for one trainer. A trainer taken off and put back finds their earlier
    row void under the same key: the new row gets the next free version of the key."""
    version = 1
    while True:
        row = outbox_schedule(kind=kind, about=about, recipient=trainer, due_at=due, key=key)
        if row.status != OutboxMessage.Status.VOID:
            return
        version += 1
        key = f"{key.rsplit('~', 1)[0]}~{version}"


def on_trainers_changed(sessions: Iterable[Session], *, now: datetime) -> None:
    """Who runs these sessions changed (their own trainers, or the course's for a session
    without its own). Each session's roster is queued for every trainer now running it and
    voided for anyone no longer running it; a late-release note not yet sent goes to the
    trainers as they now are. Called inside the transaction of the change."""
    for session in sessions:
        trainers = {t.pk: t for t in session_trainers(session)}
        _sync_rosters(session, now, trainers)
        _sync_late_release_notes(session, now, trainers)


def _sync_rosters(session: Session, now: datetime, trainers: dict | None = None) -> None:
    """One pending roster per trainer of the session while its time is still to come,
    and none for anyone else. Rows already pending keep their due time."""
    due = _roster_due(session)
    if trainers is None:
        trainers = {t.pk: t for t in session_trainers(session)}
    if due <= now or session.status != Session.Status.SCHEDULED:
        trainers = {}
    holding = outbox_pending_recipients(about=session, kinds=[ROSTER])
    if holding - trainers.keys():
        outbox_void(about=session, kinds=[ROSTER], recipients=holding - trainers.keys())
    for pk, trainer in trainers.items():
        if pk not in holding:
            _schedule_to_trainer(
                ROSTER, session, trainer, due, _key(ROSTER, session, pk, _stamp(session))
            )


def _sync_late_release_notes(session: Session, now: datetime, trainers: dict) -> None:
    """A note about a late release that is still waiting to go out is for whoever runs the
    session now; one already sent is not sent again to a newcomer."""
    for booking in session.bookings.filter(late_cancellation=True).only("pk"):
        holding = outbox_pending_recipients(about=booking, kinds=[LATE_RELEASE])
        if not holding:
            continue
        if holding - trainers.keys():
            outbox_void(about=booking, kinds=[LATE_RELEASE], recipients=holding - trainers.keys())
        for pk, trainer in trainers.items():
            if pk not in holding:
                _schedule_to_trainer(
                    LATE_RELEASE, booking, trainer, now, _key(LATE_RELEASE, booking, pk)
                )


def _next_calendar_version(bookings: list[Booking]) -> None:
    """One calendar version on for each booking, in the database and in hand, so the next
    invite updates the event people's calendars already hold."""
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        calendar_sequence=F("calendar_sequence") + 1
    )
    for booking in bookings:
        booking.calendar_sequence += 1


def on_session_rescheduled(session: Session, *, now: datetime) -> None:
    """A session moved to a new time: everyone on it gets an updated invite (one calendar
    version on), and the reminders and rosters move with it."""
    if session.ends_at <= now:
        return
    active = list(
        session.bookings.filter(status__in=Booking.ACTIVE).select_related("person", "session")
    )
    if not active and not session_trainers(session):
        return
    _next_calendar_version(active)
    for booking in active:
        # A change of place not yet sent is folded into this notice: one e-mail says both.
        place_changed = outbox_void(about=booking, kinds=[PLACE_CHANGED]) > 0
        _schedule(
            RESCHEDULED,
            booking,
            now,
            key=_key(RESCHEDULED, booking, booking.calendar_sequence),
            sequence=booking.calendar_sequence,
            **({"place_changed": True} if place_changed else {}),
        )
        if booking.status != Booking.Status.CONFIRMED:
            continue
        due = reminder_time(session, now)
        if due is None:
            outbox_void(about=booking, kinds=[REMINDER])
        elif not outbox_reschedule(about=booking, kinds=[REMINDER], due_at=due):
            _schedule_reminder(booking, session, now)
    roster_due = _roster_due(session)
    if roster_due > now:
        outbox_reschedule(about=session, kinds=[ROSTER], due_at=roster_due)
    _sync_rosters(session, now)


def on_session_place_changed(session: Session, changed: list[str], *, now: datetime) -> None:
    """The venue or the online link (`changed` names which) of a session to come changed.
    Everyone with a place gets an updated invite, one calendar version on, with a short
    note; a time change still waiting to go out is folded into it, so one e-mail says
    both. The waiting list is not told: they learn the place with a place."""
    if session.ends_at <= now or session.status != Session.Status.SCHEDULED:
        return
    places = list(session.bookings.filter(status=Booking.Status.CONFIRMED).select_related("person"))
    _next_calendar_version(places)
    for booking in places:
        time_changed = outbox_void(about=booking, kinds=[RESCHEDULED]) > 0
        _schedule(
            PLACE_CHANGED,
            booking,
            now,
            key=_key(PLACE_CHANGED, booking, booking.calendar_sequence),
            sequence=booking.calendar_sequence,
            changed=sorted(changed),
            time_changed=time_changed,
        )


def on_reminder_hours_changed(course, *, now: datetime) -> None:
    """The course's reminder time changed: move the pending reminders of its places to come
    (void those whose new time has passed), and queue one for a place that had none because
    it was booked inside the old reminder time."""
    upcoming = Booking.objects.filter(
        session__course=course,
        session__starts_at__gt=now,
        status=Booking.Status.CONFIRMED,
    ).select_related("session__course")
    for booking in upcoming:
        due = reminder_time(booking.session, now)
        if due is None:
            outbox_void(about=booking, kinds=[REMINDER])
        elif not outbox_reschedule(about=booking, kinds=[REMINDER], due_at=due):
            # None pending: booked inside the old reminder time, or its reminder was
            # withdrawn by an earlier change whose time had passed, so the new time may be
            # worth a reminder again (never a second one after one was sent).
            key = _reminder_key_again(booking)
            if key is not None:
                _schedule(REMINDER, booking, due, key=key)


def _reminder_key_again(booking: Booking) -> str | None:
    """The key for queuing this place's reminder (at its calendar sequence) once more: the
    plain key when there was none, a numbered one ("…~2") after withdrawn ones, and None
    when one was sent or is being sent."""
    base = _key(REMINDER, booking, booking.calendar_sequence)
    earlier = [
        status
        for key, status in OutboxMessage.objects.filter(
            content_type=ContentType.objects.get_for_model(Booking),
            object_id=booking.pk,
            kind=REMINDER,
        ).values_list("dedupe_key", "status")
        if key == base or key.startswith(f"{base}~")
    ]
    if any(status != OutboxMessage.Status.VOID for status in earlier):
        return None
    return f"{base}~{len(earlier) + 1}" if earlier else base
