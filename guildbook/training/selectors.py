"""Every read of the training offer for a given person, with the visibility rules applied.

Loading an object someone may not see raises Http404 — never a 403 that confirms it exists.
Querysets here use select_related/prefetch_related so a page's query count does not grow
with the data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.training.models import Booking, Course, Session


def courses_visible_to(user) -> QuerySet[Course]:
    """Active courses this person may see in the catalogue.

    Anyone: public courses. Signed in: staff-only courses too. Closed team courses are
    listed for trainers only; others reach them through the invitation link.
    """
    qs = Course.objects.filter(status=Course.Status.ACTIVE)
    if roles.is_trainer(user):
        return qs
    allowed = [Course.Visibility.PUBLIC]
    if user.is_authenticated:
        allowed.append(Course.Visibility.STAFF)
    return qs.filter(visibility__in=allowed)


def course_get_for_user(user, *, slug: str, invitation: str | None = None) -> Course:
    course = Course.objects.select_related("category").filter(slug=slug).first()
    if course is None or not course_visible(user, course, invitation=invitation):
        raise Http404("No such course")
    return course


def course_visible(user, course: Course, *, invitation: str | None = None) -> bool:
    active = course.status == Course.Status.ACTIVE
    # The common cases first: they need no permission or booking look-up.
    if active and course.visibility == Course.Visibility.PUBLIC:
        return True
    if active and course.visibility == Course.Visibility.STAFF and user.is_authenticated:
        return True
    if roles.is_trainer(user):
        return True
    if (
        active
        and course.visibility == Course.Visibility.CLOSED
        and invitation
        and invitation == course.invitation_token
    ):
        return True
    # Archived courses and closed ones: people who were booked can still open them, for
    # instance from their training record.
    return (
        user.is_authenticated
        and Booking.objects.filter(session__course=course, person=user).exists()
    )


def session_for_booking(user, *, pk: int, invitation: str | None = None) -> Session:
    """The session someone is about to book, with its course: one query, no counts."""
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None or not course_visible(user, session.course, invitation=invitation):
        raise Http404("No such session")
    return session


def sessions_with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with their course and `waiting_list_length`.

    The count is a correlated subquery rather than a join with GROUP BY, so it combines with
    window functions and slicing, and uses the (session, status, …) index.
    """
    waiting = (
        Booking.objects.filter(session=OuterRef("pk"), status=Booking.Status.WAITING)
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.select_related("course").annotate(
        waiting_list_length=Coalesce(Subquery(waiting, output_field=IntegerField()), 0)
    )


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[Session]:
    now = now or timezone.now()
    return Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)


