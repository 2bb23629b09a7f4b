"""A person's data: the "Your data" export and erasure, run over every app's registered parts
(see guildbook/core/privacy.py), plus the parts the accounts app holds itself.

Erasure keeps what the service counts (attendance, fill rates, survey results) and removes who
the person was. Their rows are handed to a *stand-in*: a new, inactive account named "Erased
person" with an address that cannot receive mail. The person's own account is then deleted,
so their id, address and name are gone from every table, while bookings, attendance and
answers still count, and one erased person's rows still count as one person.
"""

import secrets

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import ApiToken, User
from guildbook.core import privacy
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError

STAND_IN_NAME = "Erased person"
STAND_IN_DOMAIN = "erased.invalid"


def is_stand_in(user) -> bool:
    return user.email.endswith("@" + STAND_IN_DOMAIN)


def personal_data_export(*, person: User, actor: User) -> tuple[bytes, str]:
    """Everything Guildbook holds about `person`, as a ZIP (JSON and CSV per part, and an
    index.html to read). Audited: by the person themselves, or by a staff development officer
    answering a subject access request."""
    own = actor.pk == person.pk
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="personal_data_exported" if own else "subject_access_export",
            subject=person,
        )
        data, _counts = privacy.export_archive(
            person, title=f"What Guildbook holds about {person.display_name}"
        )
    stamp = timezone.localdate().isoformat()
    return data, f"guildbook-data-{person.pk}-{stamp}.zip"


def person_erase(*, person: User, actor: User | None) -> User:
    """Remove `person`'s identity from every table, keeping the counts. All or nothing.

    Their future places are cancelled first (through the booking service, so the waiting
    list moves up); their rows then pass to a stand-in account and their own is deleted.
    Returns the stand-in. `actor` is None when run from the command line.
    """
    if actor is not None and actor.pk == person.pk:
        raise ServiceError("You cannot erase yourself; ask another administrator.")
    if is_stand_in(person):
        raise ServiceError("This person has already been erased.")
    with transaction.atomic():
        stand_in = User.objects.create(
            email=f"erased-{secrets.token_hex(8)}@{STAND_IN_DOMAIN}",
            name=STAND_IN_NAME,
            is_active=False,
        )
        stand_in.set_unusable_password()
        stand_in.save(update_fields=["password"])
        counts = {}
        for eraser in privacy.erasers():
            counts[eraser.name] = eraser.erase(person=person, stand_in=stand_in, actor=actor)
        audit_record(actor=actor, action="person_erased", subject=stand_in, counts=counts)
    return stand_in


# --- The accounts app's own parts ---------------------------------------------------------


def _profile_rows(person):
    return [
        {
            "name": person.name,
            "email": person.email,
            "job_title": person.job_title,
            "team": person.team,
            "organisation": person.organisation,
            "roles": ", ".join(sorted(g.name for g in person.groups.all())),
            "joined": person.date_joined,
            "last_signed_in": person.last_login,
            "active": person.is_active,
            "awaiting_first_sign_in": person.awaiting_first_sign_in,
        }
    ]


def _token_rows(person):
    # The key itself is never stored, only its hash; neither is exported.
    return [
        {
            "name": t.name,
            "starts_with": t.prefix,
            "created": t.created_at,
            "last_used": t.last_used_at,
            "revoked": t.revoked_at,
        }
        for t in ApiToken.objects.filter(user=person).order_by("created_at")
    ]


def _erase_accounts(*, person, stand_in, actor):
    from allauth.account.models import EmailAddress
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    needles = privacy.needles_for(person)
    counts = {
        "api_tokens": ApiToken.objects.filter(user=person).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
    }
    signed_in = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    counts["sessions"] = Session.objects.filter(pk__in=signed_in).delete()[0]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        counts[model._meta.model_name] = model.objects.filter(
            username__iexact=person.email
        ).delete()[0]
    # The admin's history: what they did stays, as the stand-in's; entries about them lose
    # their name.
    LogEntry.objects.filter(user=person).update(user=stand_in)
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(person.pk)).update(
        object_id=str(stand_in.pk)
    )
    counts["admin_log"] = privacy.scrub_rows(
        LogEntry.objects.all(), ["object_repr", "change_message"], needles, STAND_IN_NAME
    )
    person.groups.clear()
    person.user_permissions.clear()
    person.delete()
    return counts


def _inactive_accounts(*, before, dry_run):
    """People (not staff, not already erased) who have not signed in, joined, or booked,
    attended or been booked since `before` are erased."""
    from django.db.models import Q

    quiet = (
        User.objects.filter(is_staff=False, is_superuser=False)
        .filter(Q(last_login__lt=before) | Q(last_login__isnull=True, date_joined__lt=before))
        .exclude(email__endswith="@" + STAND_IN_DOMAIN)
        .exclude(pk__in=privacy.active_since(before))
    )
    if dry_run:
        return quiet.count()
    erased = 0
    for person in quiet:
        person_erase(person=person, actor=None)
        erased += 1
    return erased


def register() -> None:
    privacy.register_exporter("profile", "Your profile", _profile_rows)
    privacy.register_exporter("api_tokens", "Your API tokens (never their keys)", _token_rows)
    privacy.register_eraser("accounts", _erase_accounts)
    privacy.register_retention(
        privacy.RetentionRule(
            "inactive_accounts",
            "RETENTION_INACTIVE_ACCOUNT_YEARS",
            "years",
            "inactive accounts (erased, as an administrator would)",
            _inactive_accounts,
        )
    )
