"""The permissions qualifications adds to the roles (registered when the app loads).

Object-level rules (whose candidacy, which mentee) are in selectors.py; these permissions
say only what kind of work a person does.
"""

from guildbook.core import roles

MENTOR = "qualifications.act_as_mentor"
DECIDE_FUNDING = "qualifications.decide_funding"
MANAGE_SCHEMES = "qualifications.manage_schemes"


def register() -> None:
    roles.register_permissions(roles.MENTOR, MENTOR)
    roles.register_permissions(roles.STAFF_DEVELOPMENT, DECIDE_FUNDING)
    roles.register_permissions(roles.ADMINISTRATOR, DECIDE_FUNDING, MANAGE_SCHEMES)


def is_mentor(user) -> bool:
    return user.is_authenticated and user.has_perm(MENTOR)


def can_decide_funding(user) -> bool:
    return user.is_authenticated and user.has_perm(DECIDE_FUNDING)


def can_manage_schemes(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_SCHEMES)
