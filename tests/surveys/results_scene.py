"""A hand-built follow-up survey with known answers, for the results and anonymity tests.

Rows are written with the ORM: these tests are about reading results, so the scene is set
directly (invitations as the sending code leaves them, responses as answering leaves them).

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

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from guildbook.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.training.models import Booking
from tests.factories import CourseFactory, SessionFactory, UserFactory

IMPACT = "Have you used Twitter since the session?"
IMPACT_CHOICES = [
    ("Yes, regularly", True),
    ("Yes, a little", True),
    ("I tried and stopped", False),
    ("Not yet", False),
]
HELPED_CHOICES = ["The handout", "Practising in the session", "A colleague"]


@dataclass
class Version:
    template: SurveyTemplate
    q: dict[str, Question] = field(default_factory=dict)
    c: dict[str, Choice] = field(default_factory=dict)


def make_version(*, family=None, version=1, current=True, title="Get Tweeting follow-up"):
    kwargs = {"family": family} if family else {}
    t = SurveyTemplate.objects.create(title=title, version=version, is_current=current, **kwargs)
    v = Version(template=t)
    helped = "What helped?" if version == 1 else "What helped you most?"
    order = ["impact", "helped", "way", "scale", "else"]
    if version > 1:
        order = ["impact", "scale", "helped", "way", "else"]
    spec = {
        "impact": dict(kind="single", text=IMPACT, required=True, is_impact=True),
        "helped": dict(kind="multiple", text=helped),
        "way": dict(kind="long_text", text="What got in the way?"),
        "scale": dict(
            kind="scale",
            text="How confident do you feel using Twitter now?",
            scale_low_label="Not at all confident",
            scale_high_label="Very confident",
        ),
        "else": dict(kind="long_text", text="Anything else?"),
    }
    for pos, key in enumerate(order, start=1):
        v.q[key] = Question.objects.create(template=t, position=pos, **spec[key])
    for pos, (label, impact) in enumerate(IMPACT_CHOICES, start=1):
        v.c[label] = Choice.objects.create(
            question=v.q["impact"], position=pos, label=label, counts_as_impact=impact
        )
    for pos, label in enumerate(HELPED_CHOICES, start=1):
        v.c[label] = Choice.objects.create(question=v.q["helped"], position=pos, label=label)
    v.q["way"].show_if_question = v.q["impact"]
    v.q["way"].show_if_choice = v.c["Not yet"]
    v.q["way"].save()
    return v


def ended_session(course, days_ago):
    ends = timezone.now() - timedelta(days=days_ago)
    return SessionFactory(course=course, starts_at=ends - timedelta(minutes=90), ends_at=ends)


def invite(moment, session, person, *, template, status="scheduled"):
    booking = Booking.objects.create(
        session=session,
        person=person,
        status=Booking.Status.CONFIRMED,
        confirmed_at=session.starts_at - timedelta(days=7),
        attendance=Booking.Attendance.ATTENDED,
    )
    due = session.ends_at + timedelta(days=moment.days_after)
    return Invitation.objects.create(
        moment=moment,
        template=template,
        booking=booking,
        session=session,
        key=secrets.token_urlsafe(16),
        status=status,
        due_at=due,
        closes_at=due + timedelta(days=moment.closes_after_days),
    )


def respond(invitation, version: Version, answers: dict, *, anonymous: bool):
    """Answer as the answering page does: the invitation is marked answered and, for an
    anonymous moment, the response points at nothing personal and carries no time."""
    now = invitation.due_at + timedelta(days=2)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    response = Response.objects.create(
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
    moment = SurveyMoment.objects.create(
        course=course, name="Follow-up", template=v2.template, days_after=30, anonymous=anonymous
    )
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
