"""Portfolios' message kinds (see guildbook.notifications.kinds).

- `portfolios.evidence_digest`: a mentor is told of new evidence in a portfolio shared with
  them, at most once a day (08:00, service time) per shared portfolio, listing every entry
  completed or changed since the morning before; never an e-mail per entry. An entry is
  told of by when it was last saved, not when it was made, so a draft made from the register
  days ago is told of the morning after the candidate completes it; each morning's window
  starts where the last one ended, so a change is in one digest, never two. Drafts are left
  out until the candidate saves them. Void when nothing new is left to tell (entries
  deleted, the portfolio unshared, the mentoring ended).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from guildbook.notifications.kinds import MessageKind, message_kind

EVIDENCE_DIGEST = "portfolios.evidence_digest"
DIGEST_AT = time(8, 0)


def digest_due(now: datetime) -> datetime:
    """The next 08:00 in the service's time zone after `now`."""
    local = timezone.localtime(now)
    day = local.date() if local.time() < DIGEST_AT else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, DIGEST_AT))


def _until(message) -> datetime:
    # The morning the digest was queued for (kept in its context, so a retry or a late
    # worker still lists the same day's entries).
    until = (message.context or {}).get("until")
    return datetime.fromisoformat(until) if until else message.due_at


def digest_since(until: datetime) -> datetime:
    """Where the window of the digest due at `until` starts: the 08:00 before it, in the
    service's time zone (so a clock change neither skips nor repeats an hour)."""
    day = timezone.localtime(until).date() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, DIGEST_AT))


def digest_entries(share, until: datetime):
    """The candidacy's non-draft evidence completed or changed in the window ending at
    `until` (and since it was shared), each entry once."""
    from guildbook.portfolios.statements import candidacy_evidence

    since = digest_since(until)
    if share.shared_at and share.shared_at > since:
        since = share.shared_at
    return list(
        candidacy_evidence(share.candidacy).filter(
            updated_at__gt=since, updated_at__lte=until, is_draft=False
        )
    )


def _mentor_of(share):
    from guildbook.qualifications.models import MentorRequest

    mentoring = (
        MentorRequest.objects.select_related("mentor__user")
        .filter(candidacy_id=share.candidacy_id, status=MentorRequest.Status.ACCEPTED)
        .first()
    )
    return mentoring.mentor.user if mentoring else None


@message_kind(EVIDENCE_DIGEST)
class EvidenceDigest(MessageKind):
    label = "New evidence in a portfolio shared with a mentor"
    related = ("candidacy__person", "candidacy__scheme")

    def still_due(self, message) -> bool:
        share = message.about
        if share is None or not share.is_shared:
            return False
        mentor = _mentor_of(share)
        if mentor is None or mentor.pk != message.recipient_id:
            return False
        return bool(digest_entries(share, _until(message)))

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        share = message.about
        candidacy = share.candidacy
        until = _until(message)
        since = digest_since(until)
        context.update(
            first_name=message.recipient.first_name if message.recipient else "",
            candidate=candidacy.person.display_name,
            scheme=candidacy.scheme.name,
            entries=[
                {
                    "label": e.label,
                    "title": e.title,
                    "kind": e.get_kind_display(),
                    "updated": e.created_at <= since,
                }
                for e in digest_entries(share, until)
            ],
            url=context["site_url"] + reverse("portfolios:builder", args=[candidacy.pk]),
        )
        return context
