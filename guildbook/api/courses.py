"""/api/v1/courses: the catalogue's courses, creating one (trainers), and registering
interest in one ("tell me when there's a date")."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Router, Schema, Status

from guildbook.api.auth import require_trainer
from guildbook.api.schemas import (
    DEFAULT_PAGE,
    CourseStatus,
    PageLimit,
    PageMeta,
    PageOffset,
    absolute_url,
    errors,
    page,
)
from guildbook.core.errors import ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import Category, Course

router = Router(tags=["courses"])


class CategoryOut(Schema):
    slug: str
    name: str


class CourseOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    description: str
    learning_outcomes: list[str] = Field(alias="outcomes")
    level: Course.Level
    duration_minutes: int
    audience: str
    category: CategoryOut | None
    tags: list[str] = Field(alias="tag_list")
    delivery: Course.Delivery
    visibility: Course.Visibility
    status: CourseStatus
    booking_opens_days: int
    booking_closes_hours: int
    interest_head_start_days: int
    late_cancellation_hours: int
    waiting_list_enabled: bool
    default_capacity: int
    url: str = Field(description="The course's page.")

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj)


class CoursePage(PageMeta):
    items: list[CourseOut]


class CourseIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=300)
    slug: str | None = Field(
        None, max_length=200, description="The web address; made from the title when left out."
    )
    description: str = ""
    learning_outcomes: list[str] = Field(default_factory=list)
    level: Course.Level = Course.Level.NOVICE
    duration_minutes: int = Field(90, ge=1, le=24 * 60)
    audience: str = Field("", max_length=300)
    category: str | None = Field(None, description="A category's slug.")
    tags: list[str] = Field(default_factory=list)
    delivery: Course.Delivery = Course.Delivery.IN_PERSON
    visibility: Course.Visibility = Course.Visibility.STAFF
    booking_opens_days: int = Field(90, ge=0, le=3650)
    booking_closes_hours: int = Field(0, ge=0, le=24 * 365)
    interest_head_start_days: int = Field(2, ge=0, le=365)
    late_cancellation_hours: int = Field(48, ge=0, le=24 * 365)
    waiting_list_enabled: bool = True
    default_capacity: int = Field(12, ge=1, le=10000)


def _visible_courses(user) -> QuerySet[Course]:
    return selectors.courses_visible_to(user).select_related("category").order_by("title", "id")


@router.get("/courses", response={200: CoursePage, **errors()}, summary="List courses")
def list_courses(
    request,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
):
    """Active courses the caller may see: public and staff-only courses (and, for trainers,
    closed team courses), by title."""
    return page(_visible_courses(request.auth), limit=limit, offset=offset)


@router.post(
    "/courses", response={201: CourseOut, **errors(400, 403, 409)}, summary="Create a course"
)
def create_course(request, payload: CourseIn):
    """Trainers only. The course is created active; sessions are added with POST /sessions."""
    require_trainer(request.auth, doing="create courses")
    fields = payload.model_dump(exclude_unset=True)
    if "learning_outcomes" in fields:
        fields["learning_outcomes"] = "\n".join(o.strip() for o in fields["learning_outcomes"])
    if "tags" in fields:
        fields["tags"] = ", ".join(t.strip() for t in fields["tags"] if t.strip())
    if fields.get("category"):
        category = Category.objects.filter(slug=fields["category"]).first()
        if category is None:
            raise ServiceError("There is no category with that slug.", field="category")
        fields["category"] = category
    else:
        fields.pop("category", None)
    if not fields.get("slug"):
        fields.pop("slug", None)
    return Status(201, services.course_create(actor=request.auth, **fields))


class InterestOut(Schema):
    course: int = Field(alias="course_id")
    registered_at: datetime = Field(alias="created_at")
    head_start_days: int = Field(
        description="You may book a new date this many days before everyone else."
    )

    @staticmethod
    def resolve_head_start_days(obj) -> int:
        return obj.course.interest_head_start_days


def _course_for(user, course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None or not selectors.course_visible(user, course):
        raise Http404("No such course")
    return course


@router.post(
    "/courses/{int:course_id}/interest",
    response={201: InterestOut, **errors(400, 404)},
    summary="Tell me when there's a date",
)
def register_interest(request, course_id: int):
    """Ask to be e-mailed when the course has a date, with a head start on booking it.
    Asking twice keeps the one interest. Refused (400) when the course has a date to come."""
    course = _course_for(request.auth, course_id)
    interest = services.interest_register(course=course, person=request.auth, actor=request.auth)
    return Status(201, interest)


@router.delete(
    "/courses/{int:course_id}/interest",
    response={204: None, **errors(404)},
    summary="Stop telling me when there's a date",
)
def withdraw_interest(request, course_id: int):
    """Withdraw your interest in the course; 404 when you have none."""
    course = _course_for(request.auth, course_id)
    interest = selectors.interest_get_for_user(request.auth, course)
    services.interest_withdraw(interest=interest, actor=request.auth)
    return Status(204, None)
