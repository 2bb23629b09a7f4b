"""An axe-core scan of the pages people use most, in a real browser: no violations allowed.

Each page is loaded with realistic content (bookings, a waiting list, attendance, booking
questions) so that the scan sees the tables, badges and forms people actually meet.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from guildbook.surveys import services as survey_services
from guildbook.training import services
from guildbook.training.models import BookingQuestion
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.surveys import results_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    return build_scene()


def build_scene() -> dict:
    """A trainer's course with a past session (attended) and a full upcoming one."""
    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    ada = UserFactory(email="ada@example.nhs.uk", name="Ada Learner")
    ben = UserFactory(email="ben@example.nhs.uk", name="Ben Waiting")
    course = CourseFactory(
        title="Get Tweeting – Twitter for professional development",
        slug="get-tweeting",
        description="A gentle start on Twitter for library and healthcare staff.",
        learning_outcomes="Set up a profile\nFollow people in your field\nTweet from a conference",
        audience="Anyone new to Twitter",
    )
    course.trainers.add(tess)
    BookingQuestion.objects.create(
        course=course, text="What do you hope to get from the session?", kind="long_text"
    )
    BookingQuestion.objects.create(
        course=course, text="Is this your first time using the library?", kind="yes_no"
    )
    now = timezone.now()
    past = SessionFactory(
        course=course, starts_at=now - timedelta(days=30), capacity=8, venue="Staff Library"
    )
    upcoming = SessionFactory(course=course, starts_at=now + timedelta(days=10), capacity=1)
    open_session = SessionFactory(course=course, starts_at=now + timedelta(days=20), capacity=6)
    for s in (past, upcoming, open_session):
        s.trainers.add(tess)
    # Booked while booking was open, then marked as attended on the register.
    attended = services.booking_create(
        session=past, person=ada, actor=ada, now=past.starts_at - timedelta(days=7)
    )
    services.attendance_record(booking=attended, attended=True, actor=tess)
    services.booking_create(session=upcoming, person=ada, actor=ada)
    services.booking_create(session=upcoming, person=ben, actor=ben)
    survey = _survey_template(tess)
    return {
        "trainer": tess,
        "learner": ada,
        "course": course,
        "past": past,
        "upcoming": upcoming,
        "open": open_session,
        "survey": survey,
    }


def _survey_template(trainer):
    """A follow-up with every kind of question, a condition and the impact question."""
    template = survey_services.template_create(
        title="Get Tweeting: a month on", intro="It takes a minute.", actor=trainer
    )
    used = survey_services.question_add(
        template=template,
        kind="single",
        text="Have you used Twitter since the session?",
        choices=["Yes, regularly", "Yes, a little", "Not yet"],
        required=True,
        is_impact=True,
        actor=trainer,
    )
    survey_services.question_add(
        template=template,
        kind="long_text",
        text="What got in the way?",
        help_text="Time, access, confidence.",
        show_if_choice=used.choices.get(label="Not yet"),
        actor=trainer,
    )
    survey_services.question_add(
        template=template,
        kind="scale",
        text="How confident do you feel now?",
        scale_low_label="Not at all confident",
        scale_high_label="Very confident",
        actor=trainer,
    )
    survey_services.question_add(
        template=template, kind="multiple", text="Where?", choices=["Work", "Home"], actor=trainer
    )
    survey_services.question_add(
        template=template, kind="yes_no", text="Would you recommend it?", actor=trainer
    )
    return template


def survey_link(s, *, one_click: bool) -> str:
    """The follow-up survey link from the learner's e-mail (she attended the past session)."""
    from guildbook.surveys import tokens
    from guildbook.surveys.models import Invitation

    invitation = Invitation.objects.get(booking__person=s["learner"], session=s["past"])
    url = reverse("surveys:answer", args=[tokens.make_token(invitation, "answer")])
    if one_click:
        first = invitation.template.questions.order_by("position").first()
        url += f"?choice={first.choices.first().pk}"
    return url


