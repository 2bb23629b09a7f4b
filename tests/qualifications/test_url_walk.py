"""Every URL of the app, walked as each kind of person (tests/walker.py): those entitled get
the page (or, for a form's POST, are sent on); everyone else signed in gets 404, and someone
not signed in is sent to sign in."""

import pytest
from django.core.files.base import ContentFile

from tests.qualifications.conftest import build_scene
from tests.walker import LOGIN, NOT_FOUND, OK, REDIRECT, url_params, walk

ROLES = (
    "anonymous",
    "learner",
    "other_candidate",
    "candidate",
    "mentor",
    "other_mentor",
    "officer",
    "admin",
)
SIGNED_IN = set(ROLES) - {"anonymous"}
# Forms that only change things: an empty POST, answered by a redirect for those entitled.
POSTS = (
    "step",
    "outcome",
    "request_withdraw",
    "activity_new",
    "action_done",
    "goal_comment",
    "plan_agree",
)


def entitled(*roles, done=OK):
    return {r: {LOGIN} if r == "anonymous" else {done if r in roles else NOT_FOUND} for r in ROLES}


def changes(*roles):
    return entitled(*roles, done=REDIRECT)


EXPECT = [
    ("home", entitled(*SIGNED_IN)),
    ("scheme", entitled(*SIGNED_IN)),
    ("directory", entitled(*SIGNED_IN)),
    ("mentor_profile", entitled(*SIGNED_IN)),
    ("candidacy", entitled("candidate", "mentor", "officer", "admin")),
    ("withdraw", entitled("candidate")),
    ("find_mentor", entitled("candidate")),
    ("request_mentor", entitled("candidate")),
    ("goal_new", entitled("candidate")),
    ("goal_edit", entitled("candidate")),
    ("activity_book", entitled("candidate")),
    ("funding_new", entitled("candidate")),
    ("mentor_home", entitled("mentor", "other_mentor")),
    ("request_answer", entitled("other_mentor")),
    ("meeting_new", entitled("candidate", "mentor")),
    ("completion", entitled("mentor")),
    ("funding_queue", entitled("officer", "admin")),
    ("funding_report", entitled("officer", "admin")),
    ("funding_detail", entitled("officer", "admin")),
    ("funding_record", entitled("candidate", "officer", "admin")),
    ("step", changes("candidate")),
    ("outcome", changes("candidate")),
    ("request_withdraw", changes("candidate")),
    ("activity_new", changes("candidate")),
    ("action_done", changes("candidate", "mentor")),
    ("goal_comment", changes("mentor")),
    ("plan_agree", changes("mentor")),
]


def _scene():
    scene = build_scene()
    scene.funding.training_record.save("record.pdf", ContentFile(b"%PDF-1.4 test"))
    return scene


def _fill(scene, candidacy):
    def fill(name, param):
        return {
            "slug": "chartership-2009",
            "code": "enrolled",
            "mentor_pk": scene.other_mentor.mentor_profile.pk,
            "pk": {
                "request_withdraw": scene.request.pk,
                "goal_edit": scene.goal.pk,
                "activity_new": scene.goal.pk,
                "goal_comment": scene.goal.pk,
                "activity_book": scene.activity.pk,
                "action_done": scene.action.pk,
                "funding_detail": scene.funding.pk,
                "funding_record": scene.funding.pk,
                "request_answer": getattr(
                    scene.other_candidacy.mentor_requests.first(), "pk", None
                ),
            }.get(name, candidacy.pk),
        }[param]

    return fill


def _people(scene):
    return {r: None if r == "anonymous" else getattr(scene, r) for r in ROLES}


def test_every_qualifications_page_answers_each_role_as_the_table_says(db):
    scene = _scene()
    requests = walk(
        namespace="qualifications",
        people=_people(scene),
        fill=_fill(scene, scene.candidacy),
        expect=EXPECT,
        skip=POSTS,
    )
    assert requests == (len(EXPECT) - len(POSTS)) * len(ROLES)


@pytest.mark.parametrize("name", POSTS)
def test_each_change_answers_each_role_as_the_table_says(db, name):
    """A change on a scene of its own, so what it changes does not alter the other walks."""
    scene = _scene()
    walk(
        namespace="qualifications",
        people=_people(scene),
        fill=_fill(scene, scene.candidacy),
        expect=EXPECT,
        skip=[other for other in url_params("qualifications") if other != name],
        post=[name],
    )


def test_a_candidacy_without_funding_is_for_its_candidate_and_mentor_alone(db):
    """Officers and administrators see a candidacy only while it has a funding request."""
    scene = _scene()
    walk(
        namespace="qualifications",
        people=_people(scene),
        fill=_fill(scene, scene.other_candidacy),
        expect=[("candidacy", entitled("other_candidate", "other_mentor"))],
        skip=[name for name in url_params("qualifications") if name != "candidacy"],
    )
