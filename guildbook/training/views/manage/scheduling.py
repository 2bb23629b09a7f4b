"""Scheduling: a single session, a series, editing, rescheduling and cancelling sessions."""

from django.contrib import messages
from django.shortcuts import redirect, render

from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_span, format_time
from guildbook.training import services
from guildbook.training.forms.manage import (
    CancelSessionForm,
    RescheduleForm,
    SeriesForm,
    SessionEditForm,
    SessionForm,
)
from guildbook.training.roles import trainer_required
from guildbook.training.views.manage.common import (
    load_course,
    load_session,
    posted_data,
    show_error,
)

# --- Scheduling -----------------------------------------------------------------------


def _create_page(request, slug, form_class, template: str, create):
    """A page that makes something new for a course (a session, a series): the form, then
    `create(course, cleaned_data)` (a service call answering the redirect); a refusal is
    shown beside its field."""
    course = load_course(request, slug)
    form = form_class(posted_data(request), course=course)
    if request.method == "POST" and form.is_valid():
        try:
            return create(course, form.cleaned_data)
        except ServiceError as exc:
            show_error(form, exc)
    return render(
        request, template, {"form": form, "course": course}, status=400 if form.is_bound else 200
    )


@trainer_required
def session_create(request, slug):
    def create(course, d):
        session = services.session_create(
            course=course,
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            capacity=d["capacity"],
            venue=d["venue"],
            online_link=d["online_link"],
            trainers=d["trainers"],
            actor=request.user,
        )
        messages.success(
            request, f"Session scheduled for {format_span(session.starts_at, session.ends_at)}."
        )
        return redirect("training:manage_session", pk=session.pk)

    return _create_page(request, slug, SessionForm, "training/manage/session_form.html", create)


@trainer_required
def series_create(request, slug):
    def create(course, d):
        series = services.series_create(
            course=course,
            actor=request.user,
            **{name: d[name] for name in SERIES_FIELDS},
        )
        count = series.sessions.count()
        messages.success(
            request,
            f"Series set up: {series.describe()}. "
            f"{count} session{'' if count == 1 else 's'} scheduled so far.",
        )
        return redirect("training:manage_course", slug=course.slug)

    return _create_page(request, slug, SeriesForm, "training/manage/series_form.html", create)


# The series form's fields, as series_create takes them.
SERIES_FIELDS = (
    "frequency",
    "interval",
    "week_of_month",
    "weekday",
    "start_time",
    "duration_minutes",
    "starts_on",
    "ends_on",
    "generate_months_ahead",
    "capacity",
    "venue",
    "online_link",
    "trainers",
)


@trainer_required
def session_edit(request, pk):
    session = load_session(request, pk)
    form = SessionEditForm(posted_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing was changed.")
            return redirect("training:manage_session", pk=session.pk)
        try:
            changed = services.session_update(
                session=session, actor=request.user, following=form.following, **changes
            )
        except ServiceError as exc:
            show_error(form, exc)
        else:
            n = len(changed)
            messages.success(
                request,
                "Session updated." if n == 1 else f"This and {n - 1} following sessions updated.",
            )
            return redirect("training:manage_session", pk=session.pk)
    return render(
        request,
        "training/manage/session_edit.html",
        {"form": form, "session": session, "course": session.course},
        status=400 if form.is_bound else 200,
    )


@trainer_required
def session_reschedule(request, pk):
    session = load_session(request, pk)
    form = RescheduleForm(posted_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_reschedule(
                session=session,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                actor=request.user,
            )
        except ServiceError as exc:
            exc.field = "date" if exc.field == "starts_at" else exc.field
            show_error(form, exc)
        else:
            messages.success(
                request,
                f"Session moved to {format_span(form.cleaned_data['starts_at'], form.cleaned_data['ends_at'])}. "  # noqa: E501
                "Everyone keeps their place.",
            )
            return redirect("training:manage_session", pk=session.pk)
    return render(
        request,
        "training/manage/session_reschedule.html",
        {"form": form, "session": session, "course": session.course},
        status=400 if form.is_bound else 200,
    )


@trainer_required
def session_cancel(request, pk):
    session = load_session(request, pk)
    form = CancelSessionForm(posted_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        move_to = form.cleaned_data["move_to"]
        try:
            services.session_cancel(
                session=session,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                move_to=move_to,
            )
        except ServiceError as exc:
            show_error(form, exc)
        else:
            if move_to:
                messages.success(
                    request,
                    f"Session cancelled. Its bookings moved to "
                    f"{format_date(move_to.starts_at)} at {format_time(move_to.starts_at)}.",
                )
                return redirect("training:manage_session", pk=move_to.pk)
            messages.success(request, "Session cancelled. Its bookings have ended.")
            return redirect("training:manage_session", pk=session.pk)
    return render(
        request,
        "training/manage/session_cancel.html",
        {
            "form": form,
            "session": session,
            "course": session.course,
            "active_count": session.places_taken + session.waiting_list_length,
        },
        status=400 if form.is_bound else 200,
    )
