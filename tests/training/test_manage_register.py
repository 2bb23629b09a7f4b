"""The register on a phone (htmx, with a plain-form fallback) and the sign-in sheet."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from guildbook.core.audit import audit_trail
from guildbook.training import services
from guildbook.training.models import Booking, Session
from tests.factories import CourseFactory, SessionFactory, UserFactory


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def started(session):
    """Book while bookable, then let the session begin: the register is open."""
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(minutes=80)
    )
    session.refresh_from_db()
    return session


def booked(session, n, now=None):
    Session.objects.filter(pk=session.pk).update(capacity=session.places_taken + n)
    session.refresh_from_db()
    return [
        services.booking_create(session=session, person=p, actor=p, now=now)
        for p in UserFactory.create_batch(n)
    ]


def mark(client, booking, attended="yes", htmx=False, **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("training:manage_attendance", args=[booking.pk]),
        {"attended": attended, **extra},
        **headers,
    )


def test_register_lists_people_with_places_and_big_buttons(trainer_client, session):
    a, b = booked(session, 2)
    started(session)
    html = trainer_client.get(reverse("training:manage_register", args=[session.pk])).content
    html = html.decode()
    assert escape(a.person.display_name) in html and escape(b.person.display_name) in html
    assert html.count('class="register-button attended"') == 2
    assert 'hx-post="' in html and "csrfmiddlewaretoken" in html
    assert "0 attended, 0 no-shows, 2 not marked yet (of 2)" in html


def test_plain_form_marks_attended_late_and_redirects(trainer_client, session):
    (booking,) = booked(session, 1)
    started(session)
    response = mark(trainer_client, booking, "yes", arrived_late="1")
    assert response.status_code == 302
    assert response.url.endswith(f"#reg-{booking.pk}")
    booking.refresh_from_db()
    assert booking.attendance == "attended" and booking.arrived_late
    assert audit_trail(booking).filter(action="attendance_recorded").exists()


def test_htmx_marks_a_no_show_and_answers_with_the_row_and_summary(trainer_client, session):
    _first, second = booked(session, 2)
    started(session)
    response = mark(trainer_client, second, "no", htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<li class="register-row marked-no_show" id="reg-{second.pk}"')
    assert 'hx-swap-oob="innerHTML"' in html
    assert "0 attended, 1 no-show, 1 not marked yet (of 2)" in html
    second.refresh_from_db()
    assert second.attendance == "no_show"
    # A mistake can be corrected.
    mark(trainer_client, second, "yes", htmx=True)
    second.refresh_from_db()
    assert second.attendance == "attended" and not second.arrived_late


def test_register_is_not_open_long_before_the_session(trainer_client, session):
    (booking,) = booked(session, 1)
    page = trainer_client.get(reverse("training:manage_register", args=[session.pk]))
    assert "Attendance can be marked once the session starts" in page.content.decode()
    response = mark(trainer_client, booking, "yes", htmx=True)
    assert "Attendance can be marked once the session starts" in response.content.decode()
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_no_marks_in_the_hour_before_the_start_but_the_register_opens_to_look(
    trainer_client, session
):
    (booking,) = booked(session, 1)
    soon = timezone.now() + timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(starts_at=soon, ends_at=soon + timedelta(hours=1))
    page = trainer_client.get(reverse("training:manage_register", args=[session.pk]))
    assert page.status_code == 200 and escape(booking.person.display_name) in page.content.decode()
    mark(trainer_client, booking, "yes", htmx=True)
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_registers_to_take_drops_complete_registers(trainer_client, trainer):
    started = timezone.now() - timedelta(hours=2)
    done = SessionFactory(course=CourseFactory(title="All marked"), starts_at=started)
    todo = SessionFactory(course=CourseFactory(title="Still to mark"), starts_at=started)
    for s in (done, todo):
        for b in booked(s, 2, now=started - timedelta(days=3)):
            if s == done:
                services.attendance_record(booking=b, attended=True, actor=trainer)
    page = trainer_client.get(reverse("training:manage")).content.decode()
    to_take = page.split('id="recent-heading"', 1)[1].split("</section>", 1)[0]
    assert "Still to mark" in to_take
    assert "All marked" not in to_take


def test_mark_everyone_not_yet_marked_as_attended(trainer_client, session):
    a, b, c = booked(session, 3)
    started(session)
    mark(trainer_client, b, "no")
    response = trainer_client.post(
        reverse("training:manage_register_all", args=[session.pk]), follow=True
    )
    assert "2 people marked as attended." in response.content.decode()
    states = dict(Booking.objects.filter(session=session).values_list("pk", "attendance"))
    assert states == {a.pk: "attended", b.pk: "no_show", c.pk: "attended"}


def test_mark_all_by_htmx_answers_with_the_list(trainer_client, session):
    booked(session, 2)
    started(session)
    response = trainer_client.post(
        reverse("training:manage_register_all", args=[session.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="register-list">')
    assert "2 attended, 0 no-shows, 0 not marked yet (of 2)" in html


def test_waiting_list_people_cannot_be_marked(trainer_client, session):
    booked(session, 2)
    Session.objects.filter(pk=session.pk).update(capacity=2)
    waiting = services.booking_create(session=session, person=UserFactory(), actor=None)
    started(session)
    response = mark(trainer_client, waiting, "yes")
    waiting.refresh_from_db()
    assert waiting.attendance == ""
    assert response.status_code == 302
    page = trainer_client.get(response.url).content.decode()
    assert "Only people with a place can be marked on the register." in page


def test_bad_choice_changes_nothing(trainer_client, session):
    (booking,) = booked(session, 1)
    started(session)
    mark(trainer_client, booking, "maybe")
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_register_and_sheet_are_404_for_non_trainers(client, person, session):
    (booking,) = booked(session, 1)
    started(session)
    client.force_login(person)
    for name in ("manage_register", "manage_sign_in_sheet"):
        assert client.get(reverse(f"training:{name}", args=[session.pk])).status_code == 404
    assert (
        client.post(reverse("training:manage_register_all", args=[session.pk])).status_code == 404
    )
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_sign_in_sheet_has_names_and_blank_signatures(trainer_client, session, course):
    a, b = booked(session, 2)
    html = trainer_client.get(
        reverse("training:manage_sign_in_sheet", args=[session.pk])
    ).content.decode()
    assert course.title in html
    # Names are HTML-escaped on the page ("O'Connor" is written O&#x27;Connor).
    assert escape(a.person.display_name) in html and escape(b.person.display_name) in html
    assert html.count('<td class="sheet-signature"></td>') == 2 + 5


def test_register_query_count_does_not_grow_with_bookings(trainer_client, course):
    session = SessionFactory(course=course, capacity=1)
    booked(session, 1)
    url = reverse("training:manage_register", args=[session.pk])
    started(session)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        trainer_client.get(url)
    later = timezone.now() + timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(
        starts_at=later, ends_at=later + timedelta(hours=1)
    )
    session.refresh_from_db()
    booked(session, 9)
    started(session)
    with CaptureQueriesContext(connection) as large:
        response = trainer_client.get(url)
    assert response.content.decode().count('class="register-button attended"') == 10
    assert len(large) == len(small), [q["sql"] for q in large]
