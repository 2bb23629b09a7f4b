"""The dashboard, its downloads and the planner page: who may see them, what they show,
formula-safe downloads, and queries that do not grow with the data."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from guildbook.accounts.models import User
from guildbook.insights import cache
from guildbook.training.history import history_import
from guildbook.training.history_demo import CourseHistory, history_csv, history_rows
from guildbook.training.models import Booking, Course
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}


def test_trainers_see_the_figures_and_others_get_a_404(client, scene, trainer, person):
    client.force_login(person)
    assert client.get("/manage/insights/").status_code == 404
    assert client.get(f"/manage/courses/{scene.slug}/planner/").status_code == 404
    client.force_login(trainer)
    page = client.get("/manage/insights/", {"course": scene.slug, **PERIOD})
    assert page.status_code == 200
    text = page.content.decode()
    assert "83% (5 of 6)" in text  # fill
    assert "20% (1 of 5)" in text  # no-shows
    assert "School nursing" in text
    assert "<svg" in text and "The figures as a table" not in text  # table shown beside it


def test_the_course_menu_marks_the_chosen_course_and_retired_ones(client, scene, trainer):
    CourseFactory(title="Old <b>course</b>", status=Course.Status.ARCHIVED)
    client.force_login(trainer)
    text = client.get("/manage/insights/", {"course": scene.slug}).content.decode()
    assert f'<option value="{scene.slug}" selected>Get Tweeting</option>' in text
    assert "Old &lt;b&gt;course&lt;/b&gt; (retired)</option>" in text


def test_a_repeat_visit_uses_the_kept_figures_until_a_booking_changes(
    client, scene, trainer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trainer)
    query = {"course": scene.slug, **PERIOD}
    with CaptureQueriesContext(connection) as worked_out:
        assert "20% (1 of 5)" in client.get("/manage/insights/", query).content.decode()
    # Kept in this process: the version's query stands in for the figures' seven.
    with django_assert_max_num_queries(len(worked_out) - 7):
        assert "20% (1 of 5)" in client.get("/manage/insights/", query).content.decode()
    # Another server process reads the shared copy, its markup intact.
    cache.here.clear()
    text = client.get("/manage/insights/", query).content.decode()
    assert "20% (1 of 5)" in text and "<svg" in text and "&lt;svg" not in text
    Booking.objects.filter(person__email="p5@x.example").update(
        attendance=Booking.Attendance.NO_SHOW, updated_at=timezone.now()
    )
    assert "40% (2 of 5)" in client.get("/manage/insights/", query).content.decode()


def test_outreach_logged_since_the_last_visit_shows_while_the_figures_are_kept(
    client, scene, trainer
):
    from guildbook.training import services

    client.force_login(trainer)
    assert (
        "School nursing team meeting"
        not in client.get("/manage/insights/", PERIOD).content.decode()
    )
    services.outreach_create(
        actor=trainer, kind="stand", date=date(2024, 5, 1), audience="School nursing team meeting"
    )
    assert "School nursing team meeting" in client.get("/manage/insights/", PERIOD).content.decode()


def test_officers_compare_two_periods(client, scene, officer):
    client.force_login(officer)
    page = client.get(
        "/manage/insights/",
        {"course": scene.slug, **PERIOD, "compare_from": "2023-01-01", "compare_to": "2023-12-31"},
    )
    text = page.content.decode()
    assert "1 January 2024 to 31 December 2024 beside 1 January 2023 to 31 December 2023" in text


def test_a_bad_date_is_a_message_not_an_error(client, scene, trainer):
    client.force_login(trainer)
    page = client.get("/manage/insights/", {"from": "2024-13-45"})
    assert page.status_code == 200
    assert "is not a date" in page.content.decode()


def test_dates_are_read_day_first_as_people_type_them(client, scene, trainer):
    client.force_login(trainer)
    page = client.get("/manage/insights/", {"from": "1/2/2024", "to": "31 December 2024"})
    text = page.content.decode()
    assert "is not a date" not in text
    assert "1 February 2024 to 31 December 2024" in text
    assert 'value="1 February 2024"' in text  # the box shows it back the same way


def test_downloads_are_formula_safe(client, scene, trainer):
    User.objects.filter(email="p1@x.example").update(team="=HYPERLINK(1)")
    client.force_login(trainer)
    csv = client.get("/manage/insights.csv", {"course": scene.slug, **PERIOD, "table": "reach"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/manage/insights.xlsx", {"course": scene.slug, **PERIOD})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Figures", "Months", "Reach"]
    cells = [c.value for row in book["Reach"].iter_rows() for c in row]
    assert "=HYPERLINK(1)" in cells
    texts = [c for row in book["Reach"].iter_rows() for c in row[:3] if c.value]
    assert texts and all(c.data_type == "s" for c in texts)


def test_the_planner_page_tries_other_capacities(client, scene, trainer):
    client.force_login(trainer)
    page = client.get(f"/manage/courses/{scene.slug}/planner/", {"capacity": "20"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "a session of 20 places" in text
    assert "Every other month" in text
    bad = client.get(f"/manage/courses/{scene.slug}/planner/", {"cadences": "x"})
    assert "is not a number of months" in bad.content.decode()


def _history(first: date, months: int) -> str:
    course = CourseHistory(
        "Get Tweeting", [(first, 1)], first + timedelta(days=31 * months), demand_per_month=14
    )
    return history_csv(history_rows([course], people=200))


def test_the_dashboard_makes_the_same_queries_at_ten_times_the_data(
    client, trainer, django_assert_max_num_queries
):
    client.force_login(trainer)
    assert history_import(text=_history(date(2024, 1, 9), 2)).errors == []
    course = Course.objects.get(title="Get Tweeting")
    query = {"course": course.slug, "from": "2020-01-01", "to": "2030-01-01"}
    client.get("/manage/insights/", query)
    cache.clear()  # measure the figures worked out, not kept
    with django_assert_max_num_queries(40) as small:
        client.get("/manage/insights/", query)
    assert history_import(text=_history(date(2022, 1, 11), 22)).errors == []
    cache.clear()
    with django_assert_max_num_queries(40) as large:
        client.get("/manage/insights/", query)
    assert len(small.captured_queries) == len(large.captured_queries)