def catalogue(
    user,
    *,
    query: str = "",
    category: str = "",
    level: str = "",
    delivery: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "",
    sessions_per_course: int = 3,
) -> list[Course]:
    """Courses for the catalogue, each with `next_sessions` (the next few, with counts),
    soonest next date first (courses with no date last), or by title with sort="title".

    Three queries whatever the size of the catalogue: courses, their categories (joined),
    and the upcoming sessions of all listed courses at once.
    """
    courses = courses_visible_to(user).select_related("category")
    if query:
        words = query.split()
        for word in words[:8]:
            courses = courses.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
                | Q(tags__icontains=word)
                | Q(audience__icontains=word)
            )
    if category:
        courses = courses.filter(category__slug=category)
    if level:
        courses = courses.filter(level=level)
    if delivery:
        courses = courses.filter(delivery__in=[delivery, Course.Delivery.BOTH])
    sessions = upcoming_sessions()
    tz = timezone.get_current_timezone()
    if date_from:
        sessions = sessions.filter(starts_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        sessions = sessions.filter(starts_at__lte=datetime.combine(date_to, time.max, tz))
    if date_from or date_to:
        courses = courses.filter(pk__in=sessions.values("course_id"))
    courses = list(courses.order_by("title"))
    by_course: dict[int, list[Session]] = {c.pk: [] for c in courses}
    if courses:
        # Only the first few sessions of each course leave the database, however many
        # years of sessions are planned.
        listed = (
            sessions_with_counts(sessions.filter(course_id__in=by_course))
            .annotate(
                nth=Window(
                    RowNumber(), partition_by=F("course_id"), order_by=[F("starts_at"), F("id")]
                )
            )
            .filter(nth__lte=sessions_per_course)
            .order_by("starts_at", "id")
        )
        for s in listed:
            by_course[s.course_id].append(s)
    for c in courses:
        c.next_sessions = by_course[c.pk]
        for s in c.next_sessions:
            s.course = c  # the page asks each when its booking opens
    if sort != "title":
        # Already in title order, and the sort is stable: dateless courses keep it, last.
        far = datetime.max.replace(tzinfo=UTC)
        courses.sort(key=lambda c: c.next_sessions[0].starts_at if c.next_sessions else far)
    return courses


def session_get_for_user(user, *, pk: int, invitation: str | None = None) -> Session:
    session = (
        sessions_with_counts(Session.objects.filter(pk=pk))
        .select_related("course__category", "series")
        .prefetch_related("trainers")
        .first()
    )
    if session is None or not course_visible(user, session.course, invitation=invitation):
        raise Http404("No such session")
    return session


def session_for_trainer(user, *, pk: int) -> Session:
    if not roles.is_trainer(user):
        raise Http404("No such session")
    return session_get_for_user(user, pk=pk)


def bookings_for_user(user, *, upcoming_only: bool = False) -> QuerySet[Booking]:
    qs = Booking.objects.filter(person=user).select_related("session__course")
    if upcoming_only:
        qs = qs.filter(session__ends_at__gt=timezone.now())
    return qs.order_by("session__starts_at", "id")


def booking_get_for_user(user, *, pk: int) -> Booking:
    """The person's own booking; trainers may open anyone's. Otherwise 404."""
    if not user.is_authenticated:
        raise Http404("No such booking")
    qs = Booking.objects.select_related("session__course", "person")
    if not roles.is_trainer(user):
        qs = qs.filter(person=user)
    booking = qs.filter(pk=pk).first()
    if booking is None:
        raise Http404("No such booking")
    return booking


def session_bookings(session: Session) -> QuerySet[Booking]:
    """Everyone on a session, for its trainer: places first, then the waiting list in order."""
    return session.bookings.select_related("person").order_by(
        "status", "confirmed_at", "waiting_since", "id"
    )


def register(session: Session) -> QuerySet[Booking]:
    return (
        session.bookings.filter(status=Booking.Status.CONFIRMED)
        .select_related("person")
        .order_by("person__name", "person__email")
    )


def waiting_list(session: Session) -> QuerySet[Booking]:
    return (
        session.bookings.filter(status=Booking.Status.WAITING)
        .select_related("person")
        .order_by("waiting_since", "id")
    )


def no_show_counts(person_ids, *, before: datetime | None = None) -> dict[int, int]:
    """How many sessions each person missed; `before` counts only sessions starting earlier."""
    qs = Booking.objects.filter(
        person_id__in=list(person_ids), attendance=Booking.Attendance.NO_SHOW
    )
    if before is not None:
        qs = qs.filter(session__starts_at__lt=before)
    rows = qs.values("person_id").annotate(n=Count("id"))
    return {r["person_id"]: r["n"] for r in rows}


def person_for_record(user, *, pk: int):
    """Whose training record `user` may open: their own, or anyone's with the permission."""
    from guildbook.accounts.models import User

    if not user.is_authenticated:
        raise Http404("No such person")
    if user.pk != pk and not roles.can_view_records(user):
        raise Http404("No such person")
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def sessions_of_course(course: Course, *, upcoming: bool = True) -> QuerySet[Session]:
    qs = sessions_with_counts(course.sessions.all())
    if upcoming:
        qs = qs.filter(starts_at__gt=timezone.now(), status=Session.Status.SCHEDULED)
    return qs.order_by("starts_at", "id")


def course_with_plan(course: Course) -> Course:
    """The course with its session plan, questions, materials and trainers loaded, in one
    query each, on the instance already in hand."""
    prefetch_related_objects([course], "agenda", "questions", "materials", "trainers")
    return course


# --- Learner pages: my bookings, waiting-list positions -----------------------------------


def with_waiting_positions(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotate `waiting_list_position` (1 = next in line; None unless waiting) in the same
    query, so a list of bookings does not ask the database once per row."""
    ahead = (
        Booking.objects.filter(session_id=OuterRef("session_id"), status=Booking.Status.WAITING)
        .filter(
            Q(waiting_since__lt=OuterRef("waiting_since"))
            | Q(waiting_since=OuterRef("waiting_since"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        waiting_list_position=Case(
            When(
                status=Booking.Status.WAITING,
                then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def active_bookings_by_session(user, session_ids) -> dict[int, Booking]:
    """The person's place or waiting-list entry on each of these sessions (one query)."""
    if not user.is_authenticated:
        return {}
    qs = with_waiting_positions(
        Booking.objects.filter(
            person=user, session_id__in=list(session_ids), status__in=Booking.ACTIVE
        )
    )
    return {b.session_id: b for b in qs}


def my_bookings(user, *, now: datetime | None = None, past_limit: int = 50) -> dict:
    """The person's bookings for the My bookings page, in three lists: places to come,
    waiting-list entries (with positions), and the history, newest first."""
    now = now or timezone.now()
    base = Booking.objects.filter(person=user).select_related("session__course")
    active = list(
        with_waiting_positions(
            base.filter(status__in=Booking.ACTIVE, session__ends_at__gt=now)
        ).order_by("session__starts_at", "id")
    )
    # The history: every booking that has ended (cancelled, left, moved…) and every place
    # whose session is over (attended, no-show or not yet marked), newest first.
    past = list(
        base.filter(
            Q(status=Booking.Status.CANCELLED)
            | Q(status=Booking.Status.CONFIRMED, session__ends_at__lte=now)
        ).order_by("-session__starts_at", "-id")[:past_limit]
    )
    return {
        "upcoming": [b for b in active if b.status == Booking.Status.CONFIRMED],
        # A place offered from the waiting list is listed with the waiting lists.
        "waiting": [
            b for b in active if b.status in (Booking.Status.WAITING, Booking.Status.OFFERED)
        ],
        "past": past,
    }


def other_sessions(session: Session, *, limit: int = 4) -> list[Session]:
    """Later dates of the same course still to come, for a session that is full or gone."""
    others = list(
        sessions_with_counts(
            upcoming_sessions().filter(course_id=session.course_id).exclude(pk=session.pk)
        ).order_by("starts_at", "id")[:limit]
    )
    for other in others:
        other.course = session.course
    return others


def course_materials(course: Course, *, for_trainer: bool = False) -> list:
    qs = course.materials.all()
    if not for_trainer:
        qs = qs.filter(for_trainers_only=False)
    return list(qs)


# --- The training record ------------------------------------------------------------------


class TrainingRecord:
    """A person's training record as a viewer may see it.

    `entries` are bookings with `record_status`: "attended", "booked" (to come), "awaiting"
    (over, register not yet taken) and, only for viewers who may see attendance history
    (trainers), "no_show" and "late_cancellation". Totals count attended sessions only.
    """

    STATUS_WORDS = {
        "attended": "Attended",
        "booked": "Booked",
        "awaiting": "Attendance not yet recorded",
        "no_show": "Did not attend",
        "late_cancellation": "Cancelled at short notice",
    }

    def __init__(self, person, entries, *, shows_history: bool):
        self.person = person
        self.entries = entries
        self.shows_history = shows_history
        attended = [e for e in entries if e.record_status == "attended"]
        self.attended_count = len(attended)
        self.attended_minutes = sum(e.session.duration_minutes for e in attended)
        self.courses_attended = len({e.session.course_id for e in attended})
        self.upcoming_count = sum(1 for e in entries if e.record_status == "booked")
        self.no_show_count = sum(1 for e in entries if e.record_status == "no_show")
        self.late_cancellation_count = sum(
            1 for e in entries if e.record_status == "late_cancellation"
        )

    @property
    def attended_hours(self) -> float:
        return round(self.attended_minutes / 60, 2)

    @property
    def attended_hours_text(self) -> str:
        return _hours_text(self.attended_minutes)


def _hours_text(minutes: int) -> str:
    """Hours as people write them in a record: "1.5", "2", "1.25"."""
    return f"{round(minutes / 60, 2):g}"


def training_record_for(viewer, person, *, now: datetime | None = None) -> TrainingRecord:
    """`person`'s training record as `viewer` may see it (check access with
    `person_for_record` first). One query whatever the length of the record."""
    now = now or timezone.now()
    shows_history = viewer.is_authenticated and viewer.has_perm("training.view_no_show_history")
    wanted = Q(status=Booking.Status.CONFIRMED)
    if shows_history:
        wanted |= Q(status=Booking.Status.CANCELLED, late_cancellation=True)
    entries = []
    for b in (
        Booking.objects.filter(person=person)
        .filter(wanted)
        .select_related("session__course__category")
        .order_by("-session__starts_at", "-id")
    ):
        if b.status == Booking.Status.CANCELLED:
            status = "late_cancellation"
        elif b.attendance == Booking.Attendance.ATTENDED:
            status = "attended"
        elif b.attendance == Booking.Attendance.NO_SHOW:
            if not shows_history:
                continue
            status = "no_show"
        elif b.session.starts_at > now:
            status = "booked"
        else:
            status = "awaiting"
        b.record_status = status
        b.record_status_words = TrainingRecord.STATUS_WORDS[status]
        b.hours = round(b.session.duration_minutes / 60, 2)
        b.hours_text = _hours_text(b.session.duration_minutes)
        entries.append(b)
    return TrainingRecord(person, entries, shows_history=shows_history)


def people_for_records(viewer, *, query: str = "") -> QuerySet:
    """People whose records a staff development officer may open, with how many sessions
    each attended (one query a page). Anyone else gets a 404."""
    from guildbook.accounts.models import User

    if not roles.can_view_records(viewer):
        raise Http404("Not found")
    qs = User.objects.filter(is_active=True)
    for word in query.split()[:6]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(team__icontains=word)
            | Q(organisation__icontains=word)
            | Q(job_title__icontains=word)
        )
    return qs.annotate(
        sessions_attended=Count(
            "bookings", filter=Q(bookings__attendance=Booking.Attendance.ATTENDED)
        )
    ).order_by("name", "email")


def catalogue_version() -> str:
    """A value that changes whenever anything shown in the catalogue changes.

    The latest change time of courses, sessions and bookings, read in one query through
    their updated_at indexes. Cached catalogue pages are keyed by it, so every server process
    sees a booking made by any other the next time it renders the page.
    """
    from django.db import connection

    tables = [m._meta.db_table for m in (Course, Session, Booking)]
    # Table names come from our own models, never from input.
    sql = "SELECT " + ", ".join(f"(SELECT MAX(updated_at) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "|".join(str(v) for v in row)


def material_for_user(user, *, pk: int, invitation: str | None = None):
    """An uploaded course material, if this person may see the course (and, for trainers'
    materials, is a trainer). Otherwise 404."""
    from guildbook.training.models import CourseMaterial

    material = CourseMaterial.objects.select_related("course").filter(pk=pk).first()
    if (
        material is None
        or not material.file
        or not course_visible(user, material.course, invitation=invitation)
        or (material.for_trainers_only and not roles.is_trainer(user))
    ):
        raise Http404("No such material")
    return material
