"""Every write about people: creating them, roles, imports and API tokens."""

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import cache

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from guildbook.accounts import hooks
from guildbook.accounts.models import ApiToken, User, normalise_email
from guildbook.core import limits, roles
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.core.postgresql.prepared import prepared

TOKEN_PREFIX = "gb_"


def roles_sync(*, using: str = "default") -> None:
    """Make sure each role's group exists with its permissions (idempotent, runs after migrate)."""
    for group_name, perms in roles.role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm:
                wanted.append(perm)
        if wanted:
            group.permissions.add(*wanted)


def _clean_email(email: str) -> str:
    email = normalise_email(email)
    try:
        if len(email) > 254 or not limits.storable_text(email):
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ServiceError(f"“{email}” is not a valid e-mail address.", field="email") from None
    return email


def _check_profile(**fields) -> None:
    """The same limits whichever way a profile is written, and on every database."""
    for key, value in fields.items():
        words = key.replace("_", " ")
        limits.check_text((value or "").strip(), field=key, limit=150, what=f"The {words}")


def _role_group(role: str) -> Group:
    name = roles.role_group_name(role)
    if not name:
        choices = ", ".join(sorted({k for k in roles.ROLE_CHOICES if k not in ("sdo", "admin")}))
        raise ServiceError(f"Unknown role “{role}”. Choose one of: {choices}.", field="role")
    group, _ = Group.objects.get_or_create(name=name)
    return group


def user_role_add(*, user: User, role: str, actor=None) -> None:
    group = _role_group(role)
    with transaction.atomic():
        if user.groups.filter(pk=group.pk).exists():
            return
        user.groups.add(group)
        if group.name == roles.ADMINISTRATOR and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        audit_record(actor=actor, action="role_added", subject=user, role=group.name)


def user_role_remove(*, user: User, role: str, actor=None) -> None:
    group = _role_group(role)
    with transaction.atomic():
        if not user.groups.filter(pk=group.pk).exists():
            return
        user.groups.remove(group)
        audit_record(actor=actor, action="role_removed", subject=user, role=group.name)


def user_groups_set(*, user: User, groups, actor=None) -> User:
    """Give a person exactly these groups (the roles among them through user_role_add and
    user_role_remove, so an administrator is made staff as on every other path), each change
    audited."""
    wanted = {g.pk: g for g in groups}
    with transaction.atomic():
        had = {g.pk: g for g in user.groups.all()}
        for pk, group in had.items():
            if pk not in wanted:
                user.groups.remove(group)
                audit_record(actor=actor, action="role_removed", subject=user, role=group.name)
        for pk, group in wanted.items():
            if pk in had:
                continue
            if group.name in set(roles.ROLE_CHOICES.values()):
                user_role_add(user=user, role=_role_key(group.name), actor=actor)
            else:
                user.groups.add(group)
                audit_record(actor=actor, action="role_added", subject=user, role=group.name)
    return user


def _role_key(group_name: str) -> str:
    return next(k for k, v in roles.ROLE_CHOICES.items() if v == group_name)


# What an administrator may change about a person besides their groups and directory team.
USER_FIELDS = {
    "email",
    "name",
    "job_title",
    "team",
    "organisation",
    "is_active",
    "awaiting_first_sign_in",
    "is_staff",
    "is_superuser",
}


def user_update(*, user: User, actor=None, **fields) -> User:
    """Change a person's address, profile, or access, as the administration site does.

    Deactivating stops everything at once: sign-in, API tokens, and e-mail (the outbox
    skips inactive people when it claims and again before it sends); the person's records
    stay. In the same transaction, the apps above release what the person held for the
    future (accounts/hooks.py: training cancels their places in sessions still to come,
    takes them off waiting lists and withdraws their interest); what was released is on
    the returned person as `released` (counts) and in the audit entry. Reactivating
    restores sign-in and e-mail, not what was released. Each change is audited by name."""
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    profile = {
        k: v for k, v in fields.items() if k in ("name", "job_title", "team", "organisation")
    }
    _check_profile(**profile)
    fields.update({k: (v or "").strip() for k, v in profile.items()})
    if "email" in fields:
        fields["email"] = _clean_email(fields["email"])
    if fields.get("is_active") is False:
        # Deactivated on purpose: no first sign-in reactivates them.
        fields["awaiting_first_sign_in"] = False
    with transaction.atomic():
        if "email" in fields and fields["email"] != user.email:
            if User.objects.filter(email=fields["email"]).exclude(pk=user.pk).exists():
                raise Conflict(
                    f"Someone with the e-mail {fields['email']} already exists.", field="email"
                )
            _address_change(user, fields["email"])
        changed = sorted(k for k, v in fields.items() if getattr(user, k) != v)
        if not changed:
            return user
        for key in changed:
            setattr(user, key, fields[key])
        user.save(update_fields=changed)
        if "is_active" in changed and user.is_active:
            audit_record(actor=actor, action="person_reactivated", subject=user)
        elif "is_active" in changed:
            # What they held for the future goes in this transaction (accounts/hooks.py).
            user.released = hooks.person_deactivated(person=user, actor=actor, now=timezone.now())
            audit_record(
                actor=actor, action="person_deactivated", subject=user, released=user.released
            )
        rest = [k for k in changed if k != "is_active"]
        if rest:
            audit_record(actor=actor, action="person_updated", subject=user, fields=rest)
    return user


