"""The outreach log's services and pages, and closed sessions for one team: hidden from
everyone else, and refused by the booking service to people outside the team."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.core.audit import AuditEntry
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import Booking, BookingAlert, OutreachEntry, Session
from tests.api.conftest import ApiClient
from tests.factories import CourseFactory, UserFactory, directory_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def nursing(db):
    return directory_team("School nursing")


@pytest.fixture
def entry(trainer, officer, nursing):
    return services.outreach_create(
        actor=trainer,
        kind="presentation",
        date=date(2026, 10, 6),
        team=nursing,
        people_reached=14,
        went=[trainer, officer],
        notes="Ten minutes at the team meeting.",
        follow_ups=[("Send the slides", date(2026, 10, 13))],
    )


def _closed_session(entry, trainer, course, **kw):
    return services.outreach_session_create(
        entry=entry,
        actor=trainer,
        course=course,
        starts_at=timezone.now() + timedelta(days=10),
        capacity=kw.pop("capacity", 6),
        venue="Riverside Community Health offices",
        **kw,
    )


# --- Entries and follow-ups -------------------------------------------------------------


def test_an_entry_keeps_what_was_logged_and_is_audited(entry, trainer, officer, nursing):
    entry.refresh_from_db()
    assert (entry.kind, entry.team, entry.people_reached) == ("presentation", nursing, 14)
    assert set(entry.went.all()) == {trainer, officer}
    assert [(f.text, f.due_on, f.done) for f in entry.follow_ups.all()] == [
        ("Send the slides", date(2026, 10, 13), False)
    ]
    assert entry.who == "School nursing"
    assert AuditEntry.objects.filter(action="outreach_created", object_id=entry.pk).exists()


def test_an_officer_edits_and_deletes_an_entry(entry, officer):
    services.outreach_update(
        entry=entry,
        actor=officer,
        kind="stand",
        date=date(2026, 10, 7),
        team=None,
        audience="Nursing students' welcome fair",
        people_reached=40,
        went=[officer],
    )
    entry.refresh_from_db()
    assert (entry.kind, entry.team, entry.who) == ("stand", None, "Nursing students' welcome fair")
    assert list(entry.went.all()) == [officer]
    services.outreach_delete(entry=entry, actor=officer)
    assert not OutreachEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"team": None, "audience": "  "}, "team"),
        ({"people_reached": -1}, "people_reached"),
        ({"date": date(1900, 1, 1)}, "date"),
        ({"date": None}, "date"),
        ({"kind": "party"}, "kind"),
        ({"notes": "a\x00b"}, "notes"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    trainer, nursing, change, field
):
    fields = {"kind": "helping", "date": date(2026, 11, 2), "team": nursing, **change}
    with pytest.raises(ServiceError) as refused:
        services.outreach_create(actor=trainer, **fields)
    assert refused.value.field == field
    assert not OutreachEntry.objects.exists()


def test_learners_cannot_log_outreach(person, nursing):
    with pytest.raises(NotAllowed):
        services.outreach_create(actor=person, kind="other", date=date(2026, 1, 5), team=nursing)


def test_follow_ups_are_added_marked_done_and_deleted(entry, officer):
    added = services.outreach_follow_up_add(
        entry=entry, actor=officer, text="Book a drop-in", due_on=date(2026, 12, 1)
    )
    services.outreach_follow_up_set_done(follow_up=added, actor=officer, done=True)
    added.refresh_from_db()
    assert added.done
    with pytest.raises(ServiceError) as refused:
        services.outreach_follow_up_add(entry=entry, actor=officer, text="   ")
    assert refused.value.field == "text"
    services.outreach_follow_up_delete(follow_up=added, actor=officer)
    assert [f.text for f in entry.follow_ups.all()] == ["Send the slides"]


# --- Closed sessions ----------------------------------------------------------------------


def test_a_closed_session_is_made_for_the_entrys_team_and_linked_to_it(entry, trainer, course):
    session = _closed_session(entry, trainer, course)
    assert session.for_team == entry.team
    assert list(entry.sessions.all()) == [session]
    assert AuditEntry.objects.filter(action="session_created", object_id=session.pk).exists()


def test_only_a_trainer_makes_a_closed_session_and_only_for_a_team(entry, officer, trainer):
    course = CourseFactory()
    with pytest.raises(NotAllowed):
        _closed_session(entry, officer, course)
    entry.team = None
    entry.audience = "A stand in the canteen"
    entry.save()
    with pytest.raises(ServiceError) as refused:
        _closed_session(entry, trainer, course)
    assert refused.value.field == "team"
    assert not Session.objects.exists()


def test_the_booking_service_refuses_people_outside_the_team(
    entry, trainer, course, nursing, fast_paths
):
    session = _closed_session(entry, trainer, course)
    outsider = UserFactory()
    with pytest.raises(services.BookingRefused, match="closed session for the School nursing"):
        services.booking_create(session=session, person=outsider, actor=outsider)
    member = UserFactory(directory_team=nursing)
    booking = services.booking_create(session=session, person=member, actor=member)
    assert booking.status == Booking.Status.CONFIRMED
    # A trainer may still add someone from outside the team.
    added = services.booking_create(session=session, person=outsider, actor=trainer)
    assert added.status == Booking.Status.CONFIRMED


def test_a_closed_session_is_hidden_from_everyone_but_its_team(
    client, entry, trainer, course, nursing
):
    session = _closed_session(entry, trainer, course)
    outsider, member = UserFactory(), UserFactory(directory_team=nursing)
    for who, sees in ((outsider, False), (member, True), (trainer, True)):
        listed = [s.pk for c in selectors.catalogue(who) for s in c.next_sessions]
        assert (session.pk in listed) is sees
        client.force_login(who)
        assert client.get(session.get_absolute_url()).status_code == (200 if sees else 404)
        page = client.get(course.get_absolute_url()).content.decode()
        assert (session.get_absolute_url() in page) is sees
        api = ApiClient(who).get("/api/v1/sessions", {"course": course.slug})
        assert (session.pk in [s["id"] for s in api.json()["items"]]) is sees
    client.force_login(outsider)
    assert client.post(f"/sessions/{session.pk}/book/").status_code == 404
    assert ApiClient(outsider).post(f"/api/v1/sessions/{session.pk}/bookings").status_code == 404
    assert not Booking.objects.filter(session=session).exists()


def test_a_closed_session_opened_to_everyone_is_listed_bookable_and_told_to_interest(
    entry, trainer, course, nursing, person
):
    session = _closed_session(entry, trainer, course)
    member = UserFactory(directory_team=nursing)
    services.booking_create(session=session, person=member, actor=member)
    later_course = CourseFactory(title="Critical appraisal")
    interested = services.interest_register(course=later_course, person=person, actor=person)
    in_team = services.interest_register(course=later_course, person=member, actor=member)
    closed_later = _closed_session(entry, trainer, later_course)
    # A closed session is news only to its team: nobody else could see or book it.
    assert not BookingAlert.objects.filter(interest=interested).exists()
    assert BookingAlert.objects.filter(interest=in_team, session=closed_later).exists()

    opened = services.session_open_to_all(session=closed_later, actor=trainer)
    assert opened.for_team is None
    # Those who asked to hear of a date for the course hear of this one now.
    assert BookingAlert.objects.filter(interest=interested, session=closed_later).exists()
    session = services.session_open_to_all(session=session, actor=trainer)
    outsider = UserFactory()
    assert session.pk in [s.pk for c in selectors.catalogue(outsider) for s in c.next_sessions]
    booking = services.booking_create(session=session, person=outsider, actor=outsider)
    assert booking.status == Booking.Status.CONFIRMED
    assert Booking.objects.filter(session=session, person=member).exists()  # kept their place
    assert AuditEntry.objects.filter(action="session_opened_to_all", object_id=session.pk).exists()
    entry.refresh_from_db()
    assert set(entry.sessions.all()) == {session, closed_later}  # still what followed the visit

    with pytest.raises(ServiceError, match="already open to everyone"):
        services.session_open_to_all(session=session, actor=trainer)
    with pytest.raises(NotAllowed):
        services.session_open_to_all(session=_closed_session(entry, trainer, course), actor=person)


def test_a_trainer_opens_a_closed_session_from_its_page(client, entry, trainer, course):
    session = _closed_session(entry, trainer, course)
    client.force_login(trainer)
    page = client.get(f"/manage/sessions/{session.pk}/").content.decode()
    assert "Open to everyone" in page
    response = client.post(f"/manage/sessions/{session.pk}/open/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "The session is open to everyone now" in text
    assert "Open to everyone" not in text and "A closed session for" not in text
    session.refresh_from_db()
    assert session.for_team is None
    again = client.post(f"/manage/sessions/{session.pk}/open/", follow=True).content.decode()
    assert "already open to everyone" in again


# --- Pages ----------------------------------------------------------------------------------


def test_an_officer_logs_outreach_through_the_form_with_clear_errors(client, officer, nursing):
    client.force_login(officer)
    bad = client.post(
        "/manage/outreach/new/", {"kind": "presentation", "date": "", "people_reached": "lots"}
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Give the date." in text
    assert "Choose the team, or say who the audience was." in text
    assert "Give the number of people as a whole number" in text
    assert not OutreachEntry.objects.exists()
    done = client.post(
        "/manage/outreach/new/",
        {
            "kind": "helping",
            "date": "2026-11-03",
            "team": nursing.pk,
            "people_reached": "9",
            "went": [officer.pk],
            "notes": "Set up the team's Twitter account.",
        },
    )
    entry = OutreachEntry.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/manage/outreach/{entry.pk}/"
    page = client.get(done["Location"]).content.decode()
    assert "School nursing, 3 November 2026" in page
    assert "Helping a service" in page
    # Officers do not schedule sessions: no button, and the page is not there for them.
    assert "Create a closed session" not in page
    assert client.get(f"/manage/outreach/{entry.pk}/session/").status_code == 404


def test_follow_ups_are_added_and_ticked_off_on_the_entry_page(client, entry, trainer):
    client.force_login(trainer)
    url = f"/manage/outreach/{entry.pk}/follow-ups/"
    assert client.post(url, {"text": "", "due_on": "soon"}).status_code == 400
    client.post(url, {"text": "Offer a drop-in", "due_on": "2026-12-01"})
    added = entry.follow_ups.get(text="Offer a drop-in")
    client.post(f"/manage/outreach/follow-ups/{added.pk}/", {"action": "done"})
    added.refresh_from_db()
    assert added.done
    page = client.get(f"/manage/outreach/{entry.pk}/").content.decode()
    assert 'Mark not done<span class="visually-hidden">: Offer a drop-in' in page
    assert "by 1 December 2026" in page


def test_a_trainer_schedules_a_closed_session_from_the_entry(client, entry, trainer, course):
    client.force_login(trainer)
    url = f"/manage/outreach/{entry.pk}/session/"
    assert client.get(url).status_code == 200
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    missing = client.post(url, {"date": day, "start_time": "10:00", "venue": "Team base"})
    assert missing.status_code == 400 and "Choose the course." in missing.content.decode()
    response = client.post(
        url, {"course": course.pk, "date": day, "start_time": "10:00", "venue": "Team base"}
    )
    assert response.status_code == 302
    session = entry.sessions.get()
    assert session.for_team == entry.team and session.capacity == course.default_capacity
    page = client.get(f"/manage/outreach/{entry.pk}/").content.decode()
    assert f"http://testserver/sessions/{session.pk}/" in page


def test_the_log_takes_the_same_queries_at_one_and_ten_times_the_entries(
    client, trainer, officer, nursing
):
    def add(n):
        for i in range(n):
            services.outreach_create(
                actor=trainer,
                kind="stand",
                date=date(2026, 1, 1 + i % 28),
                team=nursing if i % 2 else None,
                audience="" if i % 2 else f"Fair {i}",
                went=[trainer, officer],
                follow_ups=[("Call back", None)],
            )

    client.force_login(trainer)
    add(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/manage/outreach/").status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/manage/outreach/")
    assert page.content.decode().count("Call back") == 20
    assert len(large) == len(small)
