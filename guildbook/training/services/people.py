"""A person leaving: what they held in the training offer for the future is released.

Deactivating an account (accounts/hooks.py) and erasing a person (training/privacy.py) both
call `person_places_release`, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.errors import ServiceError
from guildbook.training.alerts import booking_alert_remove
from guildbook.training.models import Booking, BookingAlert, CourseInterest
from guildbook.training.services.bookings import booking_cancel
from guildbook.training.services.interest import interest_withdraw, interests_settle

# The words for the counts, on the page that deactivated the person.
RELEASED_WORDS = {
    "places": ("place released", "places released"),
    "waiting_lists": ("waiting-list entry removed", "waiting-list entries removed"),
    "interest": ("registered interest withdrawn", "registered interests withdrawn"),
    "alerts": ("booking-opens alert removed", "booking-opens alerts removed"),
}


def _still_held(person: User, now: datetime):
    """A place in a session not yet started, or a waiting-list entry or offer in one not
    yet over. A place in a session under way, and everything in the past, stays: it is
    the person's training record (and the register's)."""
    return Booking.objects.filter(person=person, status__in=Booking.ACTIVE, attendance="").filter(
        Q(status=Booking.Status.CONFIRMED, session__starts_at__gt=now)
        | Q(status__in=(Booking.Status.WAITING, Booking.Status.OFFERED), session__ends_at__gt=now)
    )


def person_places_release(
    *, person: User, actor: User | None, now: datetime | None = None
) -> dict[str, int]:
    """Release everything `person` holds for the future, in one transaction (the caller's,
    when there is one): each place in a session still to come is cancelled through the
    booking service (the waiting list moves up, or the place is offered, exactly as for
    any cancellation; never a late cancellation, as the account is being closed), each
    waiting-list entry and offer is left, interest still waiting for a date is withdrawn,
    and each "tell me when booking opens" on a session still to come is removed (their
    e-mails with them). Returns how many of each: places, waiting_lists, interest, alerts.

    The person must already be inactive in this transaction, so that nothing books them
    meanwhile: booking reads the person's row under a share lock first, and refuses a
    closed account (services/bookings.py). A booking that changed while this ran (moved,
    say) is looked for again until none is left."""
    now = now or timezone.now()
    released = {"places": 0, "waiting_lists": 0, "interest": 0, "alerts": 0}
    with transaction.atomic():
        for _round in range(10):
            held = list(_still_held(person, now).order_by("session_id"))
            if not held:
                break
            for booking in held:
                try:
                    ended = booking_cancel(
                        booking=booking, actor=actor, now=now, account_closed=True
                    )
                except ServiceError as exc:
                    if exc.code != "not_active":
                        raise
                    continue  # ended meanwhile: looked for again in the next round
                place = ended.ending == Booking.Ending.CANCELLED
                released["places" if place else "waiting_lists"] += 1
        open_interest = CourseInterest.objects.filter(person=person, fulfilled_at__isnull=True)
        for course_id in set(open_interest.values_list("course_id", flat=True)):
            interests_settle(course_id=course_id)
        for interest in open_interest.all():
            interest_withdraw(interest=interest, actor=actor)
            released["interest"] += 1
        for alert in BookingAlert.objects.filter(person=person, session__starts_at__gt=now):
            booking_alert_remove(alert=alert, actor=actor)
            released["alerts"] += 1
    return released
