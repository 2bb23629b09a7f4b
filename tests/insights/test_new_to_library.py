"""Reach's "new to the library?" figures on hand-built bookings: the people with a booking
who answered the course's marked question, and those who gave the answer that means new."""

from datetime import date, timedelta

import pytest

from guildbook.insights.figures import course_figures
from guildbook.training.models import Booking, BookingQuestion
from tests.factories import BookingFactory, CourseFactory, SessionFactory, UserFactory
from tests.insights.conftest import at

pytestmark = pytest.mark.django_db
PERIOD = {"date_from": date(2024, 1, 1), "date_to": date(2024, 12, 31)}


def _book(session, question, answer, *, team, **fields):
    answers = {} if answer is None else {str(question.pk): {"question": "…", "answer": answer}}
    fields.setdefault("confirmed_at", at(2024, 2, 1, 9))
    return BookingFactory(session=session, person=UserFactory(team=team), answers=answers, **fields)


@pytest.fixture
def tweeting():
    course = CourseFactory(title="Get Tweeting")
    BookingQuestion.objects.create(course=course, text="Your role?", kind="text", order=1)
    new = BookingQuestion.objects.create(
        course=course,
        text="New to the library?",
        kind="yes_no",
        asks_if_new=True,
        new_answer="yes",
        order=2,
    )
    s = SessionFactory(course=course, starts_at=at(2024, 3, 5, 10), capacity=10)
    attended = {"attendance": Booking.Attendance.ATTENDED}
    _book(s, new, "yes", team="Wards", **attended)  # said new, came
    _book(s, new, "no", team="Wards", attendance=Booking.Attendance.NO_SHOW)  # answered, not new
    # A place given up still was a booking: said new.
    _book(
        s,
        new,
        "yes",
        team="Library",
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.CANCELLED,
        ended_at=at(2024, 2, 10, 9),
    )
    _book(s, new, None, team="Library", **attended)  # came, did not answer
    # Never given a place: not a booking, not counted.
    _book(
        s,
        new,
        "yes",
        team="Library",
        status=Booking.Status.WAITING,
        confirmed_at=None,
        waiting_since=at(2024, 2, 20, 9),
    )
    # Moved to another session: counts there, not here.
    _book(
        s,
        new,
        "yes",
        team="Library",
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.MOVED,
        ended_at=at(2024, 2, 2, 9),
    )
    return course


def test_bookers_who_said_they_were_new_by_team(tweeting):
    f = course_figures(course=tweeting, **PERIOD)
    lines = {r.team: (r.people, r.first_time, r.new_question_answered, r.said_new) for r in f.reach}
    assert lines == {"Wards": (1, 1, 2, 1), "Library": (1, 1, 1, 1)}
    assert (f.said_new.count, f.said_new.total, f.said_new.percent) == (2, 3, 67)


def test_a_choice_question_counts_its_own_answer_and_unmarked_questions_count_nothing(tweeting):
    other = CourseFactory(title="Searching the literature")
    choice = BookingQuestion.objects.create(
        course=other,
        text="Have you used the library before?",
        kind="choice",
        choices="Often\nOnce or twice\nNever",
        asks_if_new=True,
        new_answer="Never",
    )
    s = SessionFactory(course=other, starts_at=at(2024, 4, 2, 10), capacity=10)
    _book(s, choice, "Never", team="School nursing")
    _book(s, choice, "Often", team="School nursing")
    plain = CourseFactory(title="Reference management")
    unmarked = BookingQuestion.objects.create(course=plain, text="New?", kind="yes_no")
    _book(SessionFactory(course=plain, starts_at=at(2024, 4, 9, 10)), unmarked, "yes", team="X")

    f = course_figures(course=other, **PERIOD)
    assert [(r.team, r.people, r.new_question_answered, r.said_new) for r in f.reach] == [
        ("School nursing", 0, 2, 1)
    ]
    every = course_figures(course=None, **PERIOD)
    assert (every.said_new.count, every.said_new.total) == (3, 5)
    assert "X" not in {r.team for r in every.reach}  # no attendance, no marked question


def test_the_answers_count_from_when_the_mark_is_set(tweeting):
    BookingQuestion.objects.filter(course=tweeting).update(asks_if_new=False, new_answer="")
    f = course_figures(course=tweeting, **PERIOD)
    assert (f.said_new.count, f.said_new.total) == (0, 0)
    assert {r.team: r.people for r in f.reach} == {"Wards": 1, "Library": 1}


def test_no_extra_queries(tweeting, django_assert_num_queries):
    with django_assert_num_queries(7):
        course_figures(course=tweeting, **PERIOD)
    s = SessionFactory(course=tweeting, starts_at=at(2024, 5, 7, 10), capacity=40)
    new = tweeting.questions.get(asks_if_new=True)
    for n in range(30):
        _book(
            s,
            new,
            "yes" if n % 3 else "no",
            team=f"Team {n % 4}",
            confirmed_at=at(2024, 4, 1, 9) + timedelta(hours=n),
        )
    with django_assert_num_queries(7):
        f = course_figures(course=tweeting, **PERIOD)
    assert f.said_new.total == 33


def test_the_dashboard_the_reach_download_and_the_api_show_them(client, tweeting, officer):
    from tests.api.conftest import ApiClient

    client.force_login(officer)
    query = {"course": tweeting.slug, "from": "2024-01-01", "to": "2024-12-31"}
    page = client.get("/manage/insights/", query).content.decode()
    assert "Bookers who said they were new to the library" in page
    assert "67% (2 of 3)" in page
    csv = client.get("/manage/insights.csv", {**query, "table": "reach"}).content.decode(
        "utf-8-sig"
    )
    assert "Said new" in csv.splitlines()[0]
    assert any(line.endswith(",Wards,1,1,2,1") for line in csv.splitlines())
    body = (
        ApiClient(officer)
        .get(f"/api/v1/insights/courses/{tweeting.pk}", {"from": "2024-01-01", "to": "2024-12-31"})
        .json()
    )
    assert body["said_new_to_library"] == {"count": 2, "total": 3, "percent": 67}
    wards = next(r for r in body["reach"] if r["team"] == "Wards")
    assert (wards["new_question_answered"], wards["said_new"]) == (2, 1)
