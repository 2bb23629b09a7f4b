"""The core app's part of a person's data: the audit trail of what they did and what was done
to their account."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from guildbook.core import privacy
from guildbook.core.models import AuditEntry


def _about(person):
    user_type = ContentType.objects.get_for_model(get_user_model())
    return Q(actor=person) | Q(content_type=user_type, object_id=person.pk)


def _audit_rows(person):
    entries = AuditEntry.objects.filter(_about(person)).select_related("content_type", "actor")
    return [
        {
            "at": e.at,
            "action": e.action,
            "about": f"{e.content_type.model} {e.object_id}",
            "by": "you" if e.actor_id == person.pk else (e.actor.display_name if e.actor else ""),
            "details": e.data,
        }
        for e in entries.order_by("at", "id")
    ]


def _erase_audit(*, person, stand_in, actor):
    """Entries keep what happened and when; the person in them becomes the stand-in."""
    user_type = ContentType.objects.get_for_model(get_user_model())
    counts = {
        "by_them": AuditEntry.objects.filter(actor=person).update(actor=stand_in),
        "about_them": AuditEntry.objects.filter(content_type=user_type, object_id=person.pk).update(
            object_id=stand_in.pk
        ),
    }
    counts["names_removed"] = privacy.scrub_rows(
        AuditEntry.objects.all(), ["data"], privacy.needles_for(person), stand_in.name
    )
    return counts


def _old_audit(*, before, dry_run):
    old = AuditEntry.objects.filter(at__lt=before)
    return old.count() if dry_run else old.delete()[0]


def register() -> None:
    privacy.register_exporter(
        "audit", "Changes you made, and changes made to your account", _audit_rows
    )
    privacy.register_eraser("audit", _erase_audit)
    privacy.register_retention(
        privacy.RetentionRule(
            "audit", "RETENTION_AUDIT_YEARS", "years", "audit entries", _old_audit
        )
    )
