"""The outreach log's services and pages, and closed sessions for one team: hidden from
everyone else, and refused by the booking service to people outside the team."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from guildbook.core.audit import AuditEntry
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import Booking, OutreachEntry, Session
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
