"""The scene the figures' tests share: every figure of it is known by hand."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guildbook.training.history import COLUMNS, history_import
from guildbook.training.models import Booking, Session
from tests.factories import BookingFactory, CourseFactory, SessionFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
A = "2024-03-05T10:00:00+00:00,2024-03-05T11:30:00+00:00"
EARLIER = "2023-11-07T10:00:00+00:00,2023-11-07T11:30:00+00:00"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def scene(db):
    """Session A (imported, 4 places), session B (native, 2 places), session C cancelled,
    and an earlier imported session (November 2023) outside the period."""
    course = CourseFactory(title="Get Tweeting")
    rows = [
        f"Get Tweeting,{A},4,p1@x.example,P1,School nursing,2024-02-01T09:00,attended,,",
        f"Get Tweeting,{A},4,p2@x.example,P2,School nursing,2024-02-02T09:00,no_show,,",
        f"Get Tweeting,{A},4,p3@x.example,P3,,2024-02-03T09:00,cancelled,2024-02-10T09:00,",
        f"Get Tweeting,{A},4,p4@x.example,P4,,2024-02-04T09:00,late_cancelled,2024-03-04T12:00,",
        # Joined the waiting list on 5 February, given p3's place on 10 February.
        f"Get Tweeting,{A},4,p5@x.example,P5,Wards,2024-02-10T09:00,attended,,2024-02-05T09:00",
        f"Get Tweeting,{A},4,p6@x.example,P6,,,waiting_not_offered,,2024-02-06T09:00",
        f"Get Tweeting,{EARLIER},4,q1@x.example,Q1,Library,2023-10-01T09:00,attended,,",
    ]
    result = history_import(text=",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n")
    assert result.errors == []
    q1 = Booking.objects.get(person__email="q1@x.example").person
    p1 = Booking.objects.get(person__email="p1@x.example").person
    b = SessionFactory(course=course, starts_at=at(2024, 6, 4, 10), capacity=2, places_taken=2)
    booked = at(2024, 5, 1, 9)
    BookingFactory(session=b, person=q1, confirmed_at=booked, attendance="attended")
    BookingFactory(session=b, person=p1, confirmed_at=booked, attendance="attended")
    moved = UserFactory()
    BookingFactory(
        session=b,
        person=moved,
        status=Booking.Status.CANCELLED,
        confirmed_at=booked,
        ending=Booking.Ending.MOVED,
        ended_at=booked + timedelta(days=1),
    )
    BookingFactory(
        session=b,
        person=UserFactory(),
        status=Booking.Status.CANCELLED,
        confirmed_at=booked,
        ending=Booking.Ending.REMOVED,
        ended_at=booked + timedelta(days=2),
    )
    BookingFactory(
        session=b,
        person=UserFactory(),
        status=Booking.Status.WAITING,
        confirmed_at=None,
        waiting_since=booked + timedelta(days=3),
    )
    c = SessionFactory(
        course=course,
        starts_at=at(2024, 9, 3, 10),
        capacity=10,
        status=Session.Status.CANCELLED,
    )
    BookingFactory(
        session=c,
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.SESSION_CANCELLED,
        ended_at=booked,
        confirmed_at=booked,
    )
    return course


@pytest.fixture(autouse=True)
def empty_cache(db):
    """Each test computes its own figures (insights/cache.py keeps them between requests)."""
    from guildbook.insights import cache

    cache.clear()
    yield
    cache.clear()
