"""Scheduling: a single session, a series (with its preview), editing, rescheduling and
cancelling sessions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.forms import form_page, refusal_on_form
from guildbook.core.timefmt import format_date, format_span, format_time
from guildbook.core.views import refusal_as_message
from guildbook.training import services
from guildbook.training.forms.manage import (
    CancelSessionForm,
    RescheduleForm,
    SeriesForm,
    SessionEditForm,
    SessionForm,
)
from guildbook.training.models import Series
from guildbook.training.roles import trainer_required
from guildbook.training.views.manage.common import (
    load_course,
    load_session,
    posted_data,
    show_error,
)

# --- Scheduling -----------------------------------------------------------------------


@trainer_required
def session_create(request, slug):
    course = load_course(request, slug)
    form = SessionForm(posted_data(request), course=course)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            session = services.session_create(
                course=course, **form.session_details(), actor=request.user
            )
            messages.success(
                request, f"Session scheduled for {format_span(session.starts_at, session.ends_at)}."
            )
            return redirect("training:manage_session", pk=session.pk)
    return form_page(
        request,
        "training/manage/session_form.html",
        {"form": form, "course": course},
        form=form,
    )


@trainer_required
def series_create(request, slug):
    course = load_course(request, slug)
    form = SeriesForm(posted_data(request), course=course)
    preview = None
    if request.method == "POST" and form.is_valid() and request.POST.get("preview"):
        preview = _series_preview(course, form.cleaned_data)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with refusal_on_form(form):
            series = services.series_create(
                course=course,
                frequency=d["frequency"],
                interval=d["interval"],
                week_of_month=d["week_of_month"],
                weekday=d["weekday"],
                start_time=d["start_time"],
                duration_minutes=d["duration_minutes"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                generate_months_ahead=d["generate_months_ahead"],
                capacity=d["capacity"],
                venue=d["venue"],
                online_link=d["online_link"],
                link_to_follow=d["link_to_follow"],
                trainers=d["trainers"],
                actor=request.user,
            )
            count = series.sessions.count()
            messages.success(
                request,
                f"Series set up: {series.describe()}. "
                f"{count} session{'' if count == 1 else 's'} scheduled so far.",
            )
            return redirect("training:manage_course", slug=course.slug)
    return render(
        request,
        "training/manage/series_form.html",
        {"form": form, "course": course, "preview": preview},
        status=200 if preview is not None or not form.is_bound else 400,
    )


def _series_preview(course, d) -> list:
    """The sessions the series would create now, from the form, without saving anything."""
    from guildbook.training.recurrence import series_occurrences

    series = Series(
        course=course,
        frequency=d["frequency"],
        interval=d["interval"],
        weekday=d["weekday"],
        week_of_month=d["week_of_month"],
        start_time=d["start_time"],
        duration_minutes=d["duration_minutes"] or course.duration_minutes,
        starts_on=d["starts_on"],
        ends_on=d["ends_on"],
        generate_months_ahead=d["generate_months_ahead"],
    )
    return series_occurrences(series)


@trainer_required
def session_edit(request, pk):
    session = load_session(request, pk)
    form = SessionEditForm(posted_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing was changed.")
            return redirect("training:manage_session", pk=session.pk)
        with refusal_on_form(form):
            changed = services.session_update(
                session=session, actor=request.user, following=form.following, **changes
            )
            n = len(changed)
            messages.success(
                request,
                "Session updated." if n == 1 else f"This and {n - 1} following sessions updated.",
            )
            return redirect("training:manage_session", pk=session.pk)
    return _session_form_page(request, "training/manage/session_edit.html", form, session)


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
    return _session_form_page(request, "training/manage/session_reschedule.html", form, session)


@trainer_required
def session_cancel(request, pk):
    session = load_session(request, pk)
    form = CancelSessionForm(posted_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        move_to = form.cleaned_data["move_to"]
        with refusal_on_form(form):
            services.session_cancel(
                session=session,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                move_to=move_to,
            )
            if move_to:
                messages.success(
                    request,
                    f"Session cancelled. Its bookings moved to "
                    f"{format_date(move_to.starts_at)} at {format_time(move_to.starts_at)}.",
                )
                return redirect("training:manage_session", pk=move_to.pk)
            messages.success(request, "Session cancelled. Its bookings have ended.")
            return redirect("training:manage_session", pk=session.pk)
    return _session_form_page(
        request,
        "training/manage/session_cancel.html",
        form,
        session,
        active_count=session.places_taken + session.waiting_list_length,
    )


@trainer_required
@require_POST
def session_open(request, pk):
    """A closed session (made for one team from the outreach log) opened to everyone."""
    session = load_session(request, pk)
    with refusal_as_message(request):
        services.session_open_to_all(session=session, actor=request.user)
        messages.success(
            request,
            "The session is open to everyone now: it is in the catalogue and anyone can book it.",
        )
    return redirect("training:manage_session", pk=session.pk)


def _session_form_page(request, template: str, form, session, **context):
    """A page with a form about one session (edit, reschedule, cancel): the form, the
    session and its course, and any more `context`; 400 when the posted form failed."""
    return form_page(
        request,
        template,
        {"form": form, "session": session, "course": session.course, **context},
        form=form,
    )
