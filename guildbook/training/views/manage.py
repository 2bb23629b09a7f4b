"""Pages for trainers: courses and their plans, sessions and series, bookings, the register.

Thin: objects are loaded through selectors (anyone but a trainer gets a 404), every POST goes
through a service, and a ServiceError is shown beside the field it names. GET never changes
anything.
"""

import csv
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_span, format_time
from guildbook.training import outcomes, removal, selectors, services
from guildbook.training.forms.manage import (
    PLAN_FORMSETS,
    AddPersonForm,
    CancelSessionForm,
    CapacityForm,
    CourseForm,
    MoveBookingForm,
    RescheduleForm,
    SeriesForm,
    SessionEditForm,
    SessionForm,
    other_sessions,
    plan_formsets,
    plan_rows,
)
from guildbook.training.models import Booking, Course, Series, Session
from guildbook.training.roles import trainer_required


def _posted(request):
    """The POST data to bind a form to, even when empty (`request.POST or None` is not)."""
    return request.POST if request.method == "POST" else None


def _put_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside its field, or above the form when it names none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _course(request, slug) -> Course:
    return selectors.course_get_for_user(request.user, slug=slug)


def _session(request, pk) -> Session:
    return selectors.session_for_trainer(request.user, pk=pk)


def _booking(request, pk) -> Booking:
    return selectors.booking_get_for_user(request.user, pk=pk)


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
    course = selectors.course_with_plan(_course(request, slug))
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
        },
    )


def _course_form_page(request, course: Course | None):
    editing = course is not None
    instance = course or Course()
    if request.method == "POST":
        form = CourseForm(request.POST, instance=instance)
        formsets = plan_formsets(instance, request.POST, request.FILES)
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            try:
                with transaction.atomic():
                    if editing:
                        saved = services.course_update(
                            course=course,
                            actor=request.user,
                            trainers=form.cleaned_data["trainers"],
                            **form.service_fields(),
                        )
                    else:
                        saved = services.course_create(
                            actor=request.user,
                            trainers=form.cleaned_data["trainers"],
                            **form.service_fields(),
                        )
                    services.course_plan_set(
                        course=saved,
                        actor=request.user,
                        **{name: plan_rows(name, fs) for name, fs in formsets.items()},
                    )
            except ServiceError as exc:
                if exc.field in formsets:
                    formsets[exc.field]._non_form_errors.append(exc.message)
                else:
                    _put_error(form, exc)
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
        status = 200
    return render(
        request,
        "training/manage/course_form.html",
        {
            "form": form,
            "course": course,
            "formsets": [(formsets[name], PLAN_FORMSETS[name][3], name) for name in PLAN_FORMSETS],
        },
        status=status,
    )


@trainer_required
def course_create(request):
    return _course_form_page(request, None)


@trainer_required
def course_edit(request, slug):
    return _course_form_page(request, _course(request, slug))


@trainer_required
@require_POST
def course_invitation_renew(request, slug):
    course = _course(request, slug)
    try:
        services.course_invitation_renew(course=course, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "There is a new invitation link. The old one no longer works.")
    return redirect("training:manage_course", slug=course.slug)


# --- Scheduling -----------------------------------------------------------------------


@trainer_required
def session_create(request, slug):
    course = _course(request, slug)
    form = SessionForm(_posted(request), course=course)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = services.session_create(
                course=course,
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                capacity=d["capacity"],
                venue=d["venue"],
                online_link=d["online_link"],
                link_to_follow=d["link_to_follow"],
                trainers=d["trainers"],
                actor=request.user,
            )
        except ServiceError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request, f"Session scheduled for {format_span(session.starts_at, session.ends_at)}."
            )
            return redirect("training:manage_session", pk=session.pk)
    return render(
        request,
        "training/manage/session_form.html",
        {"form": form, "course": course},
        status=400 if form.is_bound else 200,
    )


