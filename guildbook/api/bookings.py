"""Bookings: booking a place (or a waiting-list entry), my bookings, cancelling, claiming or
declining an offered place, and the trainer's side — everyone on a session, taking someone
off it, and the register.

Whose booking: `/bookings/{id}/cancel`, `/claim` and `/decline` are for the caller's own
bookings only; anyone else's answers 404, trainers included. Trainers take someone off a
session with `/bookings/{id}/remove`, which is recorded as removed by a trainer, not as the
person's cancellation (so it never counts as a late cancellation).
"""

import re
from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from guildbook.accounts.models import normalise_email
from guildbook.api.auth import require_trainer
from guildbook.api.schemas import (
    DEFAULT_PAGE,
    BookingStatus,
    CourseRef,
    PageLimit,
    PageMeta,
    PageOffset,
    PersonRef,
    SessionResolvers,
    SessionStatus,
    errors,
    local_iso,
    page,
)
from guildbook.core.errors import ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import Booking

router = Router(tags=["bookings"])


class BookingIn(Schema):
    email: str | None = Field(
        None, description="Book someone else by e-mail (trainers only); new people are created."
    )
    name: str = Field("", max_length=150, description="Their name, for someone new.")
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Answers to the course's booking questions, keyed by question id.",
    )


class BookingCreatedOut(Schema):
    id: int
    status: BookingStatus = Field(description="confirmed (a place) or waiting.")
    waiting_list_position: int | None = Field(description="1 is next in line; null with a place.")
    session_id: int
    person: PersonRef


class SessionBrief(SessionResolvers):
    id: int
    course: CourseRef
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    venue: str
    url: str


def _position(obj) -> int | None:
    # Annotated by selectors.with_waiting_positions (None unless waiting).
    return obj.waiting_list_position


class BookingResolvers(Schema):
    """What every schema of a booking answers the same way: no attendance until it is taken,
    and when it was booked in the service's time zone. Resolvers only, like
    SessionResolvers: the fields and their order stay the subclass's own."""

    @staticmethod
    def resolve_attendance(obj):
        return obj.attendance or None

    @staticmethod
    def resolve_booked_at(obj):
        return local_iso(obj.created_at)


class MyBookingOut(BookingResolvers):
    id: int
    status: BookingStatus
    waiting_list_position: int | None
    late_cancellation: bool
    attendance: Booking.Attendance | None
    arrived_late: bool
    booked_at: datetime = Field(alias="created_at")
    session: SessionBrief
    online_link: str | None = Field(description="Given while you hold a place.")
    offer_expires_at: datetime | None = Field(
        None,
        description="When status is `offered`: the place is held for you until then; claim it "
        "from the offer e-mail or the booking page.",
    )

    @staticmethod
    def resolve_waiting_list_position(obj):
        return _position(obj)

    @staticmethod
    def resolve_offer_expires_at(obj):
        if obj.status == Booking.Status.OFFERED and obj.offer_expires_at:
            return local_iso(obj.offer_expires_at)
        return None

    @staticmethod
    def resolve_online_link(obj):
        session = obj.session
        if obj.status == Booking.Status.CONFIRMED and not session.is_cancelled:
            return session.online_link or None
        return None


class MyBookingPage(PageMeta):
    items: list[MyBookingOut]


class SessionBookingOut(BookingResolvers):
    id: int
    person: PersonRef
    status: BookingStatus
    waiting_list_position: int | None
    attendance: Booking.Attendance | None
    arrived_late: bool
    late_cancellation: bool
    booked_at: datetime = Field(alias="created_at")
    answers: dict[str, Any]

    @staticmethod
    def resolve_waiting_list_position(obj):
        return getattr(obj, "api_position", None)


class BookingEndedOut(Schema):
    id: int
    status: BookingStatus
    late: bool = Field(
        alias="late_cancellation", description="Cancelled inside the late-cancellation window."
    )


class AttendanceIn(Schema):
    attended: bool
    arrived_late: bool = False


class AttendanceOut(Schema):
    id: int
    status: BookingStatus
    attendance: Booking.Attendance
    arrived_late: bool


_QUESTION_FIELD = re.compile(r"q(\d+)")


def _name_answer_fields(exc: ServiceError) -> None:
    # The web form names a question's field q<id>; in the API it is answers.<id>.
    if exc.field and _QUESTION_FIELD.fullmatch(exc.field):
        exc.field = f"answers.{exc.field[1:]}"


@router.post(
    "/sessions/{int:session_id}/bookings",
    response={201: BookingCreatedOut, **errors(400, 403, 404, 409)},
    summary="Book a place",
)
def book(request, session_id: int, payload: BookingIn | None = None):
    """Book the caller a place, or a place on the waiting list when the session is full.

    Trainers may send `email` (and `name`) to book someone else, creating the person if they
    are new; they may also book outside the booking window. Answers 409 when the person
    already holds a place or a waiting-list entry, and 422 (`booking_not_open` or `full`)
    when the session cannot be booked, with the reason in `detail`.
    """
    user = request.auth
    payload = payload or BookingIn()
    session = selectors.session_to_book(user, pk=session_id)
    for_someone_else = payload.email and normalise_email(payload.email) != user.email
    try:
        if for_someone_else:
            require_trainer(user, doing="book other people")
            booking = services.booking_add_person(
                session=session,
                email=payload.email,
                name=payload.name,
                actor=user,
                answers=payload.answers,
            )
        else:
            booking = services.booking_create(
                session=session,
                person=user,
                actor=user,
                answers=payload.answers,
            )
    except ServiceError as exc:
        _name_answer_fields(exc)
        raise
    return Status(
        201,
        {
            "id": booking.pk,
            "status": booking.status,
            # Counted under the session's lock as the booking was made: no second query.
            "waiting_list_position": getattr(booking, "position_when_joined", None),
            "session_id": booking.session_id,
            "person": booking.person,
        },
    )


