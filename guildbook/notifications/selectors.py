"""Reads of the outbox for a person."""

from django.db.models import QuerySet

from guildbook.notifications.models import OutboxMessage


def messages_sent_to(*, user, limit: int | None = 100) -> QuerySet[OutboxMessage]:
    """What Guildbook has sent this person, newest first (for their account page)."""
    rows = OutboxMessage.objects.filter(recipient=user, status=OutboxMessage.Status.SENT).order_by(
        "-sent_at", "-id"
    )
    return rows[:limit] if limit else rows