@trainer_required
def series_create(request, slug):
    course = _course(request, slug)
    form = SeriesForm(_posted(request), course=course)
    preview = None
    if request.method == "POST" and form.is_valid() and request.POST.get("preview"):
        preview = _series_preview(course, form.cleaned_data)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
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
        except ServiceError as exc:
            _put_error(form, exc)
        else:
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
    from guildbook.training.models import Series
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
    session = _session(request, pk)
    form = SessionEditForm(_posted(request), session=session)
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
            _put_error(form, exc)
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
    session = _session(request, pk)
    form = RescheduleForm(_posted(request), session=session)
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
            _put_error(form, exc)
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
    session = _session(request, pk)
    form = CancelSessionForm(_posted(request), session=session)
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
            _put_error(form, exc)
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


# --- A session's bookings -------------------------------------------------------------


def _missed_text(n: int) -> str:
    if not n:
        return ""
    return f"{n} earlier session{'' if n == 1 else 's'} missed"


def _session_bookings(session: Session):
    """Places (in booking order) and the waiting list (in its order, with positions)."""
    bookings = list(selectors.session_bookings(session).filter(status__in=Booking.ACTIVE))
    places = sorted(
        (b for b in bookings if b.status == Booking.Status.CONFIRMED),
        key=lambda b: (b.confirmed_at or b.created_at, b.pk),
    )
    waiting = sorted(
        (b for b in bookings if b.status == Booking.Status.WAITING),
        key=lambda b: (b.waiting_since, b.pk),
    )
    for position, b in enumerate(waiting, start=1):
        b.position = position
    # Places offered from the waiting list (offer mode) head the list, marked as offered.
    offered = sorted(
        (b for b in bookings if b.status == Booking.Status.OFFERED),
        key=lambda b: (b.waiting_since, b.pk),
    )
    for b in offered:
        b.position = "Offered"
    waiting = offered + waiting
    missed = selectors.no_show_counts([b.person_id for b in bookings], before=session.starts_at)
    for b in bookings:
        b.missed = _missed_text(missed.get(b.person_id, 0))
    return places, waiting


def _session_page(request, session, *, status=200, add_form=None, capacity_form=None, errors=None):
    places, waiting = _session_bookings(session)
    for b in places + waiting:
        b.error = (errors or {}).get(b.pk)
    targets = list(
        selectors.sessions_with_counts(other_sessions(session)).order_by("starts_at", "id")[:20]
    )
    return render(
        request,
        "training/manage/session.html",
        {
            "session": session,
            "course": session.course,
            "places": places,
            "waiting": waiting,
            "targets": targets,
            "add_form": add_form or AddPersonForm(),
            "capacity_form": capacity_form or CapacityForm(initial={"capacity": session.capacity}),
            "can_change": not session.is_cancelled,
            "is_past": session.starts_at <= timezone.now(),
            "removed": _just_removed(request, session),
        },
        status=status,
    )


def _just_removed(request, session) -> Booking | None:
    """The booking named in ?removed= when it was taken off this session moments ago."""
    pk = request.GET.get("removed", "")
    if not pk.isdigit():
        return None
    booking = Booking.objects.filter(pk=int(pk), session=session).select_related("person").first()
    return booking if booking is not None and removal.can_undo(booking) else None


@trainer_required
def session(request, pk):
    return _session_page(request, _session(request, pk))


