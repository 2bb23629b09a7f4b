from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.qualifications import services
from guildbook.qualifications.models import Scheme
from tests.factories import CourseFactory, SessionFactory, UserFactory


def scheme(slug: str) -> Scheme:
    return Scheme.objects.get(slug=slug)


def mentor(email: str, *, name: str, capacity: int = 2, **fields):
    user = UserFactory(email=email, name=name)
    defaults = {"region": "London", "sector": "Health", "specialisms": ["Outreach"]}
    defaults.update(fields)
    return services.mentor_profile_save(user=user, actor=user, capacity=capacity, **defaults)


@dataclass
class Scene:
    candidate: object
    other_candidate: object
    learner: object
    mentor: object
    other_mentor: object
    officer: object
    admin: object
    candidacy: object
    other_candidacy: object
    request: object
    meeting: object
    action: object
    goal: object
    activity: object
    funding: object
    course: object
    session: object


def build_scene() -> Scene:
    """A Chartership candidate with an accepted mentor, a meeting with an action, a goal
    with a course activity and a funding request; another candidate with their own; and
    everyone else of the URL walk."""
    candidate = UserFactory(email="cara@example.nhs.uk", name="Cara Candidate", team="Library")
    other = UserFactory(email="otto@example.nhs.uk", name="Otto Other", team="Archives")
    learner = UserFactory(email="lee@example.nhs.uk", name="Lee Learner")
    officer = UserFactory(email="sam@example.nhs.uk", name="Sam Development", role="sdo")
    admin = UserFactory(email="ann@example.nhs.uk", name="Ann Admin", role="admin")
    m = mentor("mia@example.nhs.uk", name="Mia Mentor", capacity=2)
    other_m = mentor("max@example.nhs.uk", name="Max Mentor", capacity=2, sector="Academic")
    chartership = scheme("chartership-2021")
    candidacy = services.candidacy_start(person=candidate, scheme=chartership, actor=candidate)
    other_candidacy = services.candidacy_start(person=other, scheme=chartership, actor=other)
    request = services.mentor_request_create(
        candidacy=candidacy, mentor=m, actor=candidate, message="Please"
    )
    services.mentor_request_accept(request=request, actor=m.user)
    services.mentor_request_create(
        candidacy=other_candidacy, mentor=other_m, actor=other, message="Hello"
    )
    today = timezone.localdate()
    meeting = services.meeting_log(
        candidacy=candidacy,
        actor=m.user,
        held_on=today,
        notes="First meeting",
        actions=[{"text": "Draft the CV", "owner": "candidate", "due_on": today + timedelta(7)}],
    )
    course = CourseFactory(title="Building your portfolio", slug="building-your-portfolio")
    session = SessionFactory(course=course, capacity=10)
    goal = services.goal_save(
        candidacy=candidacy,
        actor=candidate,
        what="Present at a conference",
        criteria=["wider-professional-context"],
    )
    activity = services.activity_add(goal=goal, actor=candidate, course=course)
    funding = services.funding_request_create(
        candidacy=candidacy,
        fee="submission",
        justification="Part of my appraisal",
        actor=candidate,
        attach_record=False,
    )
    return Scene(
        candidate=candidate,
        other_candidate=other,
        learner=learner,
        mentor=m.user,
        other_mentor=other_m.user,
        officer=officer,
        admin=admin,
        candidacy=candidacy,
        other_candidacy=other_candidacy,
        request=request,
        meeting=meeting,
        action=meeting.actions.get(),
        goal=goal,
        activity=activity,
        funding=funding,
        course=course,
        session=session,
    )


@pytest.fixture
def scene(db):
    return build_scene()
