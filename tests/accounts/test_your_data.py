"""Your data: one click downloads everything held about you; officers can produce it for a
subject access request; both are audited. Administrators erase from a confirmed page."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse

from guildbook.accounts.models import User
from guildbook.accounts.services import api_token_create
from guildbook.core.audit import audit_trail
from guildbook.qualifications.models import Candidacy, Scheme
from guildbook.training import services as training
from guildbook.training.models import BookingQuestion
from tests.factories import UserFactory
from tests.surveys.conftest import mark, past_session

pytestmark = pytest.mark.django_db


def opened(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(response.content))


@pytest.fixture
def history(person, course, trainer):
    question = BookingQuestion.objects.create(course=course, text="Access needs?")
    past = past_session(course)
    booking = training.booking_create(
        session=past,
        person=person,
        actor=person,
        answers={str(question.pk): "A hearing loop, please"},
        now=past.starts_at - timedelta(days=7),
    )
    mark(booking, True, actor=trainer)
    _token, secret = api_token_create(user=person, name="Kiosk")
    Candidacy.objects.create(
        person=person, scheme=Scheme.objects.first(), target_date=date(2028, 6, 30)
    )
    return secret


def test_a_person_downloads_everything_in_one_click(client, person, history):
    client.force_login(person)
    page = client.get(reverse("accounts:your_data")).content.decode()
    assert reverse("accounts:your_data_download") in page
    archive = opened(client.get(reverse("accounts:your_data_download")))
    names = set(archive.namelist())
    parts = ["profile", "bookings", "survey_answers", "messages", "api_tokens", "audit"]
    for part in [*parts, "candidacies", "goals", "mentor_meetings", "funding_requests"]:
        assert {f"{part}.json", f"{part}.csv"} <= names
    index = archive.read("index.html").decode()
    assert "Ada Learner" in index and "A hearing loop, please" in index
    profile = json.loads(archive.read("profile.json"))
    assert profile[0]["email"] == "ada@example.nhs.uk"
    bookings = list(csv.DictReader(io.StringIO(archive.read("bookings.csv").decode())))
    assert bookings[0]["attendance"] == "attended"
    assert "A hearing loop, please" in bookings[0]["answers"]
    assert len(json.loads(archive.read("candidacies.json"))) == 1
    tokens = json.loads(archive.read("api_tokens.json"))
    assert tokens[0]["name"] == "Kiosk"
    # Never the token's secret, nor its hash.
    everything = b"".join(archive.read(n) for n in names).decode()
    assert history not in everything and history[8:] not in everything
    assert "key_hash" not in everything
    messages = json.loads(archive.read("messages.json"))
    assert messages and all(m["to"] in ("", "ada@example.nhs.uk") for m in messages)
    assert [e.action for e in audit_trail(person)][-1] == "personal_data_exported"


def test_an_officer_produces_it_for_a_subject_access_request(client, person, officer, history):
    client.force_login(officer)
    archive = opened(client.get(reverse("accounts:subject_access", args=[person.pk])))
    assert json.loads(archive.read("profile.json"))[0]["name"] == "Ada Learner"
    entry = list(audit_trail(person))[-1]
    assert (entry.action, entry.actor) == ("subject_access_export", officer)


def test_nobody_else_gets_someone_elses_data(client, person, trainer):
    for who in (UserFactory(), trainer):
        client.force_login(who)
        assert client.get(reverse("accounts:subject_access", args=[person.pk])).status_code == 404
        assert client.get(reverse("accounts:erase", args=[person.pk])).status_code == 404


def test_an_administrator_erases_after_typing_the_address(client, person):
    admin = UserFactory(role="administrator")
    client.force_login(admin)
    url = reverse("accounts:erase", args=[person.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm_email": "someone@else.example"})
    assert response.status_code == 400
    assert User.objects.filter(pk=person.pk).exists()
    response = client.post(url, {"confirm_email": "ADA@example.nhs.uk "})
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


def test_the_outreach_log_is_in_your_data(client, trainer):
    """Entries a trainer wrote, with their notes; entries naming them among those who went,
    without the notes or the others' names."""
    colleague = UserFactory(name="Cora Colleague", role="trainer")
    training.outreach_create(
        actor=trainer,
        kind="presentation",
        date=date(2026, 3, 2),
        audience="Ward 7 team meeting",
        went=[trainer],
        notes="Showed the catalogue.",
        follow_ups=[("Send the slides", None)],
    )
    training.outreach_create(
        actor=colleague,
        kind="stand",
        date=date(2026, 4, 9),
        audience="Nursing students' fair",
        went=[trainer, colleague],
        notes="Cora's own notes about the fair.",
    )
    training.outreach_create(
        actor=colleague, kind="other", date=date(2026, 5, 1), audience="Not them", went=[]
    )
    client.force_login(trainer)
    archive = opened(client.get(reverse("accounts:your_data_download")))
    rows = json.loads(archive.read("outreach.json"))
    assert [(r["date"], r["kind"], r["audience"], r["you"]) for r in rows] == [
        ("2026-03-02", "A presentation at a team meeting", "Ward 7 team meeting", "wrote it, went"),
        ("2026-04-09", "A stand or drop-in", "Nursing students' fair", "went"),
    ]
    assert rows[0]["notes"] == "Showed the catalogue."
    assert rows[0]["follow_ups"] == ["Send the slides"]
    assert "notes" not in rows[1] or rows[1]["notes"] in ("", None)
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "Cora" not in everything and "Not them" not in everything