@trainer_required
@require_POST
def booking_add(request, pk):
    session = _session(request, pk)
    form = AddPersonForm(request.POST)
    if form.is_valid():
        try:
            booking = services.booking_add_person(
                session=session,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ServiceError as exc:
            _put_error(form, exc)
        else:
            who = booking.person.display_name
            if booking.status == Booking.Status.CONFIRMED:
                messages.success(request, f"{who} has a place.")
            else:
                messages.success(
                    request,
                    f"The session is full, so {who} is on the waiting list at number "
                    f"{services.waiting_position(booking)}.",
                )
            return redirect("training:manage_session", pk=session.pk)
    return _session_page(request, session, status=400, add_form=form)


@trainer_required
@require_POST
def session_capacity(request, pk):
    session = _session(request, pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.session_set_capacity(
                session=session, capacity=form.cleaned_data["capacity"], actor=request.user
            )
        except ServiceError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request, f"The session now has {form.cleaned_data['capacity']} places."
            )
            return redirect("training:manage_session", pk=session.pk)
    return _session_page(request, session, status=400, capacity_form=form)


@trainer_required
@require_POST
def booking_move(request, pk):
    booking = _booking(request, pk)
    session = _session(request, booking.session_id)
    form = MoveBookingForm(request.POST, session=session)
    if form.is_valid():
        target = form.cleaned_data["to_session"]
        try:
            new = services.booking_move(booking=booking, to_session=target, actor=request.user)
        except ServiceError as exc:
            return _session_page(request, session, status=400, errors={booking.pk: exc.message})
        where = f"{format_date(target.starts_at)} at {format_time(target.starts_at)}"
        if new.status == Booking.Status.CONFIRMED:
            messages.success(request, f"{booking.person.display_name} moved to {where}.")
        else:
            messages.success(
                request,
                f"{booking.person.display_name} moved to {where}, on the waiting list at number "
                f"{services.waiting_position(new)}.",
            )
        return redirect("training:manage_session", pk=session.pk)
    errors = {booking.pk: " ".join(e for errs in form.errors.values() for e in errs)}
    return _session_page(request, session, status=400, errors=errors)


@trainer_required
def booking_remove(request, pk):
    """GET asks first (a reason, whether to tell them); the POST removes, and the session
    page then offers to undo it for a few minutes (removal.py)."""
    booking = _booking(request, pk)
    session = _session(request, booking.session_id)
    if request.method == "POST":
        try:
            services.booking_remove(
                booking=booking,
                actor=request.user,
                reason=request.POST.get("reason", "")[:500],
                tell=bool(request.POST.get("tell")),
                give_to=_chosen(booking, request.POST.get("give_to", "")),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("training:manage_session", pk=booking.session_id)
        url = reverse("training:manage_session", args=[booking.session_id])
        return redirect(f"{url}?removed={booking.pk}")
    if not booking.is_active:
        return redirect("training:manage_session", pk=booking.session_id)
    return render(
        request,
        "training/manage/booking_remove.html",
        {
            "booking": booking,
            "session": session,
            "course": session.course,
            "waiting": outcomes.waiting_count(session),
            "waiting_list": list(
                Booking.objects.filter(session=session, status=Booking.Status.WAITING)
                .select_related("person")
                .order_by("waiting_since", "id")
            ),
            "undo_minutes": int(removal.UNDO_WINDOW.total_seconds() // 60),
        },
    )


@trainer_required
def session_message(request, pk):
    """E-mail everyone on the session, or its waiting list (announcements.py)."""
    from guildbook.training import announcements

    session = _session(request, pk)
    values = {"audience": "places", "subject": "", "body": ""}
    error = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            count = announcements.session_message_send(
                session=session, actor=request.user, **values
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request,
                f"Your e-mail is on its way to {count} {'person' if count == 1 else 'people'}.",
            )
            return redirect("training:manage_session", pk=session.pk)
    return render(
        request,
        "training/manage/session_message.html",
        {
            "session": session,
            "course": session.course,
            "values": values,
            "error": error,
            "audiences": announcements.AUDIENCES.items(),
        },
        status=400 if error else 200,
    )


def _chosen(booking, value: str) -> Booking | None:
    """The waiting-list entry the trainer picked for the freed place ("" = the next one)."""
    if not value.isdigit():
        return None
    return Booking.objects.filter(pk=int(value), session_id=booking.session_id).first()


@trainer_required
@require_POST
def booking_restore(request, pk):
    booking = _booking(request, pk)
    try:
        removal.booking_restore(booking=booking, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{booking.person.display_name} is back on the session.")
    return redirect("training:manage_session", pk=booking.session_id)


def _csv_cell(value) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@trainer_required
def session_csv(request, pk):
    session = _session(request, pk)
    audit_record(actor=request.user, action="register_downloaded", subject=session)
    places, waiting = _session_bookings(session)
    questions = list(session.course.questions.all())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{session.course.slug}-{timezone.localtime(session.starts_at):%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            "name",
            "email",
            "team",
            "organisation",
            "status",
            "waiting list position",
            "booked at",
            "attendance",
            "arrived late",
            "earlier sessions missed",
            *[q.text for q in questions],
        ]
    )
    for b in places + waiting:
        answers = {k: v.get("answer", "") for k, v in (b.answers or {}).items()}
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    b.person.display_name,
                    b.person.email,
                    b.person.team,
                    b.person.organisation,
                    b.get_status_display(),
                    getattr(b, "position", ""),
                    timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M"),
                    b.get_attendance_display() if b.attendance else "",
                    "yes" if b.arrived_late else "",
                    b.missed.split(" ")[0] if b.missed else "0",
                    *[answers.get(str(q.pk), "") for q in questions],
                )
            ]
        )
    return response


