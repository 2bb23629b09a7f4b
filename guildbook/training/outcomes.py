"""What a cancellation did, in words for the person who cancelled.

The pages must say what really happened to a freed place: it went to the next person
waiting, it was offered to them, everyone waiting was told it is free to claim, or nobody
was waiting and it is simply free again.
"""

from guildbook.training.models import Booking, Session


def waiting_count(session: Session) -> int:
    return Booking.objects.filter(
        session=session, status__in=[Booking.Status.WAITING, Booking.Status.OFFERED]
    ).count()


def place_will_go(session: Session) -> str:
    """Before cancelling a place: what will happen to it."""
    if not waiting_count(session):
        return "Nobody is waiting for a place, so yours will be free for someone else to book."
    return (
        "Your place will go straight to the next person on the waiting list, "
        "so someone else can come."
    )


def place_went(booking: Booking) -> str:
    """After cancelling a place (`booking` as `booking_cancel` returned it)."""
    passed_on = getattr(booking, "passed_on", [])
    if any(b.status == Booking.Status.CONFIRMED for b in passed_on):
        return "It has gone to the next person on the waiting list."
    if passed_on:
        return "It has been offered to the next person on the waiting list."
    if Booking.objects.filter(
        session_id=booking.session_id, status=Booking.Status.WAITING
    ).exists():
        return (
            "Everyone on the waiting list has been told it is free, "
            "and the first to claim it gets it."
        )
    return "Nobody was waiting, so it is free for someone else to book."
