"""Anonymous answers cannot be joined back to the person who gave them.

An anonymous follow-up answered by several people (tests/surveys/results_scene.py, with
`anonymous=True`) is inspected everywhere an answer can be seen: its rows in the database,
the CSV and XLSX downloads, the API's JSON, the results pages, the admin, and the training
records of the people who answered. Nothing may carry a name, an e-mail address, a booking
or invitation id or key, or a time that could be lined up with when someone answered.
"""

import csv
import io
import json
import uuid

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from guildbook.core.timefmt import format_date
from guildbook.surveys.models import Answer, Invitation, Response
from tests.api.conftest import ApiClient
from tests.factories import UserFactory
from tests.surveys import results_scene

pytestmark = pytest.mark.django_db

ALL_DATES = {"from": "", "to": ""}
ANSWERED = ["Amy", "Bob", "Cat", "Eve", "Fay"]


def _enough(scene):
    """Top S1 (3 answers) and S2 (2) up to five each, so that whichever quarters the two
    sessions fall in, every quarter holds enough responses for its answers to be shown."""
    results_scene.add_answers(scene, 2, session=scene.sessions[0])
    results_scene.add_answers(scene, 3, session=scene.sessions[1])
    return scene


@pytest.fixture
def scene():
    return _enough(results_scene.build(anonymous=True))


@pytest.fixture
def tess(db):
    return UserFactory(name="Tess Trainer", email="tess@example.nhs.uk", role="trainer")


def _giveaways(scene) -> list[str]:
    """Strings that would tie an answer to a person if they appeared beside it."""
    out = []
    for name in ANSWERED:
        person = scene.people[name]
        inv = scene.invitations[name]
        inv.refresh_from_db()
        local = timezone.localtime(inv.answered_at)
        out += [
            person.name,
            person.email,
            inv.key,
            local.isoformat(),
            inv.answered_at.isoformat(),
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%Y-%m-%dT%H:%M"),
            format_date(inv.answered_at),
        ]
    return out


def _assert_nothing_personal(text: str, scene, where: str):
    for giveaway in _giveaways(scene):
        assert giveaway not in text, f"{where} shows {giveaway!r}"


# --- The database -------------------------------------------------------------------------


def test_anonymous_response_rows_hold_nothing_personal(scene):
    responses = list(Response.objects.filter(moment=scene.moment))
    assert len(responses) == 10
    # Every column of the table, so a column added later has to be looked at here.
    assert [f.attname for f in Response._meta.concrete_fields] == [
        "id",
        "moment_id",
        "template_id",
        "session_id",
        "invitation_id",
        "submitted_at",
    ]
    invitation_ids = set(Invitation.objects.values_list("pk", flat=True))
    for r in responses:
        assert r.invitation_id is None
        assert r.submitted_at is None
        # A random key, not a sequence or a time (a uuid1 would carry its creation time).
        assert isinstance(r.id, uuid.UUID) and r.id.version == 4
        assert r.moment_id == scene.moment.pk
        assert r.session_id in {s.pk for s in scene.sessions}
        assert r.template_id in {scene.v1.template.pk, scene.v2.template.pk}
        assert r.anonymous
    # Nothing in the invitation points at the answers either: only the fact of answering.
    assert [f.attname for f in Invitation._meta.concrete_fields if f.is_relation] == [
        "moment_id",
        "template_id",
        "booking_id",
        "session_id",
    ]
    assert not Response.objects.filter(invitation_id__in=invitation_ids).exists()


def test_anonymous_answer_rows_hold_nothing_personal(scene):
    answers = list(Answer.objects.filter(response__moment=scene.moment))
    assert answers
    assert [f.attname for f in Answer._meta.concrete_fields] == [
        "id",
        "response_id",
        "question_id",
        "choice_id",
        "number",
        "text",
    ]
    for a in answers:
        assert isinstance(a.id, uuid.UUID) and a.id.version == 4
    texts = " ".join(a.text for a in answers)
    _assert_nothing_personal(texts, scene, "answer texts")


# --- Downloads ----------------------------------------------------------------------------


