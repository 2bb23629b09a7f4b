"""The training record: what it lists, who may open it, totals, CSV and PDF."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.training.models import Booking
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _past_booking(person, title, *, days_ago, minutes=90, **fields):
    starts = timezone.now() - timedelta(days=days_ago)
    session = SessionFactory(
        course=CourseFactory(title=title),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
    )
    defaults = {"status": Booking.Status.CONFIRMED, "confirmed_at": starts - timedelta(days=5)}
    defaults.update(fields)
    return Booking.objects.create(session=session, person=person, **defaults)


@pytest.fixture
def history(person):
    _past_booking(person, "Get Tweeting", days_ago=30, attendance="attended")
    _past_booking(person, "Searching PubMed", days_ago=20, minutes=120, attendance="attended")
    _past_booking(person, "Critical Appraisal", days_ago=10, attendance="no_show")
    _past_booking(
        person,
        "Reference Management",
        days_ago=5,
        status=Booking.Status.CANCELLED,
        ending=Booking.Ending.CANCELLED,
        late_cancellation=True,
        ended_at=timezone.now() - timedelta(days=6),
    )
    _past_booking(person, "Register Pending", days_ago=1)
    upcoming = SessionFactory(course=CourseFactory(title="Health Literacy"))
    Booking.objects.create(
        session=upcoming, person=person, status="confirmed", confirmed_at=timezone.now()
    )
    return person


def test_own_record_lists_attended_and_booked_courses_with_hours(client, history):
    client.force_login(history)
    page = client.get(reverse("training:my_record")).content.decode()
    assert "My training record" in page
    for title in ("Get Tweeting", "Searching PubMed", "Health Literacy", "Register Pending"):
        assert title in page
    assert "Attendance not yet recorded" in page
    # 1.5 + 2 hours attended, in two sessions.
    assert '<span class="total-figure">3.5</span> hours' in page
    assert '<span class="total-figure">2</span> sessions attended' in page


def test_no_show_history_is_not_shown_to_the_person_or_a_development_officer(
    client, history, officer
):
    for viewer, url in (
        (history, reverse("training:my_record")),
        (officer, reverse("training:person_record", args=[history.pk])),
    ):
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "Critical Appraisal" not in page
        assert "Reference Management" not in page
        assert "Did not attend" not in page
        assert "Attendance history" not in page


def test_trainers_see_no_show_history_neutrally_worded(client, history, trainer):
    from guildbook.accounts.services import user_role_add

    user_role_add(user=trainer, role="staff_development")
    client.force_login(trainer)
    page = client.get(reverse("training:person_record", args=[history.pk])).content.decode()
    assert "Critical Appraisal" in page
    assert "Did not attend" in page
    assert "Cancelled at short notice" in page
    assert "Attendance history" in page
    assert "Did not attend: 1 session." in page
    for unkind in ("no-show", "No-show", "failed", "absent"):
        assert unkind not in page


def test_someone_elses_record_is_404_without_the_permission(client, person, trainer):
    other = UserFactory()
    client.force_login(person)
    for name in ("person_record", "person_record_csv", "person_record_pdf"):
        assert client.get(reverse(f"training:{name}", args=[other.pk])).status_code == 404
    client.force_login(trainer)  # trainers run courses; records need the officer's permission
    assert client.get(reverse("training:person_record", args=[other.pk])).status_code == 404
    assert client.get(reverse("training:people")).status_code == 404


def test_a_development_officer_finds_people_and_opens_their_record(client, officer, history):
    UserFactory(name="Zed Unrelated", team="Estates")
    client.force_login(officer)
    page = client.get(reverse("training:people"), {"q": "Ada"}).content.decode()
    assert "Ada Learner" in page and "Zed Unrelated" not in page
    assert reverse("training:person_record", args=[history.pk]) in page
    response = client.get(reverse("training:person_record", args=[history.pk]))
    assert response.status_code == 200
    assert "Training record: Ada Learner" in response.content.decode()


def test_record_needs_sign_in(client):
    response = client.get(reverse("training:my_record"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_record_downloads_as_csv_with_the_same_rows_and_totals(client, history):
    client.force_login(history)
    response = client.get(reverse("training:my_record_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Course", "Category", "Date", "Start", "End", "Hours", "Status"]
    by_course = {r[0]: r for r in rows[1:] if r}
    assert by_course["Searching PubMed"][5] == "2"
    assert by_course["Searching PubMed"][6] == "Attended"
    assert by_course["Health Literacy"][6] == "Booked"
    assert "Critical Appraisal" not in by_course
    assert ["Hours of training attended", "3.5"] in rows


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, person):
    _past_booking(person, "=HYPERLINK(1)", days_ago=3, attendance="attended")
    client.force_login(person)
    text = client.get(reverse("training:my_record_csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_record_downloads_as_a_pdf(client, history, officer):
    client.force_login(officer)
    response = client.get(reverse("training:person_record_pdf", args=[history.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="training-record-ada-learner-' in response["Content-Disposition"]


def test_a_pdf_logs_nothing_about_the_stylesheets_screen_rules(client, history, officer, caplog):
    # WeasyPrint reads the site's stylesheet for its print rules and notes each screen rule
    # it cannot use (width media queries, overflow): noise in the server's log at every
    # download, and in the console when the demo loads. Other warnings still get through.
    import logging

    client.force_login(officer)
    with caplog.at_level(logging.WARNING):
        assert (
            client.get(reverse("training:person_record_pdf", args=[history.pk])).status_code == 200
        )
        logging.getLogger("weasyprint").warning("Failed to load image at %s", "x.png")
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == [
        "Failed to load image at x.png"
    ]


def test_pdf_and_page_come_from_one_template(client, history, rf):
    # The PDF is the page's template drawn with pdf=True: same rows, no navigation.
    from django.template.loader import render_to_string

    from guildbook.training import selectors

    record = selectors.training_record_for(history, history)
    request = rf.get("/")
    request.user = history
    html = render_to_string(
        "training/record.html",
        {
            "record": record,
            "person": history,
            "own": True,
            "pdf": True,
            "generated_at": timezone.now(),
        },
        request=request,
    )
    assert "Training record: Ada Learner" in html
    assert "Searching PubMed" in html
    assert "Download PDF" not in html