# --- The register ---------------------------------------------------------------------


def _register_summary(bookings) -> dict:
    attended = sum(1 for b in bookings if b.attendance == Booking.Attendance.ATTENDED)
    no_show = sum(1 for b in bookings if b.attendance == Booking.Attendance.NO_SHOW)
    return {
        "total": len(bookings),
        "attended": attended,
        "no_show": no_show,
        "unmarked": len(bookings) - attended - no_show,
    }


def _register_context(session, bookings, **extra):
    opens_at = session.starts_at  # marks count from the start (attendance_record)
    return {
        "session": session,
        "course": session.course,
        "bookings": bookings,
        "summary": _register_summary(bookings),
        "register_open": timezone.now() >= opens_at,
        "opens_at": opens_at,
        **extra,
    }


@trainer_required
def register(request, pk):
    session = _session(request, pk)
    bookings = list(selectors.register(session))
    return render(request, "training/manage/register.html", _register_context(session, bookings))


@trainer_required
@require_POST
def attendance(request, pk):
    booking = _booking(request, pk)
    session = _session(request, booking.session_id)
    choice = request.POST.get("attended")
    error = None
    if choice not in ("yes", "no"):
        error = "Choose attended or no-show."
    else:
        try:
            booking = services.attendance_record(
                booking=booking,
                attended=choice == "yes",
                arrived_late=bool(request.POST.get("arrived_late")),
                actor=request.user,
            )
        except ServiceError as exc:
            error = exc.message
    if request.htmx:
        bookings = list(selectors.register(session))
        row = next((b for b in bookings if b.pk == booking.pk), booking)
        row.error = error
        return render(
            request,
            "training/manage/_register_row_response.html",
            _register_context(session, bookings, b=row),
            status=200,
        )
    if error:
        messages.error(request, f"{booking.person.display_name}: {error}")
    else:
        state = "attended" if booking.attendance == Booking.Attendance.ATTENDED else "a no-show"
        late = ", arrived late" if booking.arrived_late else ""
        messages.success(request, f"{booking.person.display_name}: {state}{late}.")
    return redirect(reverse("training:manage_register", args=[session.pk]) + f"#reg-{booking.pk}")


@trainer_required
@require_POST
def register_mark_all(request, pk):
    session = _session(request, pk)
    error = None
    try:
        marked = services.attendance_mark_all(session=session, attended=True, actor=request.user)
    except ServiceError as exc:
        error, marked = exc.message, 0
    if request.htmx:
        bookings = list(selectors.register(session))
        return render(
            request,
            "training/manage/_register_list_response.html",
            _register_context(
                session,
                bookings,
                list_error=error,
                list_message=None if error else _marked_text(marked),
            ),
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _marked_text(marked))
    return redirect("training:manage_register", pk=session.pk)


def _marked_text(n: int) -> str:
    if not n:
        return "Everyone was already marked."
    return f"{n} {'person' if n == 1 else 'people'} marked as attended."


@trainer_required
def sign_in_sheet(request, pk):
    session = _session(request, pk)
    bookings = list(selectors.register(session))
    return render(
        request,
        "training/manage/sign_in_sheet.html",
        {
            "session": session,
            "course": session.course,
            "bookings": bookings,
            "blank_rows": range(5),  # for people who turn up without a booking
        },
    )
