"""Every write to the outbox.

`outbox_schedule`, `outbox_void` and `outbox_reschedule` are called by other apps' services
INSIDE their own transaction, so a message becomes due, is voided or moves exactly when the
change that causes it commits, and not at all when it rolls back. The worker's own writes
(claim, sent, retry, failed) live in delivery.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.kinds import is_registered
from guildbook.notifications.models import OutboxMessage

Status = OutboxMessage.Status


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "Outbox writes belong in the transaction of the change that causes them: "
            "call them inside transaction.atomic()."
        )


def _about_filter(about: models.Model) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(about),
        "object_id": about.pk,
    }


def outbox_schedule(
    *,
    kind: str,
    about: models.Model | None,
    recipient=None,
    to: str | None = None,
    due_at: datetime,
    key: str | None = None,
    context: dict | None = None,
    about_is_new: bool = False,
) -> OutboxMessage:
    """Queue one message of `kind` about `about`, due at `due_at`.

    Guarantees: the row commits or rolls back with the caller's transaction; a message with
    the same dedupe key is never queued twice (the existing row is returned unchanged,
    whatever its status). The key defaults to "<kind>:<content type id>:<object id>:<to>";
    pass your own, with a version (e.g. "training.reminder:123:v2"), when the same kind may
    legitimately be sent again for the same object. `context` must be JSON-serialisable;
    it is merged into the template context. With a recipient and no `to`, the message goes
    to the recipient's address as it is when the message is sent.

    `about_is_new=True` says `about` was created in this same transaction, so no row can hold
    its key yet: the look-up and the savepoint are skipped (a booking's confirmation and
    reminder are on the hot path of a burst of bookings). A clash would then be a bug, and
    the unique index still refuses it.
    """
    _require_transaction()
    row = outbox_row(
        kind=kind, about=about, recipient=recipient, to=to, due_at=due_at, key=key, context=context
    )
    key = row.dedupe_key
    if not about_is_new:
        existing = OutboxMessage.objects.filter(dedupe_key=key).first()
        if existing is not None:
            return existing
    if about_is_new:
        row.save(force_insert=True)
        return row
    try:
        # A savepoint, so that losing a race for the key leaves the caller's transaction
        # usable on PostgreSQL.
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=key)
    return row


def outbox_row(
    *,
    kind: str,
    about: models.Model | None,
    recipient=None,
    to: str | None = None,
    due_at: datetime,
    key: str | None = None,
    context: dict | None = None,
) -> OutboxMessage:
    """An unsaved outbox row, checked: the one place rows are built, whether
    outbox_schedule saves it or a caller writes it in a statement of its own (a new
    booking's messages, training/sql.py). Arguments as for outbox_schedule."""
    if not is_registered(kind):
        raise ServiceError(f"Unknown message kind {kind!r}.", field="kind")
    if recipient is None and not to:
        raise ServiceError("A message needs a recipient or an address.", field="to")
    if due_at is None or timezone.is_naive(due_at):
        raise ServiceError("The due time must be an aware datetime.", field="due_at")
    ct = ContentType.objects.get_for_model(about) if about is not None else None
    object_id = about.pk if about is not None else None
    if key is None:
        key = f"{kind}:{ct.pk if ct else '-'}:{object_id or '-'}:{to or recipient.pk}"
    return OutboxMessage(
        kind=kind,
        content_type=ct,
        object_id=object_id,
        recipient=recipient,
        to_address=to or "",
        dedupe_key=key,
        context=context or {},
        due_at=due_at,
        next_attempt_at=due_at,
    )


def outbox_void(
    *,
    about: models.Model,
    kinds: Iterable[str] | None = None,
    recipients: Iterable[int] | None = None,
) -> int:
    """Void the pending messages about `about` (of `kinds`, or all; to the users whose ids
    are in `recipients`, or to anyone). Returns how many.

    Messages already handed to a worker are not stopped here; the worker asks the kind's
    `still_due` under the row's lock before sending, which covers them.
    """
    _require_transaction()
    rows = OutboxMessage.objects.filter(status=Status.PENDING, **_about_filter(about))
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if recipients is not None:
        rows = rows.filter(recipient_id__in=list(recipients))
    return rows.update(status=Status.VOID, updated_at=timezone.now())


def outbox_pending_recipients(*, about: models.Model, kinds: Iterable[str]) -> set[int]:
    """The ids of the users who have a pending message of `kinds` about `about`: read
    inside the caller's transaction, to bring a per-person message (a trainer's roster) in
    line with who should now receive it."""
    _require_transaction()
    return set(
        OutboxMessage.objects.filter(
            status=Status.PENDING,
            kind__in=list(kinds),
            recipient_id__isnull=False,
            **_about_filter(about),
        ).values_list("recipient_id", flat=True)
    )


def outbox_void_overdue(*, before: datetime) -> int:
    """Void every pending message that fell due before `before`. Returns how many.

    For loading history (the demo's two years of bookings): what those changes would have
    sent at the time is not news now and must not go out on the first start.
    """
    with transaction.atomic():
        return OutboxMessage.objects.filter(status=Status.PENDING, due_at__lt=before).update(
            status=Status.VOID, updated_at=timezone.now()
        )


def outbox_reschedule(
    *,
    about: models.Model,
    kinds: Iterable[str],
    due_at: datetime | Callable[[OutboxMessage], datetime | None],
) -> int:
    """Move the pending messages of `kinds` about `about` to a new due time (a session
    moved, so its reminder moves with it). `due_at` is a datetime, or a function of the row
    answering its new due time, or None to leave that row alone. Returns how many moved."""
    _require_transaction()
    rows = OutboxMessage.objects.select_for_update().filter(
        status=Status.PENDING, kind__in=list(kinds), **_about_filter(about)
    )
    moved = 0
    now = timezone.now()
    for row in rows:
        new_due = due_at(row) if callable(due_at) else due_at
        if new_due is None:
            continue
        row.due_at = row.next_attempt_at = new_due
        row.updated_at = now
        row.save(update_fields=["due_at", "next_attempt_at", "updated_at"])
        moved += 1
    return moved


@transaction.atomic
def outbox_retry(*, messages: Iterable[OutboxMessage], actor, now: datetime | None = None) -> int:
    """Send failed (or still pending) messages again as soon as a worker is free: the
    attempt count starts again. Sent and void messages are left alone. Returns how many."""
    now = now or timezone.now()
    ids = [m.pk for m in messages]
    rows = list(
        OutboxMessage.objects.select_for_update().filter(
            pk__in=ids, status__in=[Status.FAILED, Status.PENDING]
        )
    )
    for row in rows:
        previous = row.status
        row.status = Status.PENDING
        row.attempts = 0
        row.next_attempt_at = now
        row.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(actor=actor, action="outbox.retry", subject=row, at=now, previous=previous)
    return len(rows)
