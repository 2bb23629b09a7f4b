"""Every page a learner and a trainer can reach fits a 360-pixel phone screen.

The test walks the URL patterns of the apps people use, so a new page cannot be added
without being checked here: each route is either loaded (with demo-like data behind it) or
named in NOT_PAGES with the reason it is not a page (a download, a POST-only action).
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from guildbook.accounts.organisations import directory_import
from guildbook.surveys import tokens as survey_tokens
from guildbook.surveys.models import Invitation
from guildbook.training import feeds, services
from guildbook.training.messages import booking_link_token
from guildbook.training.models import Booking
from tests.e2e.phone import pages_wider_than_phone
from tests.e2e.test_accessibility import build_scene, survey_link, survey_results
from tests.factories import (
    CourseFactory,
    SessionFactory,
    UserFactory,
    directory_team,
    weekly_series,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The apps whose pages people meet (the admin and the API are not pages for learners).
NAMESPACES = ("training", "surveys", "accounts", "notifications")

# Routes that are not pages, with the reason.
NOT_PAGES = {
    "training:material": "a file download",
    "training:session_book": "POST only",
    "training:booking_claim": "POST only",
    "training:alert_create": "POST only",
    "training:alert_remove": "POST only",
    "training:interest_register": "POST only",
    "training:interest_stop": "POST only",
    "training:manage_course_interest_csv": "a download",
    "training:booking_ics": "a calendar file",
    "training:my_calendar_renew": "POST only",
    "training:my_calendar_revoke": "POST only",
    "training:calendar_feed": "a calendar feed",
    "training:course_feed": "a calendar feed",
    "training:my_record_csv": "a download",
    "training:my_record_pdf": "a download",
    "training:person_record_csv": "a download",
    "training:person_record_pdf": "a download",
    "training:manage_course_invitation": "POST only",
    "training:manage_session_capacity": "POST only",
    "training:manage_session_open": "POST only",
    "training:manage_booking_add": "POST only",
    "training:manage_session_csv": "a download",
    "training:manage_register_all": "POST only",
    "training:manage_booking_move": "POST only",
    "training:manage_booking_restore": "POST only",
    "training:manage_attendance": "POST only",
    "training:outreach_follow_up_add": "POST only",
    "training:outreach_follow_up": "POST only",
    "surveys:results_course_csv": "a download",
    "surveys:results_session_csv": "a download",
    "surveys:results_course_xlsx": "a download",
    "surveys:results_session_xlsx": "a download",
    "surveys:manage_template_duplicate": "POST only",
    "surveys:manage_template_archive": "POST only",
    "surveys:manage_template_restore": "POST only",
    "surveys:manage_question_move": "POST only",
    "surveys:manage_question_impact": "POST only",
    "surveys:manage_choice_add": "POST only",
    "surveys:manage_choice": "POST only",
    "accounts:token_create": "POST only",
    "accounts:token_revoke": "POST only",
    "accounts:your_data_download": "a download",
    "accounts:subject_access": "a download, for staff development officers",
    "accounts:erase": "an administrator's page, not a learner's or a trainer's",
    "notifications:dev_mailbox": "development's mailbox, not served in production",
    "notifications:dev_mailbox_message": "development's mailbox, not served in production",
    "notifications:dev_mailbox_html": "development's mailbox, not served in production",
    "notifications:dev_mailbox_attachment": "development's mailbox, not served in production",
}


def _link(booking, purpose):
    return reverse(f"training:booking_link_{purpose}", args=[booking_link_token(booking, purpose)])


def _calendar_page(person):
    feeds.calendar_feed_renew(person=person, actor=person)  # with its address and courses
    return reverse("training:my_calendar")


def _external_done(s):
    invitation = Invitation.objects.get(booking__person=s["learner"], session=s["past"])
    return reverse("surveys:external_done", args=[survey_tokens.make_token(invitation, "done")])


# route name → [(who, address built from the scene), …]; several where a page has states.
PAGES = {
    "training:catalogue": [
        ("learner", lambda s: reverse("training:catalogue")),
        (None, lambda s: "/"),
    ],
    "training:course": [("learner", lambda s: s["course"].get_absolute_url())],
    "training:session": [
        ("learner", lambda s: s["upcoming"].get_absolute_url()),
        ("learner", lambda s: s["open"].get_absolute_url()),
        ("learner", lambda s: s["not_yet"].get_absolute_url()),
        ("learner", lambda s: s["past"].get_absolute_url()),
    ],
    "training:my_bookings": [("learner", lambda s: reverse("training:my_bookings"))],
    "training:my_calendar": [("trainer", lambda s: _calendar_page(s["trainer"]))],
    "training:booking": [
        ("learner", lambda s: reverse("training:booking", args=[s["confirmed"].pk])),
        ("learner", lambda s: reverse("training:booking", args=[s["waiting"].pk])),
        ("learner", lambda s: reverse("training:booking", args=[s["cancelled"].pk])),
    ],
    "training:booking_cancel": [
        ("learner", lambda s: reverse("training:booking_cancel", args=[s["confirmed"].pk]))
    ],
    "training:booking_link_coming": [(None, lambda s: _link(s["confirmed"], "coming"))],
    "training:booking_link_release": [(None, lambda s: _link(s["confirmed"], "release"))],
    "training:booking_link_claim": [(None, lambda s: _link(s["waiting"], "claim"))],
    "training:booking_link_decline": [(None, lambda s: _link(s["waiting"], "decline"))],
    "training:my_record": [
        ("learner", lambda s: reverse("training:my_record")),
        ("learner", lambda s: survey_results(s, "record")),
    ],
    "training:people": [("officer", lambda s: reverse("training:people"))],
    "training:person_record": [
        ("officer", lambda s: reverse("training:person_record", args=[s["learner"].pk]))
    ],
    "training:manage": [("trainer", lambda s: reverse("training:manage"))],
    "training:import_history": [("administrator", lambda s: reverse("training:import_history"))],
    "training:manage_course_create": [
        ("trainer", lambda s: reverse("training:manage_course_create"))
    ],
    "training:manage_course": [
        ("trainer", lambda s: reverse("training:manage_course", args=[s["course"].slug]))
    ],
    "training:manage_course_edit": [
        ("trainer", lambda s: reverse("training:manage_course_edit", args=[s["course"].slug]))
    ],
    "training:manage_session_create": [
        ("trainer", lambda s: reverse("training:manage_session_create", args=[s["course"].slug]))
    ],
    "training:manage_series_create": [
        ("trainer", lambda s: reverse("training:manage_series_create", args=[s["course"].slug]))
    ],
    "training:manage_session": [
        ("trainer", lambda s: reverse("training:manage_session", args=[s["upcoming"].pk])),
        ("trainer", lambda s: reverse("training:manage_session", args=[s["past"].pk])),
    ],
    "training:manage_session_edit": [
        ("trainer", lambda s: reverse("training:manage_session_edit", args=[s["upcoming"].pk]))
    ],
    "training:manage_session_reschedule": [
        (
            "trainer",
            lambda s: reverse("training:manage_session_reschedule", args=[s["upcoming"].pk]),
        )
    ],
    "training:manage_session_message": [
        ("trainer", lambda s: reverse("training:manage_session_message", args=[s["open"].pk]))
    ],
    "training:manage_booking_remove": [
        ("trainer", lambda s: reverse("training:manage_booking_remove", args=[s["confirmed"].pk]))
    ],
    "training:manage_session_cancel": [
        ("trainer", lambda s: reverse("training:manage_session_cancel", args=[s["upcoming"].pk]))
    ],
    "training:manage_register": [
        ("trainer", lambda s: reverse("training:manage_register", args=[s["past"].pk]))
    ],
    "training:manage_sign_in_sheet": [
        ("trainer", lambda s: reverse("training:manage_sign_in_sheet", args=[s["upcoming"].pk]))
    ],
    "training:outreach": [("officer", lambda s: reverse("training:outreach"))],
    "training:outreach_create": [("officer", lambda s: reverse("training:outreach_create"))],
    "training:outreach_entry": [
        ("trainer", lambda s: s["outreach"].get_absolute_url()),
        ("officer", lambda s: s["outreach_audience"].get_absolute_url()),
    ],
    "training:outreach_edit": [
        ("officer", lambda s: reverse("training:outreach_edit", args=[s["outreach"].pk]))
    ],
    "training:outreach_delete": [
        ("officer", lambda s: reverse("training:outreach_delete", args=[s["outreach"].pk]))
    ],
    "training:outreach_session_create": [
        (
            "trainer",
            lambda s: reverse("training:outreach_session_create", args=[s["outreach"].pk]),
        )
    ],
    "surveys:answer": [
        (None, lambda s: survey_link(s, one_click=True)),
        (None, lambda s: survey_link(s, one_click=False)),
    ],
    "surveys:external_done": [(None, _external_done)],
    "surveys:manage_moments": [
        ("trainer", lambda s: reverse("surveys:manage_moments", args=[s["course"].slug]))
    ],
    "surveys:manage_moment_create": [
        ("trainer", lambda s: reverse("surveys:manage_moment_create", args=[s["course"].slug]))
    ],
    "surveys:manage_moment_edit": [
        (
            "trainer",
            lambda s: reverse(
                "surveys:manage_moment_edit",
                args=[s["course"].slug, s["course"].survey_moments.first().pk],
            ),
        )
    ],
    "surveys:manage_moment_remove": [
        (
            "trainer",
            lambda s: reverse(
                "surveys:manage_moment_remove",
                args=[s["course"].slug, s["course"].survey_moments.first().pk],
            ),
        )
    ],
    "surveys:results": [("trainer", lambda s: survey_results(s, "overview"))],
    "surveys:results_course": [("trainer", lambda s: survey_results(s, "course"))],
    "surveys:results_session": [("trainer", lambda s: survey_results(s, "session"))],
    "surveys:manage_templates": [("trainer", lambda s: reverse("surveys:manage_templates"))],
    "surveys:manage_template_create": [
        ("trainer", lambda s: reverse("surveys:manage_template_create"))
    ],
    "surveys:manage_template": [
        ("trainer", lambda s: reverse("surveys:manage_template", args=[s["survey"].family]))
    ],
    "surveys:manage_template_preview": [
        (
            "trainer",
            lambda s: reverse("surveys:manage_template_preview", args=[s["survey"].family]),
        )
    ],
    "surveys:manage_question_add": [
        (
            "trainer",
            lambda s: reverse("surveys:manage_question_add", args=[s["survey"].family, "single"]),
        )
    ],
    "surveys:manage_question_edit": [
        (
            "trainer",
            lambda s: reverse(
                "surveys:manage_question_edit", args=[s["survey"].questions.get(position=1).pk]
            ),
        )
    ],
    "surveys:manage_question_remove": [
        (
            "trainer",
            lambda s: reverse(
                "surveys:manage_question_remove", args=[s["survey"].questions.get(position=2).pk]
            ),
        )
    ],
    "accounts:profile": [("learner", lambda s: reverse("accounts:profile"))],
    "accounts:your_data": [("learner", lambda s: reverse("accounts:your_data"))],
    "accounts:directory": [("officer", lambda s: reverse("accounts:directory"))],
    "notifications:sent": [("learner", lambda s: reverse("notifications:sent"))],
    # allauth's pages people meet when signing in.
    "account_login": [(None, lambda s: reverse("account_login"))],
}


def _route_names(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _route_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and namespace in NAMESPACES and p.name:
            yield f"{namespace}:{p.name}"


def test_every_route_is_checked_or_named_as_not_a_page():
    routes = set(_route_names(get_resolver().url_patterns))
    unchecked = routes - set(PAGES) - set(NOT_PAGES)
    assert not unchecked, f"Add these routes to PAGES (or NOT_PAGES, with why): {sorted(unchecked)}"
    gone = (set(PAGES) | set(NOT_PAGES)) - routes - {"account_login"}
    assert not gone, f"These routes no longer exist: {sorted(gone)}"


@pytest.fixture
def phone_scene(db):
    """The accessibility scene, with what a first week of real use adds: a long course
    title and venue, booking answers, a waiting list, a cancellation, a session not yet
    open for booking, a series and an officer who reads training records."""
    s = build_scene()
    s["officer"] = UserFactory(
        email="sam@example.nhs.uk", name="Sam Officer", role="staff_development"
    )
    s["administrator"] = UserFactory(
        email="alex@example.nhs.uk", name="Alex Administrator", role="administrator"
    )
    course, learner, trainer = s["course"], s["learner"], s["trainer"]
    now = timezone.now()
    long_one = CourseFactory(
        title="Finding the evidence: literature searching in Medline, CINAHL and Embase",
        slug="finding-the-evidence",
    )
    long_one.trainers.add(trainer)
    full = SessionFactory(
        course=long_one,
        starts_at=now + timedelta(days=12),
        capacity=1,
        venue="Seminar Room 3, Postgraduate Medical Education Centre, Northwick Park Hospital",
    )
    services.booking_create(session=full, person=UserFactory(), actor=trainer)
    s["waiting"] = services.booking_create(session=full, person=learner, actor=learner)
    s["confirmed"] = Booking.objects.get(session=s["upcoming"], person=learner)
    gone = services.booking_create(session=s["open"], person=learner, actor=learner)
    s["cancelled"] = services.booking_cancel(booking=gone, actor=learner)
    for n in range(4):
        person = UserFactory(name=f"Christopher Longname-Featherstonehaugh {n}")
        services.booking_create(
            session=s["open"],
            person=person,
            actor=person,
            answers={
                q.pk: ("yes" if q.kind == "yes_no" else "To find and follow people " * 12)
                for q in course.questions.all()
            },
        )
    course.booking_opens_days = 30
    course.save(update_fields=["booking_opens_days"])
    s["not_yet"] = SessionFactory(course=course, starts_at=now + timedelta(days=60))
    weekly_series(course, trainer, venue="Staff Library")
    nursing = directory_team(
        "School nursing and immunisation team (north locality)",
        department="Children's and young people's community services",
    )
    s["outreach"] = services.outreach_create(
        actor=trainer,
        kind="helping",
        date=timezone.localdate() - timedelta(days=20),
        team=nursing,
        people_reached=14,
        went=[trainer, s["officer"]],
        notes="Set up the team's account and showed them how to find and follow people.",
        follow_ups=[("Send the slides to the team lead", timezone.localdate())],
    )
    services.outreach_session_create(
        entry=s["outreach"],
        actor=trainer,
        course=course,
        starts_at=now + timedelta(days=25),
        venue="Meeting room 1, Riverside Community Health offices",
    )
    s["outreach_audience"] = services.outreach_create(
        actor=s["officer"],
        kind="stand",
        date=timezone.localdate(),
        audience="Nursing students' welcome fair in the Postgraduate Medical Education Centre",
    )
    # The organisation directory, with long names and a typed team that matches none.
    directory_import(
        text="organisation,department,team\n"
        "Riverside Community Health and Care NHS Foundation Trust,Children's and young "
        "people's services,School nursing and health visiting\n"
    )
    UserFactory(team="Community paediatric occupational therapy", organisation="Riverside")
    return s


def test_every_page_fits_a_360_pixel_phone(new_page, phone_scene):
    visits = [
        (phone_scene[who] if who else None, address(phone_scene))
        for visits_of_route in PAGES.values()
        for who, address in visits_of_route
    ]
    failures = pages_wider_than_phone(new_page, visits)
    assert failures == [], "Pages wider than a 360 px phone:\n" + "\n".join(failures)
