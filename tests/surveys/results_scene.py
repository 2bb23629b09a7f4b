"""A hand-built follow-up survey with known answers, for the results and anonymity tests.

Rows are written by the factories (tests/factories.py), not the services: these tests are
about reading results, so the scene is set directly (invitations as the sending code leaves
them, responses as answering leaves them).

The Get Tweeting follow-up was asked in two versions of one template:

version 1: 1 Have you used Twitter since the session? (impact) · 2 What helped? (several)
           · 3 What got in the way? (only if "Not yet") · 4 How confident…? (1–5)
           · 5 Anything else?
version 2: the same, but "What helped?" became "What helped you most?" and the scale
           moved up to second place.

Sessions (each invitation due 30 days after the session's end):
  S1, 90 days ago, version 1: Amy "Yes, regularly", handout + practising, 4, "Great session"
                              Bob "Not yet", "No time", 2
                              Cat "Yes, a little", a colleague, 5
                              Dan did not answer
  S2, 60 days ago, version 2: Eve "I tried and stopped", handout, 3
                              Fay "Not yet" (skipped "What got in the way?"), 1,
                                  "More sessions please"
                              Gus did not answer; Hal's invitation was withdrawn
  S3, 35 days ago:            Ian and Jo invited, no answers yet
  S4, 10 days ago:            Kim's invitation is not due yet

So: 9 invitations, 5 responses (56%), impact 2 of 5 (40%); S1 75% / 67%, S2 67% / 0%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from guildbook.surveys.models import (
    Answer,
    Question,
    SurveyMoment,
)
from guildbook.training.models import Booking
from tests.factories import (
    FOLLOW_UP_HELPED_CHOICES,
    FOLLOW_UP_IMPACT,
    FOLLOW_UP_IMPACT_CHOICES,
    CourseFactory,
    InvitationFactory,
    ResponseFactory,
    SessionFactory,
    SurveyMomentFactory,
    SurveyVersion,
    UserFactory,
    follow_up_version,
)

# The names the results and anonymity tests use for the factories' follow-up.
IMPACT = FOLLOW_UP_IMPACT
IMPACT_CHOICES = FOLLOW_UP_IMPACT_CHOICES
HELPED_CHOICES = FOLLOW_UP_HELPED_CHOICES
Version = SurveyVersion
make_version = follow_up_version


def ended_session(course, days_ago):
    ends = timezone.now() - timedelta(days=days_ago)
    return SessionFactory(course=course, starts_at=ends - timedelta(minutes=90), ends_at=ends)


def invite(moment, session, person, *, template, status="scheduled"):
    """An invitation for `person`, who booked a week ahead and attended."""
    return InvitationFactory(
        moment=moment,
        template=template,
        session=session,
        status=status,
        booking__person=person,
        booking__attendance=Booking.Attendance.ATTENDED,
        booking__confirmed_at=session.starts_at - timedelta(days=7),
    )


def respond(invitation, version: Version, answers: dict, *, anonymous: bool):
    """Answer as the answering page does: the invitation is marked answered and, for an
    anonymous moment, the response points at nothing personal and carries no time."""
    now = invitation.due_at + timedelta(days=2)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    response = ResponseFactory(
        moment=invitation.moment,
        template=version.template,
        session=invitation.session,
        invitation=None if anonymous else invitation,
        submitted_at=None if anonymous else now,
    )
    for key, value in answers.items():
        q = version.q[key]
        if q.kind in Question.CHOICE_KINDS:
            for label in value if isinstance(value, list) else [value]:
                Answer.objects.create(response=response, question=q, choice=version.c[label])
        elif q.kind == Question.Kind.SCALE:
            Answer.objects.create(response=response, question=q, number=value)
        else:
            Answer.objects.create(response=response, question=q, text=value)
    return response


@dataclass
class Scene:
    course: object
    moment: SurveyMoment
    v1: Version
    v2: Version
    sessions: list
    people: dict
    invitations: dict


def build(*, anonymous=False, course=None, title="Get Tweeting", slug=None) -> Scene:
    course = course or CourseFactory(title=title, **({"slug": slug} if slug else {}))
    # New courses get the default follow-up from the surveys receiver; this scene sets its own.
    SurveyMoment.objects.filter(course=course).delete()
    v1 = make_version(current=False)
    v2 = make_version(family=v1.template.family, version=2)
    moment = SurveyMomentFactory(course=course, template=v2.template, anonymous=anonymous)
    # An anonymous survey's answers are shown only for quarters whose surveys have all
    # closed (surveys/anonymity.py), so its sessions sit a year further back.
    back = 365 if anonymous else 0
    s1, s2, s3, s4 = (ended_session(course, d + back) for d in (90, 60, 35, 10))
    names = ["Amy", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ian", "Jo", "Kim"]
    people = {
        n: UserFactory(name=f"{n} Example", email=f"{n.lower()}.{course.slug}@example.nhs.uk")
        for n in names
    }
    inv = {}
    for n, s, v in [
        ("Amy", s1, v1),
        ("Bob", s1, v1),
        ("Cat", s1, v1),
        ("Dan", s1, v1),
        ("Eve", s2, v2),
        ("Fay", s2, v2),
        ("Gus", s2, v2),
        ("Ian", s3, v2),
        ("Jo", s3, v2),
        ("Kim", s4, v2),
    ]:
        inv[n] = invite(moment, s, people[n], template=v.template)
    inv["Hal"] = invite(moment, s2, people["Hal"], template=v2.template, status="void")
    a = anonymous
    respond(
        inv["Amy"],
        v1,
        {
            "impact": "Yes, regularly",
            "helped": ["The handout", "Practising in the session"],
            "scale": 4,
            "else": "Great session",
        },
        anonymous=a,
    )
    respond(inv["Bob"], v1, {"impact": "Not yet", "way": "No time", "scale": 2}, anonymous=a)
    respond(
        inv["Cat"],
        v1,
        {"impact": "Yes, a little", "helped": ["A colleague"], "scale": 5},
        anonymous=a,
    )
    respond(
        inv["Eve"],
        v2,
        {"impact": "I tried and stopped", "helped": ["The handout"], "scale": 3},
        anonymous=a,
    )
    respond(
        inv["Fay"],
        v2,
        {"impact": "Not yet", "scale": 1, "else": "More sessions please"},
        anonymous=a,
    )
    return Scene(
        course=course,
        moment=moment,
        v1=v1,
        v2=v2,
        sessions=[s1, s2, s3, s4],
        people=people,
        invitations=inv,
    )


def add_answers(scene: Scene, n: int, *, session=None):
    """n more answered invitations on S1 (version 1), to grow the data for query counts."""
    session = session or scene.sessions[0]
    for i in range(n):
        person = UserFactory()
        invitation = invite(scene.moment, session, person, template=scene.v1.template)
        respond(
            invitation,
            scene.v1,
            {
                "impact": IMPACT_CHOICES[i % 4][0],
                "helped": HELPED_CHOICES[: 1 + i % 3],
                "scale": 1 + i % 5,
                "else": f"Comment {i}",
                **({"way": f"Reason {i}"} if i % 4 == 3 else {}),
            },
            anonymous=scene.moment.anonymous,
        )
