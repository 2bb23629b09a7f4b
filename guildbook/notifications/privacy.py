"""The notifications app's part of a person's data: the messages sent to them."""

from datetime import datetime, timedelta

from guildbook.core import privacy
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage


def _message_rows(person):
    return [
        {
            "kind": m.kind,
            "subject": m.subject,
            "to": m.to_address,
            "status": m.status,
            "due": m.due_at,
            "sent": m.sent_at,
        }
        for m in OutboxMessage.objects.filter(recipient=person).order_by("due_at", "id")
    ]


def _erase_messages(*, person, stand_in, actor):
    """Messages not yet sent to them are dropped; sent ones keep their kind and times (the
    counts) and lose the address, subject and what they said. Messages to others that name
    them (a trainer's list of who is coming) lose the name."""
    mine = OutboxMessage.objects.filter(recipient=person)
    unsent = [OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    counts = {"unsent_dropped": mine.filter(status__in=unsent).delete()[0]}
    sent = list(mine.values_list("pk", flat=True))
    counts["sent_emptied"] = OutboxMessage.objects.filter(pk__in=sent).update(
        recipient=None, to_address="", subject="", context={}, last_error=""
    )
    DeliveryAttempt.objects.filter(message_id__in=sent).update(error="")
    OutboxMessage.objects.filter(to_address__iexact=person.email).update(to_address="")
    needles = privacy.needles_for(person)
    counts["others_scrubbed"] = privacy.scrub_rows(
        OutboxMessage.objects.all(), ["context", "subject", "last_error"], needles, stand_in.name
    ) + privacy.scrub_rows(DeliveryAttempt.objects.all(), ["error"], needles, stand_in.name)
    return counts


def _old_messages(*, before, dry_run):
    done = [OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED, OutboxMessage.Status.VOID]
    old = OutboxMessage.objects.filter(status__in=done, created_at__lt=before)
    if dry_run:
        return old.count()
    return old.delete()[1].get(OutboxMessage._meta.label, 0)


# The worker runs due work before every batch; retention needs doing once a day. Each
# process asks the shared cache for the day's turn at most once an hour, so the batches in
# between cost nothing.
RETENTION_EVERY_SECONDS = 24 * 60 * 60
ASK_EVERY = timedelta(hours=1)
_next_ask: dict[str, datetime] = {}


def retention_due(now):
    """Due work: apply the retention periods, at most once a day across all workers (the
    shared cache holds the turn; every rule is safe to run twice anyway)."""
    from django.core.cache import cache

    if now < _next_ask.get("at", now):
        return 0
    _next_ask["at"] = now + ASK_EVERY
    if not cache.add("guildbook:retention", now.isoformat(), RETENTION_EVERY_SECONDS):
        return 0
    return sum(count for _rule, _before, count in privacy.retention_apply(now=now, dry_run=False))


def register() -> None:
    from guildbook.notifications.due_work import due_work

    privacy.register_exporter("messages", "E-mail we sent you", _message_rows)
    privacy.register_eraser("messages", _erase_messages)
    privacy.register_retention(
        privacy.RetentionRule(
            "outbox",
            "RETENTION_OUTBOX_DAYS",
            "days",
            "e-mail messages sent, given up or withdrawn (with their delivery attempts)",
            _old_messages,
        )
    )
    due_work("privacy.retention")(retention_due)
