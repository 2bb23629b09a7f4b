"""Hooks run when a course is created, registered by apps above training.

Training may not import the apps built on it, yet some of them add to a new course in the
same transaction (surveys gives every course its follow-up at 30 days). They register a
hook when they load (in their AppConfig.ready):

    from guildbook.training import hooks
    hooks.on_course_created(my_service)

A hook is `hook(*, course)`, called by `course_create` (and the admin's add form) inside
the transaction that creates the course, so what it writes commits or rolls back with it.
A hook only writes to the database; an exception it raises rolls the course back.
"""

from __future__ import annotations

from collections.abc import Callable

CourseHook = Callable[..., object]

_course_created: list[CourseHook] = []


def on_course_created(hook: CourseHook) -> CourseHook:
    """Register `hook` (once, however often the app loads)."""
    if hook not in _course_created:
        _course_created.append(hook)
    return hook


def course_created(*, course) -> None:
    """Run every registered hook for the new `course`, in the order they were registered."""
    for hook in _course_created:
        hook(course=course)
