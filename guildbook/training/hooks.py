"""Hooks run when a course is created, and parts of the trainers' course form, registered by
apps above training.

Training may not import the apps built on it, yet some of them add to a new course in the
same transaction (surveys gives every course its follow-up at 30 days). They register a
hook when they load (in their AppConfig.ready):

    from guildbook.training import hooks
    hooks.on_course_created(my_service)

A hook is `hook(*, course)`, called by `course_create` (and the admin's add form) inside
the transaction that creates the course, so what it writes commits or rolls back with it.
A hook only writes to the database; an exception it raises rolls the course back.

A **course form part** is a fieldset an app above training adds to the trainers' course form
(portfolios: the skills areas a course develops). It is a Django form class registered with
`add_course_form_part(FormClass)`; the page makes it as `FormClass(course=…, data=…,
prefix=…)` (`course` None for a new course), shows it in its own fieldset headed by its
`legend`, validates it with the course form, and once the course is saved calls
`form.save(course=…, actor=…)` in the same transaction, so a refusal rolls the course back
too. Its `save` calls its own app's service.
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


_course_form_parts: list[type] = []


def add_course_form_part(form_class: type) -> type:
    """Register a part of the trainers' course form (once, however often the app loads)."""
    if form_class not in _course_form_parts:
        _course_form_parts.append(form_class)
    return form_class


def course_form_parts(*, course, data=None) -> list:
    """A form for each registered part, for `course` (None for a new one), bound to `data`
    when given, in the order they were registered."""
    return [
        part(course=course, data=data, prefix=f"part{i}")
        for i, part in enumerate(_course_form_parts)
    ]
