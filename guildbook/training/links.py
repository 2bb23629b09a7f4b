"""Links in e-mails that work without signing in: a signed token for one booking and one
purpose ("Still coming?", "I can't come", claim or decline an offer).

The page a link opens changes nothing until its one button is pressed, because mail
scanners follow links.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from guildbook.training.models import Booking

LINK_PURPOSES = ("coming", "release", "claim", "decline")


LINK_MAX_AGE = timedelta(days=60)


class BadLink(Exception):
    """The link was altered, is for something else, or is too old."""


def booking_link_token(booking: Booking, purpose: str) -> str:
    """A signed token naming `booking` for one purpose ("coming" or "release"). The HMAC
    is SHA-256 (256 bits); the salt differs per purpose, so a "Still coming?" token can
    never release a place."""
    if purpose not in LINK_PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    return signing.dumps(booking.pk, salt=f"guildbook.training.booking-link.{purpose}")


def booking_from_link_token(token: str, purpose: str) -> Booking:
    if purpose not in LINK_PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    try:
        pk = signing.loads(
            token, salt=f"guildbook.training.booking-link.{purpose}", max_age=LINK_MAX_AGE
        )
        return Booking.objects.select_related("session__course", "person").get(pk=int(pk))
    except (signing.BadSignature, Booking.DoesNotExist, TypeError, ValueError):
        raise BadLink from None


def booking_link_url(booking: Booking, purpose: str) -> str:
    name = f"training:booking_link_{purpose}"
    return settings.SITE_URL + reverse(name, args=[booking_link_token(booking, purpose)])
