"""Hooks run when a person is deactivated, registered by apps above accounts.

Accounts may not import the apps built on it, yet some of them hold things for a person
that must go when the person leaves (training: their places in sessions still to come,
their waiting-list entries, their registered interest). They register a hook when they
load (in their AppConfig.ready):

    from guildbook.accounts import hooks
    hooks.on_person_deactivated(my_service, words={"places": ("place released", ...)})

A hook is `hook(*, person, actor, now) -> dict[str, int]` (what it released, counted),
called by `user_update` (and so `user_deactivate`, the admin and every other path) inside
the transaction that deactivates the person, after the person is saved as inactive, so what
it writes commits or rolls back with the deactivation. An exception it raises rolls the
deactivation back. `words` gives each count's name, singular and plural, for the page that
deactivated the person ("2 places released").
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import ngettext

from guildbook.core.registries import Registry

PersonHook = Callable[..., dict]

_person_deactivated: Registry[PersonHook] = Registry()
_words: dict[str, tuple[str, str]] = {}


def on_person_deactivated(
    hook: PersonHook, *, words: dict[str, tuple[str, str]] | None = None
) -> PersonHook:
    """Register `hook` (once, however often the app loads), with the words for its counts."""
    _words.update(words or {})
    return _person_deactivated.add(hook)


def person_deactivated(*, person, actor, now) -> dict[str, int]:
    """Run every registered hook for `person`, in the order they were registered; their
    counts together."""
    released: dict[str, int] = {}
    for hook in _person_deactivated:
        for key, count in (hook(person=person, actor=actor, now=now) or {}).items():
            released[key] = released.get(key, 0) + count
    return released


def released_words(released: dict[str, int]) -> str:
    """The counts in words, those above nought only: "2 places released, 1 waiting-list
    entry removed"; empty when nothing was released."""
    parts = []
    for key, count in released.items():
        if count and key in _words:
            singular, plural = _words[key]
            parts.append(f"{count} {ngettext(singular, plural, count)}")
    return ", ".join(parts)
