"""Sections that apps above training add to the training record (guildbook.training.record)."""

import pytest
from django.urls import reverse

from guildbook.training import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings, tmp_path):
    (tmp_path / "extra_section.html").write_text(
        "<section><h2>{{ section.title }}</h2><p>{{ section.context.words }}</p></section>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}
    ]
    seen = []

    def extra(viewer, person):
        seen.append((viewer.pk, person.pk))
        if viewer.pk != person.pk:
            return None
        return record.RecordSection(
            title="From another app", template="extra_section.html", context={"words": "Hello"}
        )

    record.register_section(extra)
    record.register_section(extra)  # registering twice adds it once
    yield seen
    record.unregister_section(extra)


def test_a_registered_section_is_drawn_on_the_record_page(client, person, provider):
    client.force_login(person)
    page = client.get(reverse("training:my_record")).content.decode()
    assert page.count("<h2>From another app</h2>") == 1
    assert "<p>Hello</p>" in page
    assert provider == [(person.pk, person.pk)]


def test_a_provider_may_decline_and_the_downloads_carry_only_training_rows(
    client, person, officer, provider
):
    client.force_login(officer)
    page = client.get(reverse("training:person_record", args=[person.pk])).content.decode()
    assert "From another app" not in page
    client.force_login(person)
    csv_text = client.get(reverse("training:my_record_csv")).content.decode("utf-8-sig")
    assert "From another app" not in csv_text and "Hello" not in csv_text
    assert provider == [(officer.pk, person.pk)]
