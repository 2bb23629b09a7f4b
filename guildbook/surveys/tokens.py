"""The links in survey e-mails: an invitation's random key, signed for one purpose.

An invitation's `key` is 128 random bits; a link carries it signed with HMAC-SHA256 under a
salt per purpose, so a token made for one purpose ("answer": the survey page; "done": the
completion page an external survey sends people to) never works for another, nor as any
other signed value of Guildbook (a training booking link, say). A token is good until its
invitation closes (checked on use against `closes_at`, which may move with a reschedule);
signing's own maximum age is a backstop for links that outlive their invitation.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from guildbook.core.signed_links import BadLink, LinkSigner
from guildbook.surveys.models import Invitation

PURPOSES = ("answer", "done")
# Longer than any survey stays open (days after + days open), as a backstop only.
MAX_AGE = timedelta(days=730)


class BadToken(Exception):
    """The link cannot be used. `reason` says why, for the friendly page:
    "invalid" (changed, or made for something else), "void" (the invitation was withdrawn),
    "closed" (the survey has closed)."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def new_key() -> str:
    """128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


SIGNER = LinkSigner(namespace="guildbook.surveys", purposes=PURPOSES, max_age=MAX_AGE)


def make_token(invitation: Invitation, purpose: str) -> str:
    return SIGNER.sign(invitation.key, purpose)


def invitation_from_token(token: str, purpose: str, *, now: datetime | None = None) -> Invitation:
    """The invitation a token names, if it may be used for `purpose` now; else BadToken."""
    try:
        key = SIGNER.unsign(token, purpose, max_age=MAX_AGE)
    except BadLink as exc:
        raise BadToken("closed" if exc.reason == "expired" else "invalid") from None
    if not isinstance(key, str):
        raise BadToken("invalid")
    invitation = (
        Invitation.objects.select_related(
            "moment__course", "template", "session__course", "booking__person"
        )
        .filter(key=key)
        .first()
    )
    if invitation is None:
        raise BadToken("invalid")
    if invitation.status == Invitation.Status.VOID:
        raise BadToken("void", invitation)
    if (now or timezone.now()) >= invitation.closes_at:
        raise BadToken("closed", invitation)
    return invitation


def answer_url(invitation: Invitation, *, choice=None, number: int | None = None) -> str:
    """The survey page, optionally with the first question's answer chosen (one click)."""
    url = settings.SITE_URL + reverse("surveys:answer", args=[make_token(invitation, "answer")])
    if choice is not None:
        url += f"?choice={choice.pk}"
    elif number is not None:
        url += f"?scale={number}"
    return url


def done_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "surveys:external_done", args=[make_token(invitation, "done")]
    )


def external_url(invitation: Invitation) -> str:
    """The moment's external survey link with "{token}" replaced by the "done" token."""
    return invitation.moment.external_url.replace("{token}", make_token(invitation, "done"))
