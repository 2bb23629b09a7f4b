"""What followed an outreach visit: a team's bookings and first-time users in the 3 months
after against the 3 months before, on hand-built data where every figure is known; the
entry's page, its permissions, and the dashboard's list of outreach."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from guildbook.insights.figures import team_before_after
from guildbook.training import services
from guildbook.training.models import Booking, Session
from tests.factories import (
    BookingFactory,
    CourseFactory,
    SessionFactory,
    UserFactory,
    directory_team,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
VISIT = date(2025, 6, 10)  # before: 10 March – 9 June; after: 10 June – 9 September


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _booking(person, booked, starts, *, attended=False, **kw):
    session = kw.pop("session", None) or SessionFactory(course=kw.pop("course"), starts_at=starts)
    return BookingFactory(
        session=session,
        person=person,
        confirmed_at=booked,
        attendance=Booking.Attendance.ATTENDED if attended else "",
        **kw,
    )


@pytest.fixture
def story(db):
    """School nursing: 2 bookings before the visit, 4 after; 1 first-time user before, 2
    after. Everything else is there to be left out."""
    nursing = directory_team("School nursing")
    wards = directory_team("Wards", department="Adult services")
    course = CourseFactory(title="Get Tweeting")
    ann, bea, cal, dan = (UserFactory(directory_team=nursing) for _ in range(4))
    stranger = UserFactory(directory_team=wards)
    # Before the visit: Ann's first session (first time, before), and Bea booked one.
    _booking(ann, at(2025, 4, 1, 9), at(2025, 4, 15, 10), attended=True, course=course)
    _booking(bea, at(2025, 6, 9, 23, 30), at(2025, 7, 1, 10), attended=True, course=course)
    # After: Bea's session above makes her a first-timer after (it started on 1 July).
    # Cal books twice, attends the second: his first (first time, after).
    _booking(cal, at(2025, 6, 10, 0, 1), at(2025, 6, 20, 10), course=course)
    _booking(cal, at(2025, 7, 2, 9), at(2025, 8, 5, 10), attended=True, course=course)
    # Ann again, after: a booking, but she is not a first-timer any more.
    _booking(ann, at(2025, 9, 9, 20), at(2025, 9, 30, 10), attended=True, course=course)
    # Dan had come years ago: this booking counts, he is no first-timer.
    _booking(dan, at(2019, 1, 1, 9), at(2019, 2, 1, 10), attended=True, course=course)
    _booking(dan, at(2025, 8, 1, 9), at(2025, 8, 20, 10), course=course)
    # Left out: another team; a waiting-list entry never given a place; a moved booking; a
    # booking on a cancelled session; and bookings outside both windows.
    _booking(stranger, at(2025, 7, 1, 9), at(2025, 7, 8, 10), attended=True, course=course)
    _booking(
        dan,
        None,
        at(2025, 7, 9, 10),
        course=course,
        status=Booking.Status.WAITING,
        waiting_since=at(2025, 7, 1, 9),
    )
    _booking(
        dan,
        at(2025, 7, 1, 9),
        at(2025, 7, 10, 10),
        course=course,
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.MOVED,
    )
    cancelled = SessionFactory(
        course=course, starts_at=at(2025, 7, 11, 10), status=Session.Status.CANCELLED
    )
    _booking(dan, at(2025, 7, 1, 9), None, session=cancelled)
    _booking(dan, at(2025, 3, 9, 23), at(2025, 3, 20, 10), course=course)
    _booking(dan, at(2025, 9, 10, 0, 1), at(2025, 9, 25, 10), course=course)
    return nursing


def test_bookings_and_first_time_users_before_and_after_are_counted_by_hand(story):
    f = team_before_after(team_id=story.pk, on=VISIT)
    assert (f.before_from, f.after_to) == (date(2025, 3, 10), date(2025, 9, 9))
    assert (f.bookings_before, f.bookings_after) == (2, 4)
    assert (f.first_time_before, f.first_time_after) == (1, 2)


def test_a_team_with_nothing_has_zeros(db):
    f = team_before_after(team_id=directory_team("Nobody").pk, on=VISIT)
    assert (f.bookings_before, f.bookings_after, f.first_time_before, f.first_time_after) == (
        0,
        0,
        0,
        0,
    )


def _more(team, n):
    course = CourseFactory()
    for i in range(n):
        person = UserFactory(directory_team=team)
        _booking(
            person, at(2025, 5, 1, 9), at(2025, 5, 2 + i % 20, 10), attended=True, course=course
        )
        _booking(person, at(2025, 7, 1, 9), at(2025, 7, 2 + i % 20, 10), course=course)


def test_two_queries_at_one_and_ten_times_the_data(story, django_assert_num_queries):
    _more(story, 3)
    with django_assert_num_queries(2):
        small = team_before_after(team_id=story.pk, on=VISIT)
    _more(story, 30)
    with django_assert_num_queries(2):
        large = team_before_after(team_id=story.pk, on=VISIT)
    assert large.bookings_after - small.bookings_after == 30


@pytest.fixture
def entry(story, trainer):
    return services.outreach_create(
        actor=trainer,
        kind="presentation",
        date=VISIT,
        team=story,
        people_reached=14,
        went=[trainer],
    )


def test_the_entry_page_says_what_followed_in_words_numbers_and_a_chart(client, entry, officer):
    client.force_login(officer)
    page = client.get(f"/manage/outreach/{entry.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "4 bookings from School nursing in the 3 months after, up from 2 in the 3 months before."
        in text
    )
    assert (
        "2 people from School nursing came to the library&#x27;s training for the first time"
        in text
    )
    assert "10 June 2025 to 9 September 2025, against 10 March 2025 to 9 June 2025" in text
    assert "<svg" in text and 'role="img"' in text
    assert "<caption>Bookings and first-time users from School nursing, before and after" in text


def test_an_entry_without_a_team_says_why_there_are_no_figures(client, trainer):
    entry = services.outreach_create(
        actor=trainer, kind="stand", date=VISIT, audience="Canteen drop-in"
    )
    client.force_login(trainer)
    text = client.get(f"/manage/outreach/{entry.pk}/").content.decode()
    assert "names an audience rather than a team" in text
    assert "<svg" not in text


def test_learners_and_strangers_get_a_404(client, entry, person):
    client.force_login(person)
    for url in ("/manage/outreach/", f"/manage/outreach/{entry.pk}/", "/manage/outreach/new/"):
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(f"/manage/outreach/{entry.pk}/").status_code == 302


def test_the_dashboard_lists_outreach_in_its_period_and_links_to_the_log(client, entry, trainer):
    services.outreach_create(
        actor=trainer, kind="stand", date=date(2024, 1, 5), audience="Too early"
    )
    client.force_login(trainer)
    text = client.get(
        "/manage/insights/", {"from": "2025-01-01", "to": "2025-12-31"}
    ).content.decode()
    assert f'href="/manage/outreach/{entry.pk}/"' in text
    assert "14 people reached" in text
    assert "Too early" not in text
    assert 'href="/manage/outreach/"' in text