def _csv_rows(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_has_no_identity_and_rows_are_ordered_by_answer(client, tess, scene):
    client.force_login(tess)
    rows = _csv_rows(
        client, reverse("surveys:results_course_csv", args=[scene.course.slug]), ALL_DATES
    )
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Course", "Period", "Survey"]
    for word in ("Name", "E-mail", "Email", "Booking", "Invitation", "Answered", "Submitted"):
        assert not any(word.lower() in h.lower() for h in header), header
    # No session, date, time or template version: each would split a quarter's people.
    for word in ("Session", "Date", "Start", "Version"):
        assert not any(word.lower() in h.lower() for h in header[:3]), header
    assert len(body) == 10
    _assert_nothing_personal(json.dumps(rows), scene, "the CSV")
    for s in scene.sessions:
        assert timezone.localtime(s.starts_at).date().isoformat() not in json.dumps(rows)
    # Sorted by quarter, then by the answers themselves.
    assert body == sorted(body, key=lambda r: (r[1][:4], r[1][-1], r[3:]))
    # One session is not a quarter: its download has the header and no rows.
    session_rows = _csv_rows(
        client, reverse("surveys:results_session_csv", args=[scene.sessions[0].pk])
    )
    assert len(session_rows) == 1
    _assert_nothing_personal(json.dumps(session_rows), scene, "the session's CSV")


def test_csv_order_does_not_depend_on_the_order_answers_were_stored(client, tess):
    """Two courses answered identically but in opposite orders give the same rows."""
    client.force_login(tess)
    first = _enough(results_scene.build(anonymous=True, title="Course A", slug="course-a"))
    second = _enough(results_scene.build(anonymous=True, title="Course B", slug="course-b"))
    # Reverse the stored order in the second: new ids for its responses, last first.
    for r in reversed(list(Response.objects.filter(moment=second.moment))):
        answers = list(r.answers.all())
        old = r.pk
        r.pk = uuid.uuid4()
        r.save(force_insert=True)
        for a in answers:
            a.pk = uuid.uuid4()
            a.response = r
            a.save(force_insert=True)
        Answer.objects.filter(response_id=old).delete()
        Response.objects.filter(pk=old).delete()
    a = _csv_rows(client, reverse("surveys:results_course_csv", args=["course-a"]), ALL_DATES)
    b = _csv_rows(client, reverse("surveys:results_course_csv", args=["course-b"]), ALL_DATES)
    strip = [r[1:] for r in a[1:]], [r[1:] for r in b[1:]]
    assert len(strip[0]) == 10 and strip[0] == strip[1]
    assert first.course.pk != second.course.pk


def test_xlsx_has_no_identity_in_any_cell_or_property(client, tess, scene):
    client.force_login(tess)
    response = client.get(
        reverse("surveys:results_course_xlsx", args=[scene.course.slug]), ALL_DATES
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    cells = [
        "" if v is None else str(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
    ]
    _assert_nothing_personal("\n".join(cells), scene, "the XLSX")
    header = [c.value for c in wb["Answers"][1]]
    assert "Name" not in header and "E-mail" not in header
    assert wb.properties.creator == "Guildbook"
    assert wb.properties.lastModifiedBy == "Guildbook"
    _assert_nothing_personal(repr(vars(wb.properties)), scene, "the XLSX properties")


# --- The API ------------------------------------------------------------------------------


# "name" is allowed: a survey has one ("Follow-up"); people's names are looked for in the values.
FORBIDDEN_KEYS = {"email", "person", "booking", "booking_id", "invitation", "key"}
FORBIDDEN_KEYS |= {"invitation_id", "answered_at", "submitted_at", "response_id", "user"}


def _walk_keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v)


def test_api_json_has_no_identity(tess, scene):
    api = ApiClient(tess)
    for params in (
        {"course": scene.course.slug},
        {"session": scene.sessions[0].pk},
        {"session": scene.sessions[1].pk},
        {},
    ):
        response = api.get("/api/v1/surveys/results", params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert not (set(_walk_keys(body)) & FORBIDDEN_KEYS), set(_walk_keys(body))
        _assert_nothing_personal(response.content.decode(), scene, f"the API for {params}")
    # Free text comes sorted as text, not in the order it was given.
    body = api.get("/api/v1/surveys/results", {"course": scene.course.slug}).json()
    texts = {q["text"]: q["answers"] for q in body["results"][0]["questions"]}
    assert texts["Anything else?"] == sorted(texts["Anything else?"])
    assert {"Great session", "More sessions please"} <= set(texts["Anything else?"])
    # One session is not a quarter: the API gives its counts only, like the page.
    s2 = api.get("/api/v1/surveys/results", {"session": scene.sessions[1].pk}).json()
    assert s2["results"][0]["withheld"] is True and s2["results"][0]["questions"] == []


# --- Pages --------------------------------------------------------------------------------


def test_results_pages_show_no_identity(client, tess, scene):
    client.force_login(tess)
    pages = [
        (reverse("surveys:results"), ALL_DATES),
        (reverse("surveys:results_course", args=[scene.course.slug]), ALL_DATES),
    ] + [(reverse("surveys:results_session", args=[s.pk]), None) for s in scene.sessions]
    for url, params in pages:
        response = client.get(url, params or {})
        assert response.status_code == 200
        _assert_nothing_personal(response.content.decode(), scene, url)
    course_page = client.get(pages[1][0], ALL_DATES).content.decode()
    assert "Great session" in course_page  # the answers are there, without their authors
    # ... and without their session, which for a small session would say whose they are.
    answers = course_page[course_page.index("Anything else?") :]
    assert "session of" not in answers
    assert answers.index("Great session") < answers.index("More sessions please")
    # One session of an anonymous survey shows counts only.
    s2 = client.get(reverse("surveys:results_session", args=[scene.sessions[1].pk]))
    assert "More sessions please" not in s2.content.decode()
    assert "so that nobody" in s2.content.decode()


def test_the_admin_shows_no_identity_for_anonymous_answers(client, scene):
    boss = UserFactory(email="boss@example.nhs.uk", role="administrator")
    boss.is_staff = True
    boss.is_superuser = True
    boss.save()
    client.force_login(boss)
    for model in (Response, Answer):
        if model not in admin.site._registry:
            continue
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200
        _assert_nothing_personal(response.content.decode(), scene, changelist)
        for obj in model.objects.filter(
            **(
                {"moment": scene.moment}
                if model is Response
                else {"response__moment": scene.moment}
            )
        )[:3]:
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            except NoReverseMatch:
                continue
            response = client.get(url)
            assert response.status_code in (200, 302, 403)
            _assert_nothing_personal(response.content.decode(), scene, url)
    # The invitations' admin may show who was invited and whether they answered, but never
    # what: no answer text may appear beside a person there.
    if Invitation in admin.site._registry:
        for name in ANSWERED:
            inv = scene.invitations[name]
            url = reverse("admin:surveys_invitation_change", args=[inv.pk])
            page = client.get(url).content.decode()
            for text in ("Great session", "No time", "More sessions please"):
                assert text not in page, f"{url} shows the answer {text!r}"


def test_the_training_record_never_shows_anonymous_answers(client, scene):
    for name in ANSWERED:
        client.force_login(scene.people[name])
        page = client.get(reverse("training:my_record")).content.decode()
        assert "My answers to follow-up surveys" not in page
        for text in ("Great session", "No time", "More sessions please", "Yes, regularly"):
            assert text not in page
