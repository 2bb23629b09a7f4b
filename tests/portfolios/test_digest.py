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


def _digest_bodies(smtp, mentor):  # noqa: F811
    return [
        m.get_body(("plain",)).get_content()
        for m in smtp.messages
        if m["To"] == mentor.email and "New evidence" in str(m["Subject"])
    ]


def test_a_draft_made_earlier_and_completed_later_is_in_the_next_digest(
    candidate,
    candidacy,
    mentor,
    smtp,  # noqa: F811
):
    """A draft from the register, made days before, is told of when the candidate completes
    it (the day's digest lists what was completed or changed, not only what was created)."""
    from django.utils import timezone

    from guildbook.portfolios.models import Evidence

    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    draft = add(candidate, title="Searching skills workshop", candidacy=candidacy, is_draft=True)
    earlier = timezone.now() - timedelta(days=5)
    Evidence.objects.filter(pk=draft.pk).update(created_at=earlier, updated_at=earlier)
    assert not OutboxMessage.objects.filter(kind=EVIDENCE_DIGEST).exists()

    services.evidence_update(evidence=draft, actor=candidate, text="I learnt to use MeSH.")
    services.evidence_update(evidence=draft, actor=candidate, text="I learnt to use MeSH well.")
    row = OutboxMessage.objects.get(kind=EVIDENCE_DIGEST)
    send_due(timezone.now() - timedelta(seconds=1))
    row.refresh_from_db()
    bodies = _digest_bodies(smtp, mentor)
    assert row.status == "sent" and len(bodies) == 1
    assert bodies[0].count("Searching skills workshop") == 1


def test_each_change_is_in_one_digest_never_two(candidate, candidacy, mentor, smtp):  # noqa: F811
    """An earlier digest told of both; the next tells only of what changed since."""
    from django.utils import timezone

    from guildbook.portfolios.messages import digest_entries
    from guildbook.portfolios.models import Evidence, MentorShare

    share = services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    MentorShare.objects.filter(pk=share.pk).update(shared_at=timezone.now() - timedelta(days=3))
    share.refresh_from_db()
    old = add(candidate, title="Told yesterday", candidacy=candidacy)
    changed = add(candidate, title="Changed today", candidacy=candidacy)
    two_days = timezone.now() - timedelta(days=2)
    Evidence.objects.filter(pk__in=[old.pk, changed.pk]).update(
        created_at=two_days, updated_at=two_days
    )
    from guildbook.portfolios.messages import digest_due

    earlier = digest_due(two_days)
    assert [e.pk for e in digest_entries(share, earlier)] == [old.pk, changed.pk]

    services.evidence_update(evidence=changed, actor=candidate, title="Changed today")
    new = add(candidate, title="New today", candidacy=candidacy)
    today = digest_due(timezone.now())
    assert [e.pk for e in digest_entries(share, today)] == [changed.pk, new.pk]
    # Over every morning from then to now, each entry's latest save is in exactly one.
    mornings = sorted({digest_due(two_days + timedelta(days=d)) for d in range(4)})
    told = [e.pk for m in mornings for e in digest_entries(share, m)]
    assert sorted(told) == sorted([old.pk, changed.pk, new.pk])
