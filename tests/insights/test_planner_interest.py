"""Registered interest ("tell me when there's a date") counts as demand in the planner: for
the month of the first session after the person asked, each person once a month."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guildbook.insights.planner import observations_for
from guildbook.training.models import CourseInterest
from tests.factories import BookingFactory, CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, 9, tzinfo=LONDON)


def test_interest_is_demand_for_the_next_sessions_month_each_person_once():
    course = CourseFactory(title="Get Tweeting")
    march = SessionFactory(course=course, starts_at=at(2024, 3, 5), capacity=6)
    june = SessionFactory(course=course, starts_at=at(2024, 6, 4), capacity=6)
    p1, p2, p3, p4, p5, p6 = (UserFactory() for _ in range(6))
    for session, person in ((march, p1), (march, p2), (june, p1)):
        BookingFactory(session=session, person=person, confirmed_at=at(2024, 2, 1))

    def interest(person, when, fulfilled=None):
        CourseInterest.objects.create(
            course=course, person=person, created_at=when, fulfilled_at=fulfilled
        )

    interest(p3, at(2024, 2, 10), fulfilled=at(2024, 3, 1))  # March: +1
    interest(p1, at(2024, 2, 15), fulfilled=at(2024, 2, 16))  # booked March too: once
    interest(p6, at(2024, 1, 5), fulfilled=at(2024, 1, 20))  # asked twice before March:
    interest(p6, at(2024, 2, 20))  # ... once
    interest(p4, at(2024, 4, 1))  # between the sessions: June, +1
    interest(p5, at(2024, 7, 1))  # no session since: not yet demand of any month
    interest(UserFactory(), at(2024, 2, 1))  # another course's interest is not this one's
    CourseInterest.objects.filter(created_at=at(2024, 2, 1)).update(course=CourseFactory())

    months = {
        o.month.isoformat(): o.demand for o in observations_for(course, until=at(2024, 12, 1))
    }
    assert months == {"2024-03-01": 4, "2024-06-01": 2}


def test_without_interest_the_demand_is_the_bookings_alone(django_assert_num_queries):
    course = CourseFactory()
    session = SessionFactory(course=course, starts_at=at(2024, 3, 5), capacity=6)
    BookingFactory(session=session, person=UserFactory(), confirmed_at=at(2024, 2, 1))
    with django_assert_num_queries(4):
        (march,) = observations_for(course, until=at(2024, 12, 1))
    assert march.demand == 1
