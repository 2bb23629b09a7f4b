"""The services' guarantees: the journey, mentors' places, the plan, funding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.qualifications import messages, selectors, services
from guildbook.qualifications.models import Candidacy, FundingRequest, MentorProfile, Scheme
from tests.factories import UserFactory
from tests.qualifications.conftest import mentor, scheme


def test_a_fresh_database_has_the_shipped_schemes(db):
    slugs = set(Scheme.objects.values_list("slug", flat=True))
    assert {
        "certification-2009",
        "chartership-2009",
        "certification-2021",
        "chartership-2021",
        "fellowship-2021",
        "revalidation-2021",
    } <= slugs


def test_starting_makes_a_journey_with_due_dates(db):
    person = UserFactory()
    start = timezone.localdate()
    c = services.candidacy_start(
        person=person,
        scheme=scheme("chartership-2009"),
        actor=person,
        target_date=start + timedelta(days=100),
        membership_number="M123",
    )
    journey = selectors.journey(c)
    assert [s.code for s in journey.steps][:3] == ["membership", "enrolled", "mentor"]
    assert journey.steps[0].status == "done"  # the membership number was given
    assert journey.steps[1].due == start + timedelta(days=5)
    assert journey.next_step.code == "enrolled"
    later = selectors.journey(c, today=start + timedelta(days=50))
    assert [s.code for s in later.overdue] == ["enrolled", "mentor", "plan"]


def test_one_open_candidacy_per_scheme_but_several_over_time(db):
    person = UserFactory()
    cert = scheme("certification-2021")
    first = services.candidacy_start(person=person, scheme=cert, actor=person)
    with pytest.raises(Conflict):
        services.candidacy_start(person=person, scheme=cert, actor=person)
    services.candidacy_withdraw(candidacy=first, actor=person, reason="Moved jobs")
    again = services.candidacy_start(person=person, scheme=cert, actor=person)
    services.candidacy_start(person=person, scheme=scheme("chartership-2021"), actor=person)
    mine = selectors.my_candidacies(person)
    assert len(mine) == 3
    first.refresh_from_db()
    assert first.status == Candidacy.Status.WITHDRAWN and first.withdrawn_reason == "Moved jobs"
    with pytest.raises(ServiceError):
        services.candidacy_step_set(candidacy=first, code="enrolled", done=True, actor=person)
    assert again.is_open


def test_accepting_takes_a_place_and_tells_the_candidate(scene):
    profile = MentorProfile.objects.get(user=scene.mentor)
    assert profile.mentees == 1
    assert selectors.journey(scene.candidacy).steps[2].status == "done"  # mentor agreed
    assert OutboxMessage.objects.filter(
        kind=messages.REQUEST_ANSWERED, recipient=scene.candidate
    ).exists()
    # The request itself did not e-mail the mentor: it queued this week's digest.
    assert OutboxMessage.objects.filter(kind=messages.MENTOR_DIGEST).count() >= 1


def test_a_full_mentor_is_not_offered_and_cannot_accept(db):
    m = mentor("full@example.nhs.uk", name="Fay Full", capacity=1)
    a, b = UserFactory(), UserFactory()
    cs = [
        services.candidacy_start(person=p, scheme=scheme("chartership-2009"), actor=p)
        for p in (a, b)
    ]
    ra = services.mentor_request_create(candidacy=cs[0], mentor=m, actor=a)
    rb = services.mentor_request_create(candidacy=cs[1], mentor=m, actor=b)
    services.mentor_request_accept(request=ra, actor=m.user)
    assert m.pk not in [p.pk for p in selectors.mentor_directory()]
    with pytest.raises(services.MentorFull) as exc:
        services.mentor_request_accept(request=rb, actor=m.user)
    assert exc.value.code == "mentor_full"
    with pytest.raises(services.MentorFull):
        services.mentor_request_create(candidacy=cs[1], mentor=m, actor=b)


def test_changing_mentor_keeps_the_history_and_frees_the_place(scene):
    other = MentorProfile.objects.get(user=scene.other_mentor)
    r = services.mentor_request_create(
        candidacy=scene.candidacy, mentor=other, actor=scene.candidate
    )
    services.mentor_request_accept(request=r, actor=scene.other_mentor)
    statuses = sorted(scene.candidacy.mentor_requests.values_list("status", flat=True))
    assert statuses == ["accepted", "ended"]
    assert MentorProfile.objects.get(user=scene.mentor).mentees == 0
    assert MentorProfile.objects.get(user=scene.other_mentor).mentees == 1
    # The meetings with the first mentor stay.
    assert scene.candidacy.meetings.count() == 1


def test_only_the_requested_mentor_answers(scene):
    pending = scene.other_candidacy.mentor_requests.get()
    with pytest.raises(NotAllowed):
        services.mentor_request_accept(request=pending, actor=scene.mentor)
    services.mentor_request_decline(request=pending, actor=scene.other_mentor, reason="Full term")
    pending.refresh_from_db()
    assert pending.status == "declined" and pending.reason == "Full term"


def test_withdrawing_frees_the_mentor(scene):
    services.candidacy_withdraw(candidacy=scene.candidacy, actor=scene.candidate)
    assert MentorProfile.objects.get(user=scene.mentor).mentees == 0
    assert scene.candidacy.mentor_requests.get().status == "ended"


def test_capacity_cannot_drop_below_current_mentees(scene):
    with pytest.raises(ServiceError) as exc:
        services.mentor_profile_save(user=scene.mentor, actor=scene.mentor, capacity=0)
    assert exc.value.field == "capacity"


def test_an_action_reminder_goes_until_done(scene):
    reminder = OutboxMessage.objects.get(kind=messages.ACTION_DUE)
    assert reminder.recipient == scene.candidate
    services.action_set_done(action=scene.action, actor=scene.candidate)
    reminder.refresh_from_db()
    assert reminder.status == "void"


def test_the_completion_form_is_prefilled_from_the_log(scene):
    prefill = selectors.completion_prefill(
        scene.candidacy, MentorProfile.objects.get(user=scene.mentor)
    )
    assert prefill["meetings_count"] == 1
    assert "First meeting" in prefill["summary"]
    report = services.mentor_report_submit(
        candidacy=scene.candidacy, actor=scene.mentor, summary=prefill["summary"]
    )
    assert report.meetings_count == 1
    with pytest.raises(NotAllowed):
        services.mentor_report_submit(
            candidacy=scene.candidacy, actor=scene.other_mentor, summary="x"
        )


def test_the_plan_is_agreed_by_the_mentor_only(scene):
    with pytest.raises(NotAllowed):
        services.plan_agree(candidacy=scene.candidacy, actor=scene.candidate)
    services.plan_agree(candidacy=scene.candidacy, actor=scene.mentor)
    assert selectors.journey(scene.candidacy).steps[3].status == "done"


def test_a_goal_links_only_the_schemes_criteria(scene):
    with pytest.raises(ServiceError) as exc:
        services.goal_save(
            candidacy=scene.candidacy,
            actor=scene.candidate,
            what="x",
            criteria=["commitment-to-cpd"],  # the 2009 scheme's, not this one's
        )
    assert exc.value.field == "criteria"


def test_booking_from_the_plan_uses_trainings_booking(scene):
    services.activity_book(activity=scene.activity, session=scene.session, actor=scene.candidate)
    scene.activity.refresh_from_db()
    assert scene.activity.booking.person == scene.candidate
    assert scene.activity.booking.status == "confirmed"


def test_membership_fees_are_refused(scene):
    with pytest.raises(services.FeeRefused) as exc:
        services.funding_request_create(
            candidacy=scene.candidacy, fee="membership", justification="x", actor=scene.candidate
        )
    assert exc.value.field == "fee" and exc.value.status == 422


def test_funding_amount_is_the_schemes_and_decisions_are_officers(scene):
    assert scene.funding.amount == 7500
    with pytest.raises(NotAllowed):
        services.funding_request_approve(funding=scene.funding, actor=scene.mentor)
    services.funding_request_approve(funding=scene.funding, actor=scene.officer, comment="Yes")
    services.funding_request_pay(funding=scene.funding, actor=scene.officer, reference="PO-1")
    scene.funding.refresh_from_db()
    assert scene.funding.status == FundingRequest.Status.PAID
    assert scene.funding.payment_reference == "PO-1"
    kinds = OutboxMessage.objects.filter(kind=messages.FUNDING_DECIDED).count()
    assert kinds == 2
    rows = selectors.funding_report(scene.officer, year=timezone.localdate().year)
    assert [(r.team, r.requested, r.approved, r.paid) for r in rows] == [
        ("Library", 7500, 7500, 7500)
    ]


def test_funding_attaches_the_training_record_pdf(scene):
    services.funding_request_decline(funding=scene.funding, actor=scene.officer, comment="No")
    again = services.funding_request_create(
        candidacy=scene.candidacy, fee="submission", justification="Again", actor=scene.candidate
    )
    assert again.training_record.read(5) == b"%PDF-"


def test_revalidation_is_free_and_has_no_mentor(db):
    person = UserFactory()
    c = services.candidacy_start(person=person, scheme=scheme("revalidation-2021"), actor=person)
    assert c.scheme.rules["cpd_hours"] == 20 and c.scheme.rules["statement_words"] == 250
    with pytest.raises(services.FeeRefused):
        services.funding_request_create(
            candidacy=c, fee="enrolment", justification="x", actor=person
        )
    m = mentor("rev@example.nhs.uk", name="Rev Mentor")
    with pytest.raises(ServiceError):
        services.mentor_request_create(candidacy=c, mentor=m, actor=person)
