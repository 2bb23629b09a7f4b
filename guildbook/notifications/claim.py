"""Claiming due outbox rows with a lease (one short transaction).

Due pending rows, and rows whose lease ran out because their worker died, are locked —
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers take disjoint batches;
SQLite's IMMEDIATE transactions let one writer in at a time — then the kind's `still_due`
is asked under that lock (False: the row is made void), and the rest are marked `sending`
with this worker's id and a lease. Every claim is also a DeliveryAttempt row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.db import connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from guildbook.core.fast_paths import fast_paths_on
from guildbook.notifications import sql
from guildbook.notifications.kinds import UnknownKind, get_kind
from guildbook.notifications.models import DeliveryAttempt, OutboxMessage
from guildbook.notifications.record import DEFAULT_MAX_ATTEMPTS, Status, describe, log

# Rows per claim. A claim's queries cost the same for 10 rows or 200, so a bigger batch
# costs less a message (figures in benchmarks/README.md); a smaller one leaves fewer rows
# waiting for the lease when a worker dies, and shares work between workers more evenly.
DEFAULT_BATCH = 100


DEFAULT_LEASE_SECONDS = 300


def _locking(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs  # SQLite: the IMMEDIATE transaction already holds the write lock


def claim_due(
    *,
    worker: str,
    batch: int = DEFAULT_BATCH,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> tuple[list[OutboxMessage], Counter]:
    """Claim up to `batch` due rows for `worker`. Returns the rows to send now and a count
    of the rows settled without sending (void, failed)."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=lease_seconds)
    settled: Counter = Counter()
    with transaction.atomic():
        if fast_paths_on():
            sql.claim_in_index_order()
        # Rows whose worker died first: they have waited longest.
        rows = list(
            _locking(
                OutboxMessage.objects.filter(status=Status.SENDING, lease_expires_at__lte=now)
            ).order_by("lease_expires_at", "id")[:batch]
        )
        if len(rows) < batch:
            rows += _locking(
                OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            ).order_by("next_attempt_at", "id")[: batch - len(rows)]
        if not rows:
            return [], settled
        _reread(rows)
        prefetch_related_objects(rows, "recipient")
        to_send, to_void = [], []
        for row in rows:
            if row.status == Status.SENDING and row.attempts >= max_attempts:
                _fail(row, now, f"Gave up after {row.attempts} attempts: the worker stopped.")
                settled["failed"] += 1
                continue
            try:
                due = get_kind(row.kind).due(row)
            except UnknownKind as exc:
                _fail(row, now, str(exc))
                settled["failed"] += 1
                continue
            except Exception as exc:
                log.exception("still_due failed for outbox message %s", row.pk)
                _fail(row, now, f"Could not check whether it is still due: {describe(exc)}")
                settled["failed"] += 1
                continue
            (to_send if due else to_void).append(row)
        if to_void:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in to_void]).update(
                status=Status.VOID, lease_expires_at=None, updated_at=now
            )
            settled["void"] += len(to_void)
        if to_send:
            ids = [r.pk for r in to_send]
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=Status.SENDING,
                attempts=F("attempts") + 1,
                claimed_by=worker,
                lease_expires_at=lease,
                updated_at=now,
            )
            for row in to_send:
                row.status, row.claimed_by, row.lease_expires_at = Status.SENDING, worker, lease
                row.attempts += 1
            if fast_paths_on():
                sql.open_attempts(ids, worker=worker, now=now, lease=lease)
            else:
                open_attempts_orm(to_send, worker=worker, now=now, lease=lease)
    return to_send, settled


def open_attempts_orm(rows: list[OutboxMessage], *, worker: str, now: datetime, lease) -> None:
    """The ORM twin of sql.open_attempts: the reference for what it means."""
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            message_id=row.pk,
            number=row.attempts,
            worker=worker,
            claimed_at=now,
            lease_expires_at=lease,
        )
        for row in rows
    )


def _fail(row: OutboxMessage, now: datetime, error: str) -> None:
    row.status, row.last_error, row.lease_expires_at = Status.FAILED, error, None
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=Status.FAILED, last_error=error, lease_expires_at=None, updated_at=now
    )


def _reread(rows: list[OutboxMessage]) -> None:
    """Read the objects `rows` are about afresh, with what their kinds ask for
    (`MessageKind.related`): one query per model and kind's paths, not one per row.
    (What prefetch_related_objects(rows, "about") did, for a quarter of its cost.)"""
    wanted: dict[tuple, set] = defaultdict(set)
    for row in rows:
        if row.content_type_id is not None and row.object_id is not None:
            wanted[row.content_type_id, _related(row.kind)].add(row.object_id)
    found = {}
    for (ct_id, related), ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        objects = model._base_manager.using(connection.alias).filter(pk__in=ids)
        try:
            objects = list(objects.select_related(*related) if related else objects)
        except FieldError:  # paths that do not fit this model: the kind queries as it goes
            log.warning("Message kind paths %s do not fit %s", related, model.__name__)
            objects = list(objects)
        for obj in objects:
            found[ct_id, related, obj.pk] = obj
    about = OutboxMessage.about
    for row in rows:
        key = (row.content_type_id, _related(row.kind), row.object_id)
        about.set_cached_value(row, found.get(key))
    _reread_accounts(rows, _people_among(found))


def _people_among(found: dict) -> dict[int, bool]:
    """Whether each account among the objects just read (a message's object, or what its
    kind's paths reached: a booking's person) is active, by primary key."""
    account = OutboxMessage.recipient.field.related_model
    people: dict[int, bool] = {}
    for (_, related, _), obj in found.items():
        reached = [obj]
        for path in related:
            step = obj
            for name in path.split("__"):  # (only what was read with it: never a query)
                step = step._state.fields_cache.get(name)
                if step is None:
                    break
                reached.append(step)
        for item in reached:
            if isinstance(item, account):
                people[item.pk] = item.is_active
    return people


def _reread_accounts(rows: list[OutboxMessage], known: dict[int, bool] | None = None) -> None:
    """Whether each recipient read at the claim is still active (an account deactivated
    since gets nothing): from `known` where the objects just read include the account, else
    one small query for the rest of the group."""
    cached = OutboxMessage.recipient.is_cached
    recipients = [r.recipient for r in rows if r.recipient_id and cached(r)]
    known = known or {}
    unknown = {p.pk for p in recipients if p.pk not in known}
    if unknown:
        model = type(recipients[0])
        active = model._base_manager.filter(pk__in=unknown, is_active=True)
        known = {**known, **dict.fromkeys(unknown, False)}
        known.update(dict.fromkeys(active.values_list("pk", flat=True), True))
    for person in recipients:
        person.is_active = known[person.pk]


def _related(kind: str) -> tuple[str, ...]:
    try:
        return tuple(get_kind(kind).related)
    except UnknownKind:
        return ()


def _still_due(row: OutboxMessage) -> dict:
    """Ask the kind again, just before sending (its object was read afresh by _reread)."""
    try:
        return {"due": bool(get_kind(row.kind).due(row))}
    except Exception as exc:
        log.exception("still_due failed for outbox message %s", row.pk)
        return {"due": False, "error": f"Could not check whether it is still due: {describe(exc)}"}
