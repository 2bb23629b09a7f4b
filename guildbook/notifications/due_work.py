"""Periodic "due work" that the worker runs before each batch it claims.

Some state changes fall due at a time rather than on a request: an offered place that was
not claimed in time, for instance. An app registers a callable in its own `messages.py`
(imported at start-up, like the message kinds)::

    from guildbook.notifications.due_work import due_work

    @due_work("training.offers_expire")
    def offers_expire(now):
        return services.offers_expire(now=now)  # how many things it did

Each callable does its own transactions and locking, and must be safe to run again at any
time and from several workers at once (re-check the state under a lock; do nothing if it
has already been done). Messages it queues are outbox rows like any other, so the batch
claimed straight after sends them. A callable that raises is logged and the others still run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime

log = logging.getLogger("guildbook.notifications")

_registry: dict[str, Callable[[datetime], int | None]] = {}


def due_work(name: str):
    """Decorator: register `fn(now)` under `name` ("app.what"). Registering again replaces."""

    def decorate(fn: Callable[[datetime], int | None]):
        _registry[name] = fn
        return fn

    return decorate


def registered_due_work() -> dict[str, Callable[[datetime], int | None]]:
    return dict(_registry)


def run_due_work(now: datetime) -> Counter:
    """Run every registered callable once; the counts are what each reported doing."""
    counts: Counter = Counter()
    for name, fn in _registry.items():
        try:
            done = fn(now)
        except Exception:
            log.exception("due work %s failed", name)
            counts["due_work_failed"] += 1
            continue
        if done:
            counts[name] += int(done)
    return counts
