"""The permissions qualifications adds to the roles (core's role registry), and its checks.

Object-level rules (whose candidacy, which mentee) are in selectors.py; these permissions
say only what kind of work a person does. A mentor's pages depend on having a mentor profile,
not on the permission: administrators have every permission but are not mentors.
"""

from guildbook.core import roles

MENTOR = "qualifications.act_as_mentor"
DECIDE_FUNDING = "qualifications.decide_funding"
MANAGE_SCHEMES = "qualifications.manage_schemes"

roles.grant(roles.MENTOR, MENTOR)
roles.grant(roles.STAFF_DEVELOPMENT, DECIDE_FUNDING)
roles.grant(roles.ADMINISTRATOR, DECIDE_FUNDING, MANAGE_SCHEMES)

# Staff development officers' pages: signed in, with decide_funding; anyone else gets a 404.
officer_required = roles.permission_required(DECIDE_FUNDING)


def is_mentor(user) -> bool:
    return roles.has_permission(user, MENTOR)


def can_decide_funding(user) -> bool:
    return roles.has_permission(user, DECIDE_FUNDING)


def can_manage_schemes(user) -> bool:
    return roles.has_permission(user, MANAGE_SCHEMES)
