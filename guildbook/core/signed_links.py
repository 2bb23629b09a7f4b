"""Links that work without signing in: a value signed for one purpose, expiring, revocable.

A token is the value signed with HMAC-SHA256 (Django's signing, under SECRET_KEY) and a salt
made of the signer's namespace and the purpose, so a token made for one purpose never works
for another, nor as any other signed value of Guildbook. It expires after `max_age`. To
make links revocable, the caller signs with a `revision` it keeps on its object (a counter,
a time) and passes the current one when reading: changing it revokes every link made before.

The page a link opens must change nothing until a button on it is pressed: mail scanners
follow links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing


class BadLink(Exception):
    """The token cannot be used. `reason`: "invalid" (altered, or made for something
    else), "expired" (older than the signer's maximum age) or "revoked"."""

    def __init__(self, reason: str = "invalid"):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkSigner:
    """Signs values for a fixed set of purposes under one namespace (the salt's prefix)."""

    namespace: str
    purposes: tuple[str, ...]
    max_age: timedelta

    def salt(self, purpose: str) -> str:
        if purpose not in self.purposes:
            raise ValueError(f"Unknown link purpose {purpose!r}")
        return f"{self.namespace}.{purpose}"

    def sign(self, value, purpose: str, *, revision=None) -> str:
        payload = value if revision is None else [value, revision]
        return signing.dumps(payload, salt=self.salt(purpose))

    def unsign(self, token: str, purpose: str, *, revision=None, max_age: timedelta | None = None):
        """The value signed in `token` for `purpose`; BadLink when it cannot be used."""
        salt = self.salt(purpose)
        try:
            payload = signing.loads(
                token, salt=salt, max_age=self.max_age if max_age is None else max_age
            )
        except signing.SignatureExpired:
            raise BadLink("expired") from None
        except signing.BadSignature:
            raise BadLink("invalid") from None
        if revision is None:
            return payload
        if not isinstance(payload, list) or len(payload) != 2:
            raise BadLink("invalid")
        value, signed_revision = payload
        if signed_revision != revision:
            raise BadLink("revoked")
        return value
