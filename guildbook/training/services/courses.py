"""Writes to courses: creating, changing, trainers, the invitation link and the plan."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.training import alerts, hooks, messages, notes
from guildbook.training.models import (
    AgendaItem,
    BookingQuestion,
    Course,
    CourseMaterial,
    Session,
)

COURSE_FIELDS = {
    "title",
    "slug",
    "summary",
    "description",
    "learning_outcomes",
    "level",
    "duration_minutes",
    "audience",
    "category",
    "tags",
    "delivery",
    "visibility",
    "status",
    "booking_opens_days",
    "booking_closes_hours",
    "interest_head_start_days",
    "late_cancellation_hours",
    "waiting_list_enabled",
    "waiting_list_mode",
    "default_capacity",
    "reminder_hours",
    "confirmation_note",
    "reminder_note",
}


def course_create(*, actor: User | None, trainers: Iterable[User] = (), **fields) -> Course:
    """Create a course. Unknown fields are refused; the slug is made from the title."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise ServiceError(f"Unknown course field: {', '.join(sorted(unknown))}.")
    if not (fields.get("title") or "").strip():
        raise ServiceError("A course needs a title.", field="title")
    _check_notes(fields)
    with transaction.atomic():
        course = Course(**fields)
        if not course.slug:
            from django.utils.text import slugify

            base = slugify(course.title)[:190] or "course"
            slug, n = base, 2
            while Course.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            course.slug = slug
        elif Course.objects.filter(slug=course.slug).exists():
            raise Conflict("Another course already uses that web address.", field="slug")
        _full_clean(course)
        course.save()
        if trainers:
            course.trainers.set(trainers)
        audit_record(actor=actor, action="course_created", subject=course)
        hooks.course_created(course=course)
    return course


def course_update(
    *, course: Course, actor: User | None, trainers: Iterable[User] | None = None, **fields
) -> Course:
    """Change a course's details (and, when `trainers` is given, who runs it)."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise ServiceError(f"Unknown course field: {', '.join(sorted(unknown))}.")
    if "title" in fields and not (fields["title"] or "").strip():
        raise ServiceError("A course needs a title.", field="title")
    _check_notes(fields)
    with transaction.atomic():
        old_reminder_hours = course.reminder_hours
        old_opens_days = course.booking_opens_days
        old_head_start = course.interest_head_start_days
        for key, value in fields.items():
            setattr(course, key, value)
        _full_clean(course)
        course.save()
        if course.reminder_hours != old_reminder_hours:
            messages.on_reminder_hours_changed(course, now=timezone.now())
        if (course.booking_opens_days, course.interest_head_start_days) != (
            old_opens_days,
            old_head_start,
        ):
            alerts.alerts_follow_course(course)
        changed = sorted(fields)
        if trainers is not None:
            _course_trainers_set(course, trainers)
            changed.append("trainers")
        audit_record(actor=actor, action="course_updated", subject=course, fields=changed)
    return course


def course_save(
    *,
    course: Course | None,
    actor: User | None,
    fields: dict,
    trainers: Iterable[User] | None = None,
    plan: dict | None = None,
    then: Iterable[Callable[[Course], object]] = (),
) -> Course:
    """The trainers' course form in one transaction: create the course (`course` None) or
    change it, set its plan's parts given in `plan` (as course_plan_set), then run `then`,
    each called with `course=` the saved course: the fieldsets that apps above training add to the
    form (hooks.course_form_parts). A refusal anywhere leaves nothing saved."""
    with transaction.atomic():
        if course is None:
            saved = course_create(actor=actor, trainers=trainers or (), **fields)
        else:
            saved = course_update(course=course, actor=actor, trainers=trainers, **fields)
        if plan:
            course_plan_set(course=saved, actor=actor, **plan)
        for save in then:
            save(course=saved)
    return saved


def course_trainers_set(*, course: Course, trainers: Iterable[User], actor: User | None) -> Course:
    """Name who runs a course. Its sessions to come without trainers of their own get their
    rosters queued for the new trainers (and voided for the old) in this transaction."""
    with transaction.atomic():
        if _course_trainers_set(course, trainers):
            audit_record(actor=actor, action="course_updated", subject=course, fields=["trainers"])
    return course


def _course_trainers_set(course: Course, trainers: Iterable[User]) -> bool:
    trainers = list(trainers)
    if {t.pk for t in trainers} == set(course.trainers.values_list("pk", flat=True)):
        return False
    course.trainers.set(trainers)
    now = timezone.now()
    # Only the sessions that fall back on the course's trainers are affected.
    sessions = (
        course.sessions.filter(status=Session.Status.SCHEDULED, ends_at__gt=now)
        .annotate(own_trainers=Count("trainers"))
        .filter(own_trainers=0)
        .select_related("course")
        .order_by("starts_at", "id")
    )
    messages.on_trainers_changed(list(sessions), now=now)
    return True


def _check_notes(fields: dict) -> None:
    """The trainer's paragraphs use only the placeholders notes.render_note fills in."""
    for field in ("confirmation_note", "reminder_note"):
        wrong = notes.note_mistakes(fields.get(field) or "")
        if wrong:
            names = ", ".join(f"{{{n}}}" for n in notes.NOTE_PLACEHOLDERS[:-1])
            raise ServiceError(
                f"“{wrong[0]}” is not something Guildbook can fill in. You can use "
                f"{names} and {{{notes.NOTE_PLACEHOLDERS[-1]}}}, written exactly so.",
                field=field,
            )


