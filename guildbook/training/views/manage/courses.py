"""Trainers' dashboard, and courses: a course's page, creating and editing it with its plan,
renewing its invitation link."""

import csv
import functools
from datetime import timedelta

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.core.views import refusal_as_message
from guildbook.training import hooks, selectors, services
from guildbook.training.forms.manage import (
    PLAN_FORMSETS,
    CourseForm,
    plan_formsets,
    plan_row_add,
    plan_row_move,
    plan_rows,
)
from guildbook.training.models import Booking, Course, Series, Session
from guildbook.training.roles import trainer_required
from guildbook.training.views.manage.bookings import _csv_cell
from guildbook.training.views.manage.common import (
    load_course,
    show_error,
)

# --- Dashboard ------------------------------------------------------------------------


@trainer_required
def manage(request):
    now = timezone.now()
    upcoming = list(
        selectors.sessions_with_counts(selectors.upcoming_sessions(now=now)).order_by(
            "starts_at", "id"
        )[:50]
    )
    today = timezone.localdate()
    # Sessions under way or just finished still need their register taken.
    recent = list(
        selectors.sessions_with_counts(
            Session.objects.filter(
                status=Session.Status.SCHEDULED,
                starts_at__lte=now,
                starts_at__gte=now - timedelta(days=7),
            ).filter(  # a register with nobody left to mark is done
                Exists(
                    Booking.objects.filter(
                        session=OuterRef("pk"), status=Booking.Status.CONFIRMED, attendance=""
                    )
                )
            )
        ).order_by("-starts_at", "id")
    )
    mine = set(
        request.user.sessions_trained.filter(pk__in=[s.pk for s in upcoming + recent]).values_list(
            "pk", flat=True
        )
    )
    courses = list(Course.objects.filter(status=Course.Status.ACTIVE).order_by("title"))
    return render(
        request,
        "training/manage/dashboard.html",
        {
            "sessions": upcoming,
            "recent": recent,
            "mine": mine,
            "today": today,
            "courses": courses,
            "archived_count": Course.objects.filter(status=Course.Status.ARCHIVED).count(),
            "untrained_releases": list(selectors.late_releases_without_trainer(now=now)[:20]),
        },
    )


# --- Courses --------------------------------------------------------------------------


@trainer_required
def course(request, slug):
    course = selectors.course_with_plan(load_course(request, slug))
    sessions = list(selectors.sessions_of_course(course))
    past = list(
        selectors.sessions_with_counts(
            course.sessions.filter(starts_at__lte=timezone.now())
        ).order_by("-starts_at", "-id")[:10]
    )
    series = list(Series.objects.filter(course=course).order_by("starts_on", "id"))
    invitation_url = ""
    if course.visibility == Course.Visibility.CLOSED and course.invitation_token:
        invitation_url = request.build_absolute_uri(
            f"{course.get_absolute_url()}?invitation={course.invitation_token}"
        )
    return render(
        request,
        "training/manage/course.html",
        {
            "course": course,
            "sessions": sessions,
            "past": past,
            "series": series,
            "invitation_url": invitation_url,
            "planned_minutes": sum(a.minutes or 0 for a in course.agenda.all()),
            "interest": selectors.course_interest(course),
        },
    )


def _plan_change(data) -> dict | None:
    """The plan's "Move up", "Move down" or "Add another" button, pressed without scripts:
    the rows are rearranged in `data` (nothing is saved until "Save the course"), and the
    page says what happened and where focus goes."""
    if data.get("plan_add") in PLAN_FORMSETS:
        name = data["plan_add"]
        index = plan_row_add(data, name)
        total = int(data[f"{PLAN_FORMSETS[name][1]}-TOTAL_FORMS"])
        label = services.PLAN_PARTS[name][2].lower()
        return {
            "prefix": f"{PLAN_FORMSETS[name][1]}-{index}",
            "focus": "first",
            "status": f"Added an empty {label}, {total} of {total}.",
        }
    name, _, rest = (data.get("plan_move") or "").partition(":")
    index, _, direction = rest.partition(":")
    if name not in PLAN_FORMSETS or not index.isdigit():
        return None
    prefix = f"{PLAN_FORMSETS[name][1]}-{index}"
    moved = plan_row_move(data, name, int(index), direction)
    if moved is None:
        return {"prefix": prefix, "focus": direction, "status": ""}
    position, total = moved
    title = (data.get(f"{prefix}-{'text' if name == 'questions' else 'title'}") or "").strip()
    what = f"“{title}”" if title else f"the {services.PLAN_PARTS[name][2].lower()}"
    return {
        "prefix": prefix,
        "focus": direction,
        "status": f"Moved {what} {direction}, now {position} of {total}.",
    }