def _address_change(user: User, email: str) -> None:
    """The new address replaces the old in allauth's records (as one an administrator set,
    so unverified until the person signs in with a code sent to it)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)


def user_create(
    *,
    email: str,
    name: str = "",
    job_title: str = "",
    team: str = "",
    organisation: str = "",
    role: str | None = None,
    password: str | None = None,
    actor=None,
) -> User:
    """Create a person. Fails with a Conflict when the e-mail address is already known."""
    email = _clean_email(email)
    _check_profile(name=name, job_title=job_title, team=team, organisation=organisation)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(f"Someone with the e-mail {email} already exists.", field="email")
        user = User.objects.create_user(
            email,
            password=password,
            name=name.strip(),
            job_title=job_title.strip(),
            team=team.strip(),
            organisation=organisation.strip(),
        )
        _mark_email_verified(user)
        audit_record(actor=actor, action="person_created", subject=user)
        if role:
            user_role_add(user=user, role=role, actor=actor)
    return user


def user_get_or_create(*, email: str, name: str = "", actor=None) -> tuple[User, bool]:
    """Find a person by e-mail or create them (a trainer adding a newcomer to a session)."""
    email = _clean_email(email)
    existing = User.objects.filter(email=email).first()
    if existing:
        return existing, False
    return user_create(email=email, name=name, actor=actor), True


def user_update_profile(*, user: User, actor=None, **fields) -> User:
    allowed = {"name", "job_title", "team", "organisation"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    _check_profile(**fields)
    with transaction.atomic():
        for key, value in fields.items():
            setattr(user, key, (value or "").strip())
        user.save(update_fields=list(fields))
        audit_record(actor=actor or user, action="profile_updated", subject=user)
    return user


def user_activate_on_sign_in(*, user: User) -> bool:
    """Activate a person brought in by the history import, at their first sign-in.

    Only a person still awaiting their first sign-in is activated (and the mark cleared, so
    it happens once); anyone else is left as they are, a person an administrator
    deactivated included. Returns whether they were activated. One transaction, audited.
    """
    with transaction.atomic():
        activated = User.objects.filter(
            pk=user.pk, is_active=False, awaiting_first_sign_in=True
        ).update(is_active=True, awaiting_first_sign_in=False)
        if activated:
            user.is_active, user.awaiting_first_sign_in = True, False
            audit_record(actor=user, action="person_activated", subject=user, how="first sign-in")
    return bool(activated)


def user_deactivate(*, user: User, actor=None) -> User:
    """Stop a person signing in: inactive, and no longer activated by a first sign-in
    (user_update). Their outbox mail is then refused at claim and at send (notifications);
    their places, waiting-list entries and open interest are released in the same
    transaction (`released` on the returned person says how many)."""
    return user_update(user=user, actor=actor, is_active=False)


def _mark_email_verified(user: User) -> None:
    """People created by a trainer or an import own that address as far as we know."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


# --- Import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


IMPORT_COLUMNS = ("email", "name", "team", "organisation", "role")


def people_import(*, text: str, actor=None) -> ImportResult:
    """Import people from CSV text: all rows or none. Re-importing updates, never duplicates.

    Every bad row is reported by its line number; if any row is bad nothing is written.
    """
    result = ImportResult()
    reader, headers = csv_rows_by_header(text)
    if "email" not in headers or "name" not in headers:
        raise ServiceError(
            "The file needs a header row with at least the columns email and name "
            "(optional: team, organisation, role).",
            field="file",
        )
    rows = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(reader, result):
        email = normalise_email(row.get("email") or "")
        name = (row.get("name") or "").strip()
        role = (row.get("role") or "").strip()
        problems = _field_problems(row, headers)
        if problems:
            result.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        problems += person_row_problems(email=email, name=name)
        if role and not roles.role_group_name(role):
            problems.append(f"unknown role “{role}”")
        problems += repeated_email(email, line, seen)
        if problems:
            result.errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append((email, name, row, role))
    if result.errors:
        return result
    with transaction.atomic():
        existing = {u.email: u for u in User.objects.filter(email__in=[r[0] for r in rows])}
        for email, name, row, role in rows:
            # A column the file does not have leaves that field as it is.
            values = {"name": name}
            for column in ("team", "organisation"):
                if column in headers:
                    values[column] = (row.get(column) or "").strip()
            user = existing.get(email)
            if user:
                changed = [k for k, v in values.items() if getattr(user, k) != v]
                if changed:
                    for k in changed:
                        setattr(user, k, values[k])
                    user.save(update_fields=changed)
                    audit_record(actor=actor, action="person_imported", subject=user)
                result.updated += 1
            else:
                user = user_create(email=email, actor=actor, **values)
                result.created += 1
            if role:
                user_role_add(user=user, role=role, actor=actor)
    return result


