"""Recording state changes. Services call `audit_record` inside their transaction."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from guildbook.core.models import AuditEntry


def audit_record(*, actor, action: str, subject: models.Model, at=None, **data) -> AuditEntry:
    entry = AuditEntry(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        data=data,
    )
    if at is not None:
        entry.at = at
    entry.save()
    return entry


def audit_trail(subject: models.Model):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor")