# (page name, who is signed in, how to build its address from the scene)
PAGES = [
    ("sign-in", None, lambda s: reverse("account_login")),
    ("catalogue", "learner", lambda s: reverse("training:catalogue")),
    ("course page", "learner", lambda s: s["course"].get_absolute_url()),
    ("session page, full", "learner", lambda s: s["upcoming"].get_absolute_url()),
    ("session page, booking form", "learner", lambda s: s["open"].get_absolute_url()),
    ("my bookings", "learner", lambda s: reverse("training:my_bookings")),
    ("my calendar", "trainer", lambda s: calendar_page(s["trainer"])),
    ("training record", "learner", lambda s: reverse("training:my_record")),
    ("your data", "learner", lambda s: reverse("accounts:your_data")),
    (
        "trainer's session bookings",
        "trainer",
        lambda s: reverse("training:manage_session", args=[s["upcoming"].pk]),
    ),
    ("register", "trainer", lambda s: reverse("training:manage_register", args=[s["past"].pk])),
    (
        "survey template editor",
        "trainer",
        lambda s: reverse("surveys:manage_template", args=[s["survey"].family]),
    ),
    (
        "survey template preview",
        "trainer",
        lambda s: reverse("surveys:manage_template_preview", args=[s["survey"].family]),
    ),
    ("survey templates", "trainer", lambda s: reverse("surveys:manage_templates")),
    (
        "survey question form",
        "trainer",
        lambda s: reverse(
            "surveys:manage_question_edit", args=[s["survey"].questions.get(position=1).pk]
        ),
    ),
    ("survey, one-click answer", None, lambda s: survey_link(s, one_click=True)),
    ("survey, every question", None, lambda s: survey_link(s, one_click=False)),
    ("survey link that does not work", None, lambda s: reverse("surveys:answer", args=["x"])),
    (
        "course's follow-up surveys",
        "trainer",
        lambda s: reverse("surveys:manage_moments", args=[s["course"].slug]),
    ),
    (
        "follow-up survey settings",
        "trainer",
        lambda s: reverse(
            "surveys:manage_moment_edit",
            args=[s["course"].slug, s["course"].survey_moments.first().pk],
        ),
    ),
    ("survey results, all courses", "trainer", lambda s: survey_results(s, "overview")),
    ("survey results, a course", "trainer", lambda s: survey_results(s, "course")),
    ("survey results, a session", "trainer", lambda s: survey_results(s, "session")),
    ("training record with survey answers", "learner", lambda s: survey_results(s, "record")),
]


def calendar_page(person):
    from guildbook.training import feeds

    feeds.calendar_feed_renew(person=person, actor=person)
    return reverse("training:my_calendar")


def survey_results(s, which):
    """Results of a follow-up answered by several people, over two template versions
    (tests/surveys/results_scene.py); the learner answered one of its sessions too."""
    if "results" not in s:
        r = s["results"] = results_scene.build(title="Searching PubMed", slug="searching-pubmed")
        invitation = results_scene.invite(
            r.moment, r.sessions[1], s["learner"], template=r.v2.template
        )
        results_scene.respond(
            invitation,
            r.v2,
            {"impact": "Yes, a little", "helped": ["A colleague"], "scale": 4},
            anonymous=False,
        )
    r = s["results"]
    return {
        "overview": reverse("surveys:results") + "?from=&to=",
        "course": reverse("surveys:results_course", args=[r.course.slug]) + "?from=&to=",
        "session": reverse("surveys:results_session", args=[r.sessions[0].pk]),
        "record": reverse("training:my_record"),
    }[which]


def readable(results) -> str:
    lines = []
    for v in results.response["violations"]:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "who", "address"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_accessibility_violations(new_page, scene, name, who, address):
    page = new_page(user=scene[who] if who else None)
    response = page.goto(address(scene))
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    results = Axe().run(page)
    assert results.violations_count == 0, (
        f"{name} ({page.url}) has {results.violations_count} accessibility violation(s):\n"
        + readable(results)
    )