def csv_rows_by_header(text: str) -> tuple[csv.DictReader, list[str]]:
    """A reader of the rows of CSV `text` (a leading byte-order mark dropped) as dicts keyed
    by the header row's names, stripped and in lower case; and those names, in order."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    return reader, headers


def repeated_email(email: str, line: int, seen: dict[str, int]) -> list[str]:
    """The problem of a row whose e-mail an earlier row of the same import had. `seen` maps
    each e-mail to the line it first stood on, and learns this row's."""
    first = seen.setdefault(email, line)
    return [f"the same e-mail as line {first}"] if first != line else []


def person_row_problems(*, email: str, name: str) -> list[str]:
    """What is wrong with a person's e-mail and name on a row of an import (people, mentors),
    in the words each import reports beside the row's line number."""
    problems = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"“{email}” is not a valid e-mail address" if email else "no e-mail")
    if not name:
        problems.append("no name")
    return problems


def _csv_rows(reader, result: ImportResult):
    """(line number, row) for each row; a line the reader cannot read (a field over its
    limit, for one) becomes an error with its number and ends the reading."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.errors.append(f"line {reader.line_num + 1}: cannot be read ({exc})")
            return
        yield reader.line_num, row


# Columns an import may fill, and what they may hold (the database columns' sizes).
_COLUMN_LIMITS = {"email": 254, "name": 150, "team": 150, "organisation": 150, "role": 40}


def _field_problems(row: dict, headers: list[str]) -> list[str]:
    problems = []
    for column, limit in _COLUMN_LIMITS.items():
        value = (row.get(column) or "").strip() if column in headers else ""
        if not limits.storable_text(value):
            problems.append(f"the {column} contains a null character")
        elif len(value) > limit:
            problems.append(f"the {column} is longer than {limit} characters")
    return problems


# --- API tokens -----------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "API token", actor=None) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    name = (name or "").strip() or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=secret[:10], key_hash=_hash_key(secret)
        )
        audit_record(actor=actor or user, action="api_token_created", subject=token)
    return token, secret


def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="api_token_revoked", subject=token)
    return token


# One statement: every API request makes it, so it is plain SQL rather than the ORM's
# select_related query, which cost several times the database's own work, and on
# PostgreSQL it is prepared once per connection, as planning it cost the server more than
# running it. Nothing is cached: a revoked token or a deactivated person is refused from
# the next request on.
_TOKEN_USER = """
    SELECT {columns}, t.id, (t.last_used_at IS NULL OR t.last_used_at < %s)
    FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
    WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active
"""
_TOKEN_USED = "UPDATE accounts_apitoken SET last_used_at = %s WHERE id = %s"


@cache
def _token_user_read() -> tuple[str, list[str], list[int], list[int]]:
    # The person's columns by name, in the model's order as Model.from_db expects them,
    # and which of them SQLite answers as 0/1 or as naive UTC.
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in fields)
    kinds = [f.get_internal_type() for f in fields]
    flags = [n for n, kind in enumerate(kinds) if kind == "BooleanField"]
    times = [n for n, kind in enumerate(kinds) if kind == "DateTimeField"]
    return _TOKEN_USER.format(columns=columns), [f.attname for f in fields], flags, times


def api_token_authenticate(key: str) -> User | None:
    """The active person whose token this is, or None (unknown, revoked or deactivated)."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute so a busy integration does not turn
    # every read into a write.
    stale_before = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=60))
    sql, fields, flags, times = _token_user_read()
    db = transaction.get_connection()
    if db.vendor == "postgresql":
        sql = prepared(db, sql)
    with db.cursor() as cursor:
        cursor.execute(sql, [stale_before, _hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, token_id, use_stale = row
    if db.vendor == "sqlite":
        for n in flags:
            values[n] = bool(values[n])
        for n in times:
            if values[n] is not None and timezone.is_naive(values[n]):
                values[n] = timezone.make_aware(values[n], UTC)
    user = User.from_db(db.alias, fields, values)
    if use_stale:
        # In a transaction, so that on SQLite it queues with the other writers.
        with transaction.atomic(), db.cursor() as cursor:
            cursor.execute(_TOKEN_USED, [db.ops.adapt_datetimefield_value(now), token_id])
    return user
