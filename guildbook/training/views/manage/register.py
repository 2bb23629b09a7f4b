"""The register: marking attendance, one by one or all at once, and the sign-in sheet."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import Booking
from guildbook.training.roles import trainer_required
from guildbook.training.views.manage.common import (
    load_booking,
    load_session,
)

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
    session = load_session(request, pk)
    bookings = list(selectors.register(session))
    return render(request, "training/manage/register.html", _register_context(session, bookings))


@trainer_required
@require_POST
def attendance(request, pk):
    booking = load_booking(request, pk)
    session = load_session(request, booking.session_id)
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
    session = load_session(request, pk)
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
    session = load_session(request, pk)
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
