"""Links in e-mails that work without signing in (core/signed_links.py): a signed token for
one booking and one purpose ("Still coming?", "I can't come", claim or decline an offer).

The page a link opens changes nothing until its one button is pressed, because mail
scanners follow links.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from guildbook.core.signed_links import BadLink, LinkSigner
from guildbook.training.models import Booking

LINK_PURPOSES = ("coming", "release", "claim", "decline")
LINK_MAX_AGE = timedelta(days=60)
SIGNER = LinkSigner(
    namespace="guildbook.training.booking-link", purposes=LINK_PURPOSES, max_age=LINK_MAX_AGE
)


def booking_link_token(booking: Booking, purpose: str) -> str:
    """A signed token naming `booking` for one purpose ("coming" or "release"). The HMAC
    is SHA-256 (256 bits); the salt differs per purpose, so a "Still coming?" token can
    never release a place."""
    return SIGNER.sign(booking.pk, purpose)


def booking_from_link_token(token: str, purpose: str) -> Booking:
    """The booking a token names for `purpose`; BadLink when it is altered, for something
    else, too old, or names no booking."""
    pk = SIGNER.unsign(token, purpose, max_age=LINK_MAX_AGE)
    try:
        return Booking.objects.select_related("session__course", "person").get(pk=int(pk))
    except (Booking.DoesNotExist, TypeError, ValueError):
        raise BadLink from None


def booking_link_url(booking: Booking, purpose: str) -> str:
    name = f"training:booking_link_{purpose}"
    return settings.SITE_URL + reverse(name, args=[booking_link_token(booking, purpose)])