@router.get(
    "/sessions/{int:session_id}/bookings",
    response={200: list[SessionBookingOut], **errors(403, 404)},
    summary="Everyone on a session",
)
def session_bookings(request, session_id: int, include_cancelled: bool = False):
    """Trainers only: people with a place (in booking order), then the waiting list in its
    order; with `include_cancelled=true`, ended bookings too. Not paged: a session's list is
    bounded by its capacity and waiting list."""
    require_trainer(request.auth, doing="see who is booked on a session")
    session = selectors.session_for_trainer(request.auth, pk=session_id)
    bookings = list(selectors.session_bookings(session))
    order = {Booking.Status.CONFIRMED: 0, Booking.Status.WAITING: 1, Booking.Status.CANCELLED: 2}
    bookings.sort(key=lambda b: order.get(b.status, 3))  # stable: keeps the selector's order
    waiting = [b for b in bookings if b.status == Booking.Status.WAITING]
    waiting.sort(key=lambda b: (b.waiting_since, b.pk))
    for n, b in enumerate(waiting, start=1):
        b.api_position = n
    if not include_cancelled:
        bookings = [b for b in bookings if b.is_active]
    return bookings


@router.get("/me/bookings", response={200: MyBookingPage, **errors()}, summary="My bookings")
def my_bookings(
    request,
    upcoming: Annotated[bool, Query(description="Only sessions that have not yet ended.")] = False,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
):
    """The caller's bookings in date order, including cancelled ones and the waiting list."""
    qs = selectors.with_waiting_positions(
        selectors.bookings_for_user(request.auth, upcoming_only=upcoming)
    )
    return page(qs, limit=limit, offset=offset)


@router.get(
    "/bookings/{int:booking_id}", response={200: MyBookingOut, **errors(404)}, summary="A booking"
)
def get_booking(request, booking_id: int):
    """The caller's own booking; trainers may open anyone's. Otherwise 404."""
    return _booking_out(selectors.booking_get_for_user(request.auth, pk=booking_id))


def _own_booking(user, booking_id: int) -> Booking:
    booking = selectors.bookings_for_user(user).filter(pk=booking_id).first()
    if booking is None:
        raise Http404("No such booking")
    return booking


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response={200: BookingEndedOut, **errors(400, 404)},
    summary="Cancel my booking",
)
def cancel(request, booking_id: int):
    """Cancel the caller's own place, or leave the waiting list. A freed place goes at once
    to the head of the waiting list. `late` is true inside the course's late-cancellation
    window. Someone else's booking answers 404, trainers included (see /remove)."""
    booking = _own_booking(request.auth, booking_id)
    return services.booking_cancel(booking=booking, actor=request.auth)


def _booking_out(booking: Booking) -> Booking:
    # Read again with the waiting-list position the response shows.
    return selectors.with_waiting_positions(
        Booking.objects.select_related("session__course").filter(pk=booking.pk)
    ).get()


@router.post(
    "/bookings/{int:booking_id}/claim",
    response={200: MyBookingOut, **errors(400, 404, 409)},
    summary="Claim the place offered to me",
)
def claim_offer(request, booking_id: int):
    """Offer mode: take the place held for the caller (status `offered`), or, in the last
    24 hours before the session, a free place everyone waiting was told about (status
    `waiting`; the first to claim it gets it). Answers the booking, now `confirmed`.
    409 `offer_gone` when there is no place to claim any more (the offer ran out or was
    passed on, someone claimed the free place first, the session started or was cancelled;
    the person keeps their turn on the waiting list where they still have one). Someone
    else's booking answers 404, trainers included."""
    booking = _own_booking(request.auth, booking_id)
    return _booking_out(services.offer_claim(booking=booking, actor=request.auth))


@router.post(
    "/bookings/{int:booking_id}/decline",
    response={200: MyBookingOut, **errors(404, 409)},
    summary="Pass on the place offered to me",
)
def decline_offer(request, booking_id: int):
    """Offer mode: "no thanks" to the place held for the caller. The caller leaves the
    waiting list and the place is offered to the next person. Answers the booking, now
    `cancelled`. 409 `offer_gone` when nothing is on offer to the caller. Someone else's
    booking answers 404, trainers included."""
    booking = _own_booking(request.auth, booking_id)
    return _booking_out(services.offer_decline(booking=booking, actor=request.auth))


@router.post(
    "/bookings/{int:booking_id}/remove",
    response={200: BookingEndedOut, **errors(400, 403, 404)},
    summary="Take someone off a session",
)
def remove(request, booking_id: int):
    """Trainers only: end anyone's place or waiting-list entry. Recorded as removed by a
    trainer; the freed place goes to the head of the waiting list."""
    require_trainer(request.auth, doing="take people off a session")
    booking = selectors.booking_get_for_user(request.auth, pk=booking_id)
    return services.booking_remove(booking=booking, actor=request.auth)


@router.post(
    "/bookings/{int:booking_id}/attendance",
    response={200: AttendanceOut, **errors(400, 403, 404)},
    summary="Mark attendance",
)
def attendance(request, booking_id: int, payload: AttendanceIn):
    """Trainers only: attended (optionally arrived late) or a no-show, for someone with a
    place. Marks are refused before the session starts; they can be changed afterwards."""
    require_trainer(request.auth, doing="take the register")
    booking = selectors.booking_get_for_user(request.auth, pk=booking_id)
    return services.attendance_record(
        booking=booking,
        attended=payload.attended,
        arrived_late=payload.arrived_late,
        actor=request.auth,
    )
