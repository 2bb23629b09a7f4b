from ninja.security import HttpBearer

from guildbook.accounts.services import api_token_authenticate
from guildbook.core import roles
from guildbook.core.errors import NotAllowed


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal API token>`."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def require_trainer(user, *, doing: str) -> None:
    """Trainer-only operations answer 403 to everyone else, before any object is loaded,
    so the answer says nothing about whether the object exists."""
    if not roles.is_trainer(user):
        raise NotAllowed(f"Only trainers can {doing}.")
