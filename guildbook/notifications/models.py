"""The outbox: one row per e-mail that is or will be due, and a row per delivery attempt.

A row is written in the same transaction as the change that makes the message due, so the
outbox can never disagree with the data. `guildbook worker` delivers due rows (see
delivery.py). Rows are never deleted by the delivery engine: a sent, failed or void row is
the record of what happened.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        VOID = "void", "Void"

    # Every booking writes two rows here, so each index costs on the hottest write: the
    # composite indexes in Meta serve every look-up, and the single-column indexes Django
    # would add for `kind` and the two foreign keys would only repeat their first columns.
    kind = models.CharField(max_length=100)
    # What the message is about (a booking, a session...). Null for messages about nothing
    # in particular.
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # outbox_about starts with it
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        db_index=False,  # outbox_recipient starts with it
    )
    # Empty means "the recipient's address at the moment of sending".
    to_address = models.EmailField("to", max_length=254, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)

    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)

    subject = models.CharField(max_length=255, blank=True, help_text="As sent.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            # The worker's two claim queries: due pending rows, and leases that ran out.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_due_pending",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status="sending"),
                name="outbox_lease_expired",
            ),
            # void / reschedule by object, and a person's sent messages.
            models.Index(fields=["content_type", "object_id", "kind"], name="outbox_about"),
            models.Index(fields=["recipient", "status", "sent_at"], name="outbox_recipient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "void"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_expires_at__isnull=False),
                name="outbox_sending_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        from guildbook.notifications.kinds import get_kind, is_registered

        return (get_kind(self.kind).label or self.kind) if is_registered(self.kind) else self.kind

    @property
    def address(self) -> str:
        if self.to_address:
            return self.to_address
        return self.recipient.email if self.recipient_id else ""


class DeliveryAttempt(models.Model):
    """One claim of a message by a worker, and how it ended.

    `outcome` stays empty while the attempt is in flight; an attempt left empty after its
    lease ran out belonged to a worker that died.
    """

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        RETRY = "retry", "Temporary failure, retried"
        FAILED = "failed", "Failed"
        VOID = "void", "No longer due"
        RELEASED = "released", "Released unsent"

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=100)
    claimed_at = models.DateTimeField()
    lease_expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number", "id"]
        indexes = [models.Index(fields=["message", "worker"], name="delivery_message_worker")]

    def __str__(self) -> str:
        return f"attempt {self.number} of #{self.message_id} by {self.worker}"
