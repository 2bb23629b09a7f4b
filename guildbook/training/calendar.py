"""Calendar invites for places (RFC 5545 / iTIP), attached to training's e-mails.

One event per place. Its UID is stable for the life of the place, and a booking moved to
another session keeps the UID of the booking it came from, so Outlook, Google Calendar and
Apple Calendar move the event they already hold instead of adding a second one. Each change
(reschedule, move, cancellation) raises the booking's `calendar_sequence`, which is how a
calendar knows an invite is newer than the one it has. A cancellation is METHOD:CANCEL with
the same UID.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from guildbook.notifications.kinds import message_id_domain
from guildbook.training.models import Booking

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def booking_uid(booking: Booking) -> str:
    return booking.calendar_uid or f"guildbook-booking-{booking.pk}@{message_id_domain()}"


def booking_invite(
    booking: Booking, *, method: str = REQUEST, now: datetime | None = None
) -> bytes:
    """The .ics for `booking`'s place: METHOD:REQUEST to add or update the event,
    METHOD:CANCEL to take it out of the calendar."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unknown calendar method {method!r}")
    session = booking.session
    course = session.course
    organiser_email = settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">").strip()

    cal = Calendar()
    cal.add("prodid", "-//Guildbook//Training invites//EN")
    cal.add("version", "2.0")
    cal.add("method", method)

    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("sequence", booking.calendar_sequence)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", course.title)
    where = _location(booking)
    if where:
        event.add("location", where)
    manage = settings.SITE_URL + booking.get_absolute_url()
    description = [course.summary] if course.summary else []
    if session.online_link and booking.status == Booking.Status.CONFIRMED:
        description.append(f"Join online: {session.online_link}")
    description.append(f"Your booking: {manage}")
    event.add("description", "\n\n".join(description))
    event.add("url", manage)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if method == CANCEL else "OPAQUE")

    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText(settings.GUILDBOOK_SERVICE_NAME)
    event.add("organizer", organiser)
    person = booking.person
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.display_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    # The place is already booked: nobody needs to press "accept" for it to count.
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def _location(booking: Booking) -> str:
    session = booking.session
    parts = []
    if session.venue:
        parts.append(session.venue)
    if session.online_link and booking.status == Booking.Status.CONFIRMED:
        parts.append(session.online_link)
    elif session.online_link:
        parts.append("Online")
    return ", ".join(parts)


def invite_attachment(booking: Booking, *, method: str = REQUEST) -> tuple[str, bytes, str]:
    """(filename, content, mimetype) for an e-mail: the method in the content type is what
    makes Outlook show Accept/Update buttons rather than a plain attachment."""
    return ("invite.ics", booking_invite(booking, method=method), f"text/calendar; method={method}")
