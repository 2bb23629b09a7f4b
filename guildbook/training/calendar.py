"""Calendar invites for places (RFC 5545 / iTIP), attached to training's e-mails.

One event per place. Its UID is stable for the life of the place, and a booking moved to
another session keeps the UID of the booking it came from, so Outlook, Google Calendar and
Apple Calendar move the event they already hold instead of adding a second one. Each change
(reschedule, move, cancellation) raises the booking's `calendar_sequence`, which is how a
calendar knows an invite is newer than the one it has. A cancellation is METHOD:CANCEL with
the same UID.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from guildbook.notifications.kinds import message_id_domain
from guildbook.training.models import Booking

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
PRODID = "-//Guildbook//Training calendar//EN"


def booking_uid(booking: Booking) -> str:
    return booking.calendar_uid or f"guildbook-booking-{booking.pk}@{message_id_domain()}"


def booking_invite(
    booking: Booking, *, method: str = REQUEST, now: datetime | None = None
) -> bytes:
    """The .ics for `booking`'s place: METHOD:REQUEST to add or update the event,
    METHOD:CANCEL to take it out of the calendar, METHOD:PUBLISH for a file to download
    ("Add to calendar").

    Written directly (RFC 5545: TEXT escaping, RFC 6868 parameter values, lines folded at
    75 octets) rather than through icalendar's objects, which cost a third of building a
    training message; the tests read every invite back with icalendar."""
    if method not in (REQUEST, CANCEL, PUBLISH):
        raise ValueError(f"Unknown calendar method {method!r}")
    event = booking_event(booking, cancel=method == CANCEL, now=now)
    return document([event], method=method)


def booking_event(booking: Booking, *, cancel: bool = False, now: datetime | None = None) -> list:
    """The VEVENT of a place, as content lines (for an invite, a download or a feed)."""
    session = booking.session
    course = session.course
    person = booking.person
    organiser_email = settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">").strip()
    manage = settings.SITE_URL + booking.get_absolute_url()
    description = [course.summary] if course.summary else []
    if session.online_link and booking.status == Booking.Status.CONFIRMED:
        description.append(f"Join online: {session.online_link}")
    description.append(f"Your booking: {manage}")
    details = "\n\n".join(description)
    where = _location(booking)
    return [
        "BEGIN:VEVENT",
        f"UID:{_text(booking_uid(booking))}",
        f"SEQUENCE:{int(booking.calendar_sequence)}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        _local("DTSTART", session.starts_at),
        _local("DTEND", session.ends_at),
        f"SUMMARY:{_text(course.title)}",
        *([f"LOCATION:{_text(where)}"] if where else []),
        f"DESCRIPTION:{_text(details)}",
        f"URL:{_uri(manage)}",
        f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
        f"TRANSP:{'TRANSPARENT' if cancel else 'OPAQUE'}",
        f"ORGANIZER;CN={_param(settings.GUILDBOOK_SERVICE_NAME)}:mailto:{_uri(organiser_email)}",
        # The place is already booked: nobody needs to press "accept" for it to count.
        f"ATTENDEE;CN={_param(person.display_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED"
        f";RSVP=FALSE:mailto:{_uri(person.email)}",
        "END:VEVENT",
    ]


def document(events: list[list[str]], *, method: str | None, name: str = "") -> bytes:
    """A VCALENDAR of `events` (content lines each) with the service's time zone as a
    VTIMEZONE. `method` is REQUEST or CANCEL for an invite, PUBLISH for a download, None for
    a subscribed feed; `name` titles a feed in the calendar that subscribes to it."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        # Outlook and Apple read X-WR-CALNAME; RFC 7986 NAME and REFRESH-INTERVAL for the rest.
        lines += [
            f"NAME:{_text(name)}",
            f"X-WR-CALNAME:{_text(name)}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H",
        ]
    lines += vtimezone_lines()
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return "".join(f"{_fold(line)}\r\n" for line in lines).encode()


def _zone_name() -> str:
    return str(settings.TIME_ZONE or "UTC")


def _local(name: str, moment: datetime) -> str:
    """DTSTART/DTEND in the service's zone with its TZID, so that calendars keep a session
    at 10:00 local time (UTC only where the service itself runs on UTC)."""
    zone = _zone_name()
    if zone.upper() in ("UTC", "ETC/UTC", "GMT"):
        return f"{name}:{_utc(moment)}"
    local = timezone.localtime(moment, ZoneInfo(zone))
    return f"{name};TZID={_param_bare(zone)}:{local.strftime('%Y%m%dT%H%M%S')}"


def _param_bare(value: str) -> str:
    return "".join(ch for ch in value if ch.isalnum() or ch in "/_-+")


# Europe/London as the UK has kept it since 1996: BST from 01:00 GMT on the last Sunday of
# March to 01:00 GMT on the last Sunday of October. Onsets are written in the local time
# before each change (RFC 5545 3.6.5).
_LONDON = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


@functools.lru_cache(maxsize=4)
def _vtimezone(zone: str) -> tuple[str, ...]:
    if zone == "Europe/London":
        return tuple(_LONDON)
    # Another service zone: its transitions for the years around now, from the tz database.
    from icalendar import Timezone

    today = date.today()
    tz = Timezone.from_tzid(
        zone, first_date=date(today.year - 2, 1, 1), last_date=date(today.year + 6, 1, 1)
    )
    return tuple(tz.to_ical().decode().replace("\r\n ", "").split("\r\n")[:-1])


def vtimezone_lines() -> list[str]:
    zone = _zone_name()
    if zone.upper() in ("UTC", "ETC/UTC", "GMT"):
        return []
    return list(_vtimezone(zone))


def _utc(moment: datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every line break as \\n."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.translate(_TEXT_ESCAPES)


def _uri(value: str) -> str:
    """A URI or address as it is, with anything that would break the line taken out."""
    return "".join(ch for ch in str(value) if ch >= " " and ch != "\x7f")


def _param(value: str) -> str:
    """A parameter value, always quoted; ^, line breaks and double quotes as RFC 6868
    writes them (^^, ^n, ^')."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return '"' + "".join(ch for ch in value if ch >= " " and ch != "\x7f") + '"'


def _fold(line: str) -> str:
    """Fold a content line so no physical line is longer than 75 octets (the leading space
    of a continuation counts), never inside a character's UTF-8 bytes nor between a
    backslash or caret and what it escapes."""
    if len(line) <= 75 and line.isascii():
        return line
    pieces, piece, used, room = [], "", 0, 75
    for ch in line:
        size = len(ch.encode())
        if used + size > room:
            if len(piece) > 1 and piece[-1] in "\\^":  # keep an escape with what it escapes
                pieces.append(piece[:-1])
                piece, used = piece[-1], 1
            else:
                pieces.append(piece)
                piece, used = "", 0
            room = 74  # after "\r\n "
        piece += ch
        used += size
    pieces.append(piece)
    return "\r\n ".join(pieces)


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
