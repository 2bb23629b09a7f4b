"""course_figures on data where every figure is known by hand: imported and native history
mixed, a person who booked twice, a cancelled session, moves and removals, no sessions; and
the same number of queries at 1x and 10x the data."""

from datetime import date, timedelta

import pytest

from guildbook.accounts.models import User
from guildbook.accounts.organisations import directory_import, people_link_teams
from guildbook.insights.figures import course_figures
from guildbook.training.history import history_import
from guildbook.training.history_demo import CourseHistory, history_csv, history_rows
from guildbook.training.models import Course
from tests.factories import CourseFactory, SessionFactory
from tests.insights.conftest import at

pytestmark = pytest.mark.django_db

DIRECTORY_CSV = """organisation,department,team
Acme NHS Trust,Children's services,School nursing
Acme NHS Trust,Library and knowledge services,Library
"""


def test_every_figure_of_the_mixed_history(scene):
    f = course_figures(course=scene, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert (f.sessions, f.cancelled_sessions, f.places_offered) == (2, 1, 6)
    # A: p1-p5 took places; B: q1, p1 and the removed person (the moved one counts elsewhere).
    assert f.bookings == 8
    assert f.held_at_start == 5
    assert (f.attended, f.no_shows) == (4, 1)
    # Removals, moves and the cancelled session are not cancellations.
    assert (f.cancellations, f.late_cancellations) == (2, 1)
    assert (f.waiting_list_joins, f.waiting_list_placed) == (3, 1)
    assert (f.fill_rate.count, f.fill_rate.total, f.fill_rate.percent) == (5, 6, 83)
    assert (f.attendance_rate.count, f.attendance_rate.total) == (4, 6)
    assert (f.no_show_rate.count, f.no_show_rate.total, f.no_show_rate.percent) == (1, 5, 20)
    assert (f.waiting_list_conversion.count, f.waiting_list_conversion.total) == (1, 3)
    a, b = f.lines
    # A: p6 was still waiting at the start; the list was longest (2) from 6 to 10 February.
    assert (a.waiting_at_start, a.waiting_peak) == (1, 2)
    assert (b.waiting_at_start, b.waiting_peak) == (1, 1)
    assert (f.waiting_at_start, f.waiting_peak) == (2, 2)
    # A filled on 5 February (its first waiting-list entry), 4 days after its first booking;
    # B on 4 May, 3 days after.
    assert (a.days_to_fill, b.days_to_fill) == (4.0, 3.0)
    assert (f.sessions_filled, f.days_to_fill) == (2, 3.5)


def test_reach_counts_each_person_once_and_knows_who_came_first_time(scene):
    f = course_figures(course=scene, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    lines = {(r.organisation, r.team): (r.people, r.first_time) for r in f.reach}
    # p1 came twice (A and B), once a person; q1 came first in November 2023.
    assert lines == {("", "School nursing"): (1, 1), ("", "Wards"): (1, 1), ("", "Library"): (1, 0)}
    assert (f.people_reached, f.first_time) == (3, 2)


def test_the_period_chooses_the_sessions(scene):
    f = course_figures(course=scene, date_from=date(2024, 6, 4), date_to=date(2024, 6, 4))
    assert (f.sessions, f.bookings, f.held_at_start, f.attended) == (1, 3, 2, 2)
    earlier = course_figures(course=scene, date_to=date(2023, 12, 31))
    assert (earlier.sessions, earlier.attended, earlier.first_time) == (1, 1, 1)


def test_a_course_with_no_sessions_has_zeros_and_no_rates(db):
    f = course_figures(course=CourseFactory())
    assert (f.sessions, f.places_offered, f.bookings, f.attended) == (0, 0, 0, 0)
    assert f.fill_rate.percent is None and f.no_show_rate.percent is None
    assert f.response_rate.total == 0 and f.reach == [] and f.days_to_fill is None


def test_every_course_together(scene):
    other = CourseFactory()
    SessionFactory(course=other, starts_at=at(2024, 7, 1, 10), capacity=5)
    f = course_figures(course=None, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert (f.sessions, f.places_offered, f.bookings) == (3, 11, 8)
    assert [m.isoformat() for m, _f in f.by_month()] == ["2024-03-01", "2024-06-01", "2024-07-01"]


def _history(first: date, months: int, seed: int) -> str:
    course = CourseHistory(
        "Get Tweeting",
        [(first, 1)],
        first + timedelta(days=31 * months),
        demand_per_month=15,
    )
    return history_csv(history_rows([course], people=200, seed=seed))


def test_queries_do_not_grow_with_the_data(db, django_assert_num_queries):
    assert history_import(text=_history(date(2019, 1, 8), 3, 1)).errors == []
    course = Course.objects.get(title="Get Tweeting")
    with django_assert_num_queries(7) as small:
        f1 = course_figures(course=course)
    assert history_import(text=_history(date(2021, 1, 8), 40, 2)).errors == []
    with django_assert_num_queries(7) as large:
        f10 = course_figures(course=course)
    assert f10.sessions >= 10 * f1.sessions
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_team_with_first_timers_and_regulars_is_one_line(scene):
    from guildbook.accounts.models import User

    User.objects.filter(email="q1@x.example").update(team="School nursing")
    f = course_figures(course=scene, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    lines = {(r.organisation, r.team): (r.people, r.first_time) for r in f.reach}
    assert lines == {("", "School nursing"): (2, 1), ("", "Wards"): (1, 1)}


def test_reach_counts_by_the_directory_where_people_are_linked(scene):
    directory_import(text=DIRECTORY_CSV)
    assert people_link_teams() == 0  # already linked by the import
    User.objects.filter(email="p5@x.example").update(team="Wards", organisation="Acme")
    f = course_figures(course=scene, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    lines = {(r.organisation, r.department, r.team): r.people for r in f.reach}
    assert lines[("Acme NHS Trust", "Children's services", "School nursing")] == 1
    assert lines[("Acme", "", "Wards")] == 1


def test_anonymous_answers_are_not_counted_in_a_period_chosen_to_the_day(db):
    """A period can be moved a day at a time; an anonymous follow-up's impact answers would
    then be one person's. Surveys' own pages show them by whole quarters; insights leave them
    out, while named answers count."""
    from tests.surveys import results_scene

    anonymous = results_scene.build(anonymous=True, title="Anonymous course")
    named = results_scene.build(anonymous=False, title="Named course", slug="named-course")
    assert course_figures(course=anonymous.course).impact_rate.total == 0
    assert course_figures(course=named.course).impact_rate.total == 5
