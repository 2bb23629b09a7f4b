"""/api/v1/sessions: dated sessions of the courses the caller may see, and scheduling one."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from guildbook.api.auth import require_trainer
from guildbook.api.schemas import (
    DEFAULT_PAGE,
    CourseRef,
    PageLimit,
    PageMeta,
    PageOffset,
    SessionResolvers,
    SessionStatus,
    aware,
    errors,
    page,
)
from guildbook.core import limits
from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import day_end, day_start
from guildbook.training import selectors, services
from guildbook.training.models import Session

router = Router(tags=["sessions"])


class SessionOut(SessionResolvers):
    id: int
    course: CourseRef
    starts_at: datetime
    ends_at: datetime
    capacity: int
    places_left: int
    waiting_list_length: int
    status: SessionStatus
    venue: str = Field(description="Empty for sessions held only online.")
    online: bool = Field(
        description="Held online; the link is given to people with a place (GET /me/bookings)."
    )
    url: str = Field(description="The session's page, where people can book.")

    @staticmethod
    def resolve_online(obj) -> bool:
        return bool(obj.online_link)


class SessionPage(PageMeta):
    items: list[SessionOut]


class SessionIn(Schema):
    course: int | str = Field(description="The course's id or slug.")
    starts_at: datetime = Field(description="Without an offset, read in the service's time zone.")
    ends_at: datetime | None = Field(None, description="Defaults to the course's duration.")
    capacity: int | None = Field(
        None, ge=1, le=10000, description="Defaults to the course's usual capacity."
    )
    venue: str = Field("", max_length=300)
    online_link: str = Field("", max_length=200, description="Shown only to people with a place.")


def _course_filter(qs: QuerySet[Session], course: str) -> QuerySet[Session]:
    return qs.filter(**{f"course__{k}": v for k, v in limits.id_or_slug(course).items()})


@router.get("/sessions", response={200: SessionPage, **errors()}, summary="List sessions")
def list_sessions(
    request,
    course: Annotated[str | None, Query(description="A course's id or slug.")] = None,
    date_from: Annotated[
        date | None,
        Query(alias="from", description="First day (local), inclusive. Defaults to today."),
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="Last day (local), inclusive.")
    ] = None,
    status: Annotated[
        SessionStatus | None, Query(description="Only sessions in this state.")
    ] = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
):
    """Sessions of the courses the caller may see, in date order, with places left and the
    length of the waiting list. Cancelled sessions are included (status `cancelled`) unless
    you ask for `status=scheduled`. Answered in the same number of database queries however
    many sessions there are."""
    qs = Session.objects.filter(
        selectors.open_to(request.auth), course__in=selectors.courses_visible_to(request.auth)
    )
    if course:
        qs = _course_filter(qs, course)
    qs = qs.filter(starts_at__gte=day_start(date_from or timezone.localdate()))
    if date_to:
        qs = qs.filter(starts_at__lte=day_end(date_to))
    if status:
        qs = qs.filter(status=status)
    qs = selectors.sessions_with_counts(qs).order_by("starts_at", "id")
    return page(qs, limit=limit, offset=offset)


@router.get(
    "/sessions/{int:session_id}", response={200: SessionOut, **errors(404)}, summary="A session"
)
def get_session(request, session_id: int):
    return selectors.session_get_for_user(request.auth, pk=session_id)


@router.post(
    "/sessions", response={201: SessionOut, **errors(400, 403)}, summary="Schedule a session"
)
def create_session(request, payload: SessionIn):
    """Trainers only: one session of an active course. Trainers are assigned on the web."""
    require_trainer(request.auth, doing="schedule sessions")
    courses = selectors.courses_visible_to(request.auth)
    course = courses.filter(**limits.id_or_slug(str(payload.course))).first()
    if course is None:
        raise ServiceError("There is no active course with that id or slug.", field="course")
    if payload.online_link:
        try:
            URLValidator(schemes=["http", "https"])(payload.online_link)
        except DjangoValidationError:
            raise ServiceError(
                "Give the online link as a web address.", field="online_link"
            ) from None
    session = services.session_create(
        course=course,
        starts_at=aware(payload.starts_at),
        ends_at=aware(payload.ends_at) if payload.ends_at else None,
        capacity=payload.capacity,
        venue=payload.venue.strip(),
        online_link=payload.online_link.strip(),
        actor=request.auth,
    )
    return Status(201, selectors.sessions_with_counts(Session.objects.filter(pk=session.pk)).get())


@router.post(
    "/sessions/{int:session_id}/open",
    response={200: SessionOut, **errors(400, 403, 404)},
    summary="Open a closed session to everyone",
)
def open_session(request, session_id: int):
    """Trainers only: a closed session (made for one team from the outreach log) joins the
    catalogue and anyone may book it; the team's bookings stay, and people waiting to hear of
    a date for the course are told. A session already open to everyone is a 400."""
    require_trainer(request.auth, doing="open sessions to everyone")
    session = selectors.session_for_trainer(request.auth, pk=session_id)
    session = services.session_open_to_all(session=session, actor=request.auth)
    return selectors.sessions_with_counts(Session.objects.filter(pk=session.pk)).get()
