"""Roles, and the registry of the permissions each carries; the one place role checks live.

Roles are Django groups with permissions. Core names the roles; each app adds the
permissions it brings to them in its own `roles.py` (`roles.grant(...)`), which core loads
when the apps are ready, so a new app adds permissions without touching core. Views check
with `permission_required`; everything else with `has_permission`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

LEARNER = "Learner"
TRAINER = "Trainer"
MENTOR = "Mentor"
STAFF_DEVELOPMENT = "Staff development officer"
ADMINISTRATOR = "Administrator"

ROLE_CHOICES = {
    "learner": LEARNER,
    "trainer": TRAINER,
    "mentor": MENTOR,
    "staff_development": STAFF_DEVELOPMENT,
    "sdo": STAFF_DEVELOPMENT,
    "administrator": ADMINISTRATOR,
    "admin": ADMINISTRATOR,
}

# Permissions each role's group carries ("app_label.codename"), filled by the apps' roles.py.
_granted: dict[str, list[str]] = {
    LEARNER: [],
    TRAINER: [],
    MENTOR: [],
    STAFF_DEVELOPMENT: [],
    ADMINISTRATOR: [],
}

# The permissions core's own pages ask about (the navigation); training grants them.
RUN_TRAINING = "training.run_training"
VIEW_TRAINING_RECORDS = "training.view_training_records"


def grant(role: str, *permissions: str) -> None:
    """Give `role`'s group these permissions ("app_label.codename"). Idempotent."""
    if role not in _granted:
        raise ValueError(f"Unknown role {role!r}")
    for permission in permissions:
        if permission not in _granted[role]:
            _granted[role].append(permission)


def role_permissions() -> dict[str, list[str]]:
    """Each role's group name and the permissions the apps granted it, in grant order."""
    return {role: list(permissions) for role, permissions in _granted.items()}


def role_group_name(key: str) -> str | None:
    return ROLE_CHOICES.get(key.strip().lower().replace(" ", "_").replace("-", "_"))


def has_permission(user, permission: str) -> bool:
    return user.is_authenticated and user.has_perm(permission)


def role_required(allowed):
    """A view decorator: sign-in first, then 404 (never 403) unless `allowed(user)`, so a
    page's existence is not confirmed to someone who may not use it."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise Http404("Not found")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_required(permission: str):
    """A view decorator: sign-in first, then 404 (never 403) without `permission`."""
    return role_required(lambda user: has_permission(user, permission))


def is_trainer(user) -> bool:
    return has_permission(user, RUN_TRAINING)


def can_view_records(user) -> bool:
    return has_permission(user, VIEW_TRAINING_RECORDS)


def can_see_insights(user) -> bool:
    """Training insights and the frequency planner: trainers and staff development officers."""
    return is_trainer(user) or can_view_records(user)


def is_administrator(user) -> bool:
    return user.is_authenticated and user.is_superuser
