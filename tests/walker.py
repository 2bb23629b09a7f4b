"""A URL × role walker, for any app's tests.

Every URL pattern of an app's namespace is filled with the ids of objects that belong to
someone else and requested (GET) as anonymous and as each role; each answer is compared
with a table of expectations. A pattern the table does not cover fails the walk, so a new
page cannot be added without saying who may open it.

    walk(
        namespace="training",
        people={"anonymous": None, "learner": learner, "trainer": trainer},
        fill=lambda name, param: {...}[param],
        expect=[("manage*", {"anonymous": {LOGIN}, "learner": {NOT_FOUND}, ...}), ...],
    )

`expect` is a list of (glob over URL names, {role: allowed outcomes}); the first glob
that matches a name applies. Outcomes are the words below. URL names matching a glob in `post`
are sent an empty POST instead of a GET (a form that only changes things); for every URL the
people allowed through (an OK or a REDIRECT in their row) go last, so a change one of them
makes cannot alter what the others are answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatch

from django.test import Client
from django.urls import get_resolver, reverse

OK = "ok"  # 200
LOGIN = "login"  # a redirect to the sign-in page
REDIRECT = "redirect"  # any other redirect
DENIED = "denied"  # 403
NOT_FOUND = "not_found"  # 404
POST_ONLY = "post_only"  # 405: the URL only changes things
BAD = "bad"  # 400

_OUTCOMES = {200: OK, 400: BAD, 403: DENIED, 404: NOT_FOUND, 405: POST_ONLY}


def url_params(namespace: str) -> dict[str, list[str]]:
    """Each URL name in `namespace` with the names of the values its pattern takes."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    found: dict[str, list[str]] = {}
    for key, entries in resolver.reverse_dict.lists():
        if isinstance(key, str):
            for possibilities, *_ in entries:
                found[key] = list(possibilities[0][1])
    return found


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        return LOGIN if location.startswith(reverse("account_login")) else REDIRECT
    return _OUTCOMES.get(response.status_code, str(response.status_code))


def walk(
    *,
    namespace: str,
    people: dict[str, object | None],
    fill: Callable[[str, str], object],
    expect: Iterable[tuple[str, dict[str, set[str]]]],
    skip: Iterable[str] = (),
    post: Iterable[str] = (),
) -> int:
    """Request every URL of `namespace` as each of `people` (None: anonymous) and check the
    outcome against `expect`. Raises AssertionError listing every mismatch; answers the
    number of requests made."""
    expect, skip, post = list(expect), list(skip), list(post)
    clients = {}
    for role, user in people.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    problems, requests = [], 0
    for name, params in sorted(url_params(namespace).items()):
        if any(fnmatch(name, s) for s in skip):
            continue
        rule = next((r for glob, r in expect if fnmatch(name, glob)), None)
        if rule is None:
            problems.append(f"{namespace}:{name} is in no row of the expectations")
            continue
        url = reverse(f"{namespace}:{name}", kwargs={p: fill(name, p) for p in params})
        method = "POST" if any(fnmatch(name, p) for p in post) else "GET"
        for role in sorted(clients, key=lambda r: bool(rule[r] & {OK, REDIRECT})):
            client = clients[role]
            got = outcome(client.post(url) if method == "POST" else client.get(url))
            requests += 1
            if got not in rule[role]:
                problems.append(
                    f"{role} {method} {url} ({name}): {got}, expected {sorted(rule[role])}"
                )
    assert not problems, "\n".join(problems)
    return requests
