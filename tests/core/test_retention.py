"""Retention: what is older than its period goes; a dry run says what would go and removes
nothing; the worker's due work applies it once a day."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.models import AuditEntry
from guildbook.notifications import privacy as notifications_privacy
from guildbook.notifications.models import OutboxMessage
from guildbook.surveys.models import Response
from guildbook.training.models import Booking
from tests.factories import UserFactory
from tests.surveys.conftest import book, mark, past_session

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=365 * 7)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def old_and_new(course, trainer):
    """The same history twice: seven years ago, and last week."""
    made = {}
    for label, ago in (("old", LONG_AGO), ("new", timedelta(days=7))):
        session = past_session(course, ended_ago=ago)
        came = UserFactory(email=f"came-{label}@example.nhs.uk")
        away = UserFactory(email=f"away-{label}@example.nhs.uk")
        came_booking = book(session, came)
        away_booking = book(session, away)
        mark(came_booking, True, actor=trainer)
        mark(away_booking, False, actor=trainer)
        made[label] = (session, came_booking, away_booking)
    # Move the old history's own timestamps back too.
    old_session = made["old"][0]
    then = timezone.now() - LONG_AGO
    OutboxMessage.objects.filter(object_id__in=[b.pk for b in made["old"][1:]]).update(
        created_at=then, status=OutboxMessage.Status.SENT
    )
    AuditEntry.objects.filter(object_id__in=[b.pk for b in made["old"][1:]]).update(at=then)
    Booking.objects.filter(session=old_session).update(created_at=then)
    User.objects.filter(email__endswith="-old@example.nhs.uk").update(date_joined=then)
    return made


def counts():
    return {
        "no_shows": Booking.objects.filter(attendance="no_show").count(),
        "outbox": OutboxMessage.objects.count(),
        "audit": AuditEntry.objects.count(),
        "people": User.objects.filter(email__endswith="@example.nhs.uk").count(),
        "named": Response.objects.filter(invitation__isnull=False).count(),
    }


def test_dry_run_says_what_would_go_and_removes_nothing(old_and_new):
    before = counts()
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert counts() == before
    text = out.getvalue()
    assert "Would remove 1 no-show marks from before" in text
    assert "(RETENTION_NO_SHOW_MONTHS=24)" in text
    assert "Would remove 2 inactive accounts" in text
    assert "e-mail messages sent" in text and "audit entries" in text
    assert "named survey responses" in text


def test_applying_removes_only_what_is_older_than_its_period(old_and_new):
    old_session, _, old_away = old_and_new["old"]
    *_, new_away = old_and_new["new"]
    call_command("retention", stdout=StringIO())
    old_away.refresh_from_db()
    assert old_away.attendance == ""  # cleared, long ago
    new_away.refresh_from_db()
    assert new_away.attendance == "no_show"  # kept
    assert not User.objects.filter(email__endswith="-old@example.nhs.uk").exists()
    assert User.objects.filter(email__endswith="-new@example.nhs.uk").count() == 2
    assert not AuditEntry.objects.filter(at__lt=timezone.now() - timedelta(days=365 * 6)).exists()
    assert not OutboxMessage.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=366)
    ).exists()
    # Attendance of the old session still counts.
    assert Booking.objects.filter(session=old_session, attendance="attended").count() == 1


def test_zero_keeps_for_ever(old_and_new, settings):
    settings.RETENTION_NO_SHOW_MONTHS = 0
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Keeping all no-show marks (RETENTION_NO_SHOW_MONTHS=0)" in out.getvalue()
    assert Booking.objects.filter(attendance="no_show").count() == 2


def test_the_worker_applies_it_once_a_day(old_and_new, monkeypatch):
    monkeypatch.setattr(notifications_privacy, "_next_ask", {})
    now = timezone.now()
    assert notifications_privacy.retention_due(now) > 0
    # Within the hour this process does not even ask; after it, the day's turn is taken.
    assert notifications_privacy.retention_due(now + timedelta(minutes=5)) == 0
    monkeypatch.setattr(notifications_privacy, "_next_ask", {})
    assert notifications_privacy.retention_due(now + timedelta(hours=2)) == 0
