"""Downloading survey answers leaves an audit entry saying who, what and in which format."""

import pytest
from django.urls import reverse

from guildbook.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_downloading_survey_answers_is_audited(client, trainer, register):
    session, _bookings = register
    client.force_login(trainer)
    for fmt in ("csv", "xlsx"):
        url = reverse(f"surveys:results_session_{fmt}", args=[session.pk])
        assert client.get(url).status_code == 200
    entries = AuditEntry.objects.filter(action="survey_answers_downloaded")
    assert [(e.actor, e.data["fmt"]) for e in entries] == [(trainer, "csv"), (trainer, "xlsx")]
