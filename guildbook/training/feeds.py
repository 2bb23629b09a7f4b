"""Calendars people subscribe to, and the .ics a person downloads.

- A person's private feed: their places to come (and the last three months'), one event
  per place with the same UID as the invites they were e-mailed. The address holds a
  random key (CalendarFeed); a new key or revoking makes the old address answer 404.
- A course's feed for its trainers: every session, at the trainer's own feed key, so a
  revoked key stops both.
- "Add to calendar": one place as a file (METHOD:PUBLISH).

Every document carries the service's time zone as a VTIMEZONE and local times with TZID
(calendar.py), so calendars keep a 10:00 session at 10:00 across clock changes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core import roles
from guildbook.core.audit import audit_record
from guildbook.notifications.kinds import message_id_domain
from guildbook.training import calendar
from guildbook.training.models import Booking, CalendarFeed, Course, Session

# How far back a feed reaches: a session a few weeks ago is still worth seeing.
FEED_PAST = timedelta(days=90)


# --- Writes ------------------------------------------------------------------------------


def calendar_feed_renew(*, person: User, actor: User | None) -> CalendarFeed:
    """Give the person a calendar feed with a new secret key; an old address stops working."""
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.select_for_update().get_or_create(
            person=person, defaults={"key": _new_key()}
        )
        if not _:
            feed.key = _new_key()
            feed.created_at = timezone.now()
            feed.save(update_fields=["key", "created_at"])
        audit_record(actor=actor, action="calendar_feed_renewed", subject=person)
    return feed


def calendar_feed_revoke(*, person: User, actor: User | None) -> None:
    """Stop the person's calendar feed: its address answers 404 from now on."""
    with transaction.atomic():
        deleted, _ = CalendarFeed.objects.filter(person=person).delete()
        if deleted:
            audit_record(actor=actor, action="calendar_feed_revoked", subject=person)


def _new_key() -> str:
    return secrets.token_urlsafe(32)


# --- Reads -------------------------------------------------------------------------------


def feed_of(person: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


def feed_owner(key: str) -> User:
    """The person whose feed this key opens; 404 for a key that is wrong, old or revoked."""
    feed = CalendarFeed.objects.filter(key=key).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise Http404("No such calendar")
    return feed.person


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL + reverse("training:calendar_feed", args=[feed.key])


def course_feed_url(feed: CalendarFeed, course: Course) -> str:
    return settings.SITE_URL + reverse("training:course_feed", args=[feed.key, course.slug])


def person_calendar(person: User, *, now=None) -> bytes:
    """The person's feed: places to come and recent ones (three queries)."""
    now = now or timezone.now()
    bookings = (
        Booking.objects.filter(
            person=person,
            status=Booking.Status.CONFIRMED,
            session__status=Session.Status.SCHEDULED,
            session__ends_at__gte=now - FEED_PAST,
        )
        .select_related("session__course", "person")
        .order_by("session__starts_at", "id")
    )
    events = [calendar.booking_event(b, now=now) for b in bookings]
    return calendar.document(
        events, method=None, name=f"My training · {settings.GUILDBOOK_SERVICE_NAME}"
    )


def course_calendar(person: User, course: Course, *, now=None) -> bytes:
    """A course's sessions for someone who runs training; anyone else gets a 404."""
    if not roles.is_trainer(person):
        raise Http404("No such calendar")
    now = now or timezone.now()
    sessions = Session.objects.filter(course=course, ends_at__gte=now - FEED_PAST).order_by(
        "starts_at", "id"
    )
    events = [_session_event(s, course, now) for s in sessions]
    return calendar.document(events, method=None, name=f"{course.title} · sessions")


def _session_event(session: Session, course: Course, now) -> list[str]:
    manage = settings.SITE_URL + reverse("training:manage_session", args=[session.pk])
    cancelled = session.status == Session.Status.CANCELLED
    where = session.where  # the pages' words, "Venue to be confirmed" included
    details = f"{session.places_taken} of {session.capacity} places taken.\n\nBookings: {manage}"
    t = calendar._text
    return [
        "BEGIN:VEVENT",
        f"UID:guildbook-session-{session.pk}@{message_id_domain()}",
        f"DTSTAMP:{calendar._utc(now)}",
        calendar._local("DTSTART", session.starts_at),
        calendar._local("DTEND", session.ends_at),
        f"SUMMARY:{t(course.title)}",
        f"LOCATION:{t(where)}",
        f"DESCRIPTION:{t(details)}",
        f"URL:{calendar._uri(manage)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
    ]


def booking_download(booking: Booking) -> bytes:
    """ "Add to calendar": the place as a file to open (METHOD:PUBLISH)."""
    return calendar.booking_invite(booking, method=calendar.PUBLISH)


def download_name(session: Session) -> str:
    local = timezone.localtime(session.starts_at)
    return f"{session.course.slug[:60]}-{local:%Y-%m-%d}.ics"
