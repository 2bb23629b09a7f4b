"""Every URL of the app, walked as each kind of person: those entitled get the page (or,
for a form's POST, are sent on); everyone else signed in gets 404, and someone not signed
in is sent to sign in. Entitled people go last, as a POST may change what follows."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from tests.qualifications.conftest import build_scene

ROLES = [
    "anonymous",
    "learner",
    "other_candidate",
    "candidate",
    "mentor",
    "other_mentor",
    "officer",
    "admin",
]
SIGNED_IN = set(ROLES) - {"anonymous"}

# (name, method, address from the scene, who is entitled)
URLS = [
    ("home", "get", lambda s: reverse("qualifications:home"), SIGNED_IN),
    (
        "scheme",
        "get",
        lambda s: reverse("qualifications:scheme", args=["chartership-2009"]),
        SIGNED_IN,
    ),
    ("directory", "get", lambda s: reverse("qualifications:directory"), SIGNED_IN),
    (
        "candidacy",
        "get",
        lambda s: reverse("qualifications:candidacy", args=[s.candidacy.pk]),
        {"candidate", "mentor", "officer", "admin"},
    ),
    (
        "candidacy without funding",
        "get",
        lambda s: reverse("qualifications:candidacy", args=[s.other_candidacy.pk]),
        {"other_candidate", "other_mentor"},
    ),
    (
        "withdraw",
        "get",
        lambda s: reverse("qualifications:withdraw", args=[s.candidacy.pk]),
        {"candidate"},
    ),
    (
        "find mentor",
        "get",
        lambda s: reverse("qualifications:find_mentor", args=[s.candidacy.pk]),
        {"candidate"},
    ),
    (
        "request mentor",
        "get",
        lambda s: reverse(
            "qualifications:request_mentor",
            args=[s.candidacy.pk, s.other_mentor.mentor_profile.pk],
        ),
        {"candidate"},
    ),
    (
        "new goal",
        "get",
        lambda s: reverse("qualifications:goal_new", args=[s.candidacy.pk]),
        {"candidate"},
    ),
    ("goal", "get", lambda s: reverse("qualifications:goal_edit", args=[s.goal.pk]), {"candidate"}),
    (
        "book activity",
        "get",
        lambda s: reverse("qualifications:activity_book", args=[s.activity.pk]),
        {"candidate"},
    ),
    (
        "new funding request",
        "get",
        lambda s: reverse("qualifications:funding_new", args=[s.candidacy.pk]),
        {"candidate"},
    ),
    (
        "mentor home",
        "get",
        lambda s: reverse("qualifications:mentor_home"),
        {"mentor", "other_mentor"},
    ),
    ("mentor profile", "get", lambda s: reverse("qualifications:mentor_profile"), SIGNED_IN),
    (
        "answer request",
        "get",
        lambda s: reverse(
            "qualifications:request_answer", args=[s.other_candidacy.mentor_requests.get().pk]
        ),
        {"other_mentor"},
    ),
    (
        "log meeting",
        "get",
        lambda s: reverse("qualifications:meeting_new", args=[s.candidacy.pk]),
        {"candidate", "mentor"},
    ),
    (
        "completion form",
        "get",
        lambda s: reverse("qualifications:completion", args=[s.candidacy.pk]),
        {"mentor"},
    ),
    (
        "funding queue",
        "get",
        lambda s: reverse("qualifications:funding_queue"),
        {"officer", "admin"},
    ),
    (
        "funding report",
        "get",
        lambda s: reverse("qualifications:funding_report"),
        {"officer", "admin"},
    ),
    (
        "funding request",
        "get",
        lambda s: reverse("qualifications:funding_detail", args=[s.funding.pk]),
        {"officer", "admin"},
    ),
    (
        "funding record",
        "get",
        lambda s: reverse("qualifications:funding_record", args=[s.funding.pk]),
        {"candidate", "officer", "admin"},
    ),
    (
        "mark step",
        "post",
        lambda s: reverse("qualifications:step", args=[s.candidacy.pk, "enrolled"]),
        {"candidate"},
    ),
    (
        "outcome",
        "post",
        lambda s: reverse("qualifications:outcome", args=[s.candidacy.pk]),
        {"candidate"},
    ),
    (
        "withdraw request",
        "post",
        lambda s: reverse("qualifications:request_withdraw", args=[s.request.pk]),
        {"candidate"},
    ),
    (
        "add activity",
        "post",
        lambda s: reverse("qualifications:activity_new", args=[s.goal.pk]),
        {"candidate"},
    ),
    (
        "action done",
        "post",
        lambda s: reverse("qualifications:action_done", args=[s.action.pk]),
        {"candidate", "mentor"},
    ),
    (
        "goal comment",
        "post",
        lambda s: reverse("qualifications:goal_comment", args=[s.goal.pk]),
        {"mentor"},
    ),
    (
        "agree plan",
        "post",
        lambda s: reverse("qualifications:plan_agree", args=[s.candidacy.pk]),
        {"mentor"},
    ),
]


def test_the_walk_covers_every_url_of_the_app(db):
    from django.urls import resolve

    from guildbook.qualifications import urls

    scene = build_scene()
    walked = {resolve(address(scene)).url_name for _n, _m, address, _w in URLS}
    assert walked == {p.name for p in urls.urlpatterns}


@pytest.mark.parametrize(("name", "method", "address", "entitled"), URLS, ids=[u[0] for u in URLS])
def test_url_by_role(db, name, method, address, entitled):
    scene = build_scene()
    scene.funding.training_record.save("record.pdf", ContentFile(b"%PDF-1.4 test"))
    url = address(scene)
    order = [r for r in ROLES if r not in entitled] + [r for r in ROLES if r in entitled]
    for role in order:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(scene, role))
        response = getattr(client, method)(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                f"{name} as {role}: {response.status_code}"
            )
        elif role in entitled:
            expected = (200,) if method == "get" else (302,)
            assert response.status_code in expected, f"{name} as {role}: {response.status_code}"
        else:
            assert response.status_code == 404, f"{name} as {role}: {response.status_code}"
