"""A session's bookings for its trainers: the session page, adding, moving, removing and
restoring people, its capacity, e-mailing everyone on it, and the CSV of everyone booked."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.core.forms import refusal_on_form
from guildbook.core.spreadsheets import safe_text
from guildbook.core.timefmt import format_date, format_time
from guildbook.core.views import refusal_as_message
from guildbook.training import outcomes, removal, selectors, services
from guildbook.training.forms.manage import (
    AddPersonForm,
    CapacityForm,
    MoveBookingForm,
    other_sessions,
)
from guildbook.training.models import Booking, Session
from guildbook.training.roles import trainer_required
from guildbook.training.views.manage.common import (
    load_booking,
    load_session,
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
    return _session_page(request, load_session(request, pk))


@trainer_required
@require_POST
def booking_add(request, pk):
    session = load_session(request, pk)
    form = AddPersonForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            booking = services.booking_add_person(
                session=session,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
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
    session = load_session(request, pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            services.session_set_capacity(
                session=session, capacity=form.cleaned_data["capacity"], actor=request.user
            )
            messages.success(
                request, f"The session now has {form.cleaned_data['capacity']} places."
            )
            return redirect("training:manage_session", pk=session.pk)
    return _session_page(request, session, status=400, capacity_form=form)


@trainer_required
@require_POST
def booking_move(request, pk):
    booking = load_booking(request, pk)
    session = load_session(request, booking.session_id)
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
    booking = load_booking(request, pk)
    session = load_session(request, booking.session_id)
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

    session = load_session(request, pk)
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
    booking = load_booking(request, pk)
    with refusal_as_message(request):
        removal.booking_restore(booking=booking, actor=request.user)
        messages.success(request, f"{booking.person.display_name} is back on the session.")
    return redirect("training:manage_session", pk=booking.session_id)


def _csv_cell(value) -> str:
    """Text a spreadsheet will not run as a formula."""
    return safe_text("" if value is None else value)


@trainer_required
def session_csv(request, pk):
    session = load_session(request, pk)
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
