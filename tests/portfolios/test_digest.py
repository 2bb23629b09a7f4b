"""The mentor hears of new evidence in a shared portfolio once a day, through the outbox and
a real SMTP server: one e-mail listing every entry, never one per entry."""

from datetime import timedelta

from django.core.management import call_command

from guildbook.notifications.models import OutboxMessage
from guildbook.portfolios import services
from guildbook.portfolios.messages import EVIDENCE_DIGEST
from tests.notifications.conftest import smtp  # noqa: F401  (the real SMTP server)
from tests.portfolios.conftest import add


def send_due(at):
    OutboxMessage.objects.filter(kind=EVIDENCE_DIGEST).update(due_at=at, next_attempt_at=at)
    call_command("worker", "--once", verbosity=0)


def test_one_digest_a_day_listing_every_new_entry(candidate, candidacy, mentor, smtp):  # noqa: F811
    add(candidate, title="Before sharing", candidacy=candidacy)
    assert not OutboxMessage.objects.filter(kind=EVIDENCE_DIGEST).exists()
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    add(candidate, title="Ran the induction", candidacy=candidacy)
    add(candidate, title="Board paper", candidacy=candidacy)
    row = OutboxMessage.objects.get(kind=EVIDENCE_DIGEST)
    assert row.recipient == mentor and row.due_at.hour in (8, 7, 9)  # 08:00 local
    from django.utils import timezone

    send_due(timezone.now() - timedelta(seconds=1))
    row.refresh_from_db()
    mails = [m for m in smtp.messages if m["To"] == mentor.email]
    assert row.status == "sent" and len(mails) == 1
    body = mails[0].get_body(("plain",)).get_content()
    assert "E2 Ran the induction" in body and "E3 Board paper" in body
    assert "Before sharing" not in body
    assert "Cara Candidate" in str(mails[0]["Subject"])


def test_nothing_new_left_makes_the_digest_void(candidate, candidacy, mentor, smtp):  # noqa: F811
    from django.utils import timezone

    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    e = add(candidate, title="Oops", candidacy=candidacy)
    services.evidence_delete(evidence=e, actor=candidate)
    send_due(timezone.now() - timedelta(seconds=1))
    assert OutboxMessage.objects.get(kind=EVIDENCE_DIGEST).status == "void"
    assert [m for m in smtp.messages if "New evidence" in str(m["Subject"])] == []


def test_no_digest_for_unshared_portfolios_or_drafts(candidate, candidacy, mentor):
    add(candidate, title="Not shared", candidacy=candidacy)
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    add(candidate, title="A draft", candidacy=candidacy, is_draft=True)
    assert not OutboxMessage.objects.filter(kind=EVIDENCE_DIGEST).exists()