def _quiet(form) -> None:
    """Show what was typed without judging it: the trainer pressed a move or add button,
    not "Save the course". (Django checks a bound form when its errors are first read.)"""
    form._errors = ErrorDict()


@trainer_required
def course_interest_csv(request, slug):
    """The people waiting to hear of a date for the course, as CSV."""
    course = load_course(request, slug)
    audit_record(actor=request.user, action="course_interest_downloaded", subject=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-interest.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["name", "email", "team", "department", "organisation", "since"])
    for row in selectors.course_interest(course):
        cells = (
            row.person.display_name,
            row.person.email,
            row.team,
            row.department,
            row.organisation,
            timezone.localtime(row.since).date().isoformat(),
        )
        writer.writerow([_csv_cell(v) for v in cells])
    return response


def _course_form_page(request, course: Course | None):
    editing = course is not None
    instance = course or Course()
    plan_change = None
    if request.method == "POST" and ("plan_move" in request.POST or "plan_add" in request.POST):
        data = request.POST.copy()
        plan_change = _plan_change(data)
        form = CourseForm(data, instance=instance)
        formsets = plan_formsets(instance, data)
        parts = hooks.course_form_parts(course=course, data=data)
        for f in [form, *parts]:
            _quiet(f)
        for fs in formsets.values():
            fs._errors, fs._non_form_errors = [], fs.error_class()
            for f in fs.forms:
                _quiet(f)
        new_row = (plan_change or {}).get("focus") == "first" and plan_change["prefix"]
        for f in (f for fs in formsets.values() for f in fs.forms if f.prefix == new_row):
            f.visible_fields()[0].field.widget.attrs["autofocus"] = True  # its first field
        status = 200
    elif request.method == "POST":
        form = CourseForm(request.POST, instance=instance)
        formsets = plan_formsets(instance, request.POST, request.FILES)
        parts = hooks.course_form_parts(course=course, data=request.POST)
        if form.is_valid() and all(f.is_valid() for f in [*formsets.values(), *parts]):
            try:
                saved = services.course_save(
                    course=course,
                    actor=request.user,
                    fields=form.service_fields(),
                    trainers=form.cleaned_data["trainers"],
                    plan={name: plan_rows(name, fs) for name, fs in formsets.items()},
                    # the fieldsets added by apps above training
                    then=[functools.partial(part.save, actor=request.user) for part in parts],
                )
            except ServiceError as exc:
                if exc.field in formsets:
                    formsets[exc.field]._non_form_errors.append(exc.message)
                else:
                    show_error(form, exc)
            else:
                messages.success(
                    request, "Course saved." if editing else f"“{saved.title}” is in the catalogue."
                )
                return redirect("training:manage_course", slug=saved.slug)
        status = 400
    else:
        form = CourseForm(
            instance=instance, initial={"trainers": [request.user]} if not editing else None
        )
        formsets = plan_formsets(instance)
        parts = hooks.course_form_parts(course=course)
        status = 200
    return render(
        request,
        "training/manage/course_form.html",
        {
            "form": form,
            "course": course,
            "formsets": [
                (formsets[name], PLAN_FORMSETS[name][3], name, services.PLAN_PARTS[name][2])
                for name in PLAN_FORMSETS
            ],
            "parts": parts,
            "plan_change": plan_change or {},
        },
        status=status,
    )


@trainer_required
def course_create(request):
    return _course_form_page(request, None)


@trainer_required
def course_edit(request, slug):
    return _course_form_page(request, load_course(request, slug))


@trainer_required
@require_POST
def course_invitation_renew(request, slug):
    course = load_course(request, slug)
    with refusal_as_message(request):
        services.course_invitation_renew(course=course, actor=request.user)
        messages.success(request, "There is a new invitation link. The old one no longer works.")
    return redirect("training:manage_course", slug=course.slug)