def _full_clean(obj, **kwargs) -> None:
    """Model validation as a ServiceError naming the first field at fault."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            message = " ".join(m for e in errors for m in e.messages)
            raise ServiceError(message, field=None if field == "__all__" else field) from None
        raise ServiceError(" ".join(exc.messages)) from None


def course_invitation_renew(*, course: Course, actor: User | None) -> Course:
    """Give a closed course a new invitation link; the old link stops working at once."""
    import secrets

    if course.visibility != Course.Visibility.CLOSED:
        raise ServiceError("Only closed team courses have an invitation link.")
    with transaction.atomic():
        course.invitation_token = secrets.token_urlsafe(24)
        course.save(update_fields=["invitation_token", "updated_at"])
        audit_record(actor=actor, action="course_invitation_renewed", subject=course)
    return course


# Parts of a course edited as ordered lists: (model, editable fields, what one row is called).
PLAN_PARTS = {
    "agenda": (AgendaItem, ("kind", "minutes", "title", "notes"), "Agenda item"),
    "questions": (
        BookingQuestion,
        ("text", "help_text", "kind", "choices", "required", "asks_if_new", "new_answer"),
        "Question",
    ),
    "materials": (CourseMaterial, ("title", "url", "file", "for_trainers_only"), "Material"),
}


def course_plan_set(
    *,
    course: Course,
    actor: User | None,
    agenda: list[dict] | None = None,
    questions: list[dict] | None = None,
    materials: list[dict] | None = None,
) -> Course:
    """Set a course's session plan (agenda), booking questions and materials. All or nothing.

    Each list left as None is unchanged. Otherwise it is the whole list in its new order: a
    row with the "id" of one of this course's rows updates that row, a row without an id adds
    one, and the course's rows missing from the list are deleted. Answers already given keep
    their own copy of the question's text, so deleting a question loses no answer.
    """
    parts = {"agenda": agenda, "questions": questions, "materials": materials}
    with transaction.atomic():
        for name, rows in parts.items():
            if rows is None:
                continue
            model, fields, label = PLAN_PARTS[name]
            existing = {obj.pk: obj for obj in model.objects.filter(course=course)}
            keep = []
            objs = []
            for position, row in enumerate(rows, start=1):
                pk = row.get("id")
                obj = existing.get(int(pk)) if pk else model(course=course)
                if obj is None:
                    raise ServiceError(
                        f"{label} {position} is no longer part of this course; reload the page.",
                        field=name,
                    )
                for key in fields:
                    if key in row:
                        value = row[key]
                        if value is None and key != "minutes":
                            value = ""  # blank text; a blank `minutes` stays None
                        if key == "file" and value is False:
                            value = ""  # the file was cleared
                        setattr(obj, key, value)
                obj.order = position
                course_plan_row_check(name, obj, position)
                objs.append(obj)
                if obj.pk:
                    keep.append(obj.pk)
            if name == "questions":
                _one_new_to_library_question(objs)
            # Rows removed first, and a marked question saved last, so that moving the
            # "new to the library?" mark never holds two marked rows at once.
            model.objects.filter(course=course).exclude(pk__in=keep).delete()
            for obj in sorted(objs, key=lambda o: bool(getattr(o, "asks_if_new", False))):
                obj.save()
        audit_record(
            actor=actor,
            action="course_plan_updated",
            subject=course,
            parts=sorted(k for k, v in parts.items() if v is not None),
        )
    return course


def _one_new_to_library_question(questions: list) -> None:
    marked = [n for n, q in enumerate(questions, start=1) if q.asks_if_new]
    if len(marked) > 1:
        raise ServiceError(
            f"Questions {' and '.join(map(str, marked))} are both marked as the “new to the "
            "library?” question; a course has one.",
            field="questions",
        )


def _new_answer_check(obj, label: str, position: int) -> None:
    """The "new to the library?" question: yes or no, or one of a list, with the answer that
    means new ("yes" unless said otherwise). Unmarked, it has no such answer."""
    if not obj.asks_if_new:
        obj.new_answer = ""
        return
    answer = (obj.new_answer or "").strip()
    if obj.kind == BookingQuestion.Kind.YES_NO:
        answer = answer.lower() or "yes"
        if answer not in ("yes", "no"):
            raise ServiceError(
                f"{label} {position}: the answer that means new is yes or no.", field="questions"
            )
    elif obj.kind == BookingQuestion.Kind.CHOICE:
        if answer not in obj.choice_list:
            raise ServiceError(
                f"{label} {position}: the answer that means new must be one of its choices, "
                "as written.",
                field="questions",
            )
    else:
        raise ServiceError(
            f"{label} {position}: only a yes or no, or a one-of-a-list, question can be the "
            "“new to the library?” question.",
            field="questions",
        )
    obj.new_answer = answer


def course_plan_row_check(name: str, obj, position: int) -> None:
    """Refuse a row of a course's plan that `course_plan_set` would not save (`obj` is the
    AgendaItem, BookingQuestion or CourseMaterial with the row's values), naming it by its
    position: for a form that shows the refusal beside its row before anything is saved."""
    label = PLAN_PARTS[name][2]
    if name == "materials" and not obj.url and not obj.file:
        raise ServiceError(f"{label} {position}: give a link or a file.", field=name)
    if name == "questions" and obj.kind == BookingQuestion.Kind.CHOICE and len(obj.choice_list) < 2:
        raise ServiceError(
            f"{label} {position}: list at least two choices, one a line.", field=name
        )
    if name == "agenda" and obj.kind == AgendaItem.Kind.ITEM and obj.minutes == 0:
        raise ServiceError(f"{label} {position}: give the minutes, or leave it blank.", field=name)
    if name == "questions":
        _new_answer_check(obj, label, position)
    try:
        obj.full_clean(exclude=["course"], validate_constraints=False)
    except ValidationError as exc:
        raise ServiceError(f"{label} {position}: " + " ".join(exc.messages), field=name) from None
