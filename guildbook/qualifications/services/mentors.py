"""Mentors: the directory's profiles (self sign-up and the CSV import), requests and their
answers, and changing mentor.

A mentor's places: `MentorProfile.mentees` counts accepted, unended requests and a check
constraint keeps it within `capacity`. Accepting takes a place with one conditional UPDATE
(`mentees < capacity`), so of two acceptances racing for a last place exactly one succeeds
on either database (PostgreSQL re-reads the row after the first commits; SQLite's IMMEDIATE
transactions run one after the other); the loser is told `mentor_full`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from guildbook.accounts.models import User, normalise_email
from guildbook.accounts.services import (
    csv_rows_by_header,
    person_row_problems,
    repeated_email,
    user_create,
    user_role_add,
)
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, NotAllowed, ServiceError
from guildbook.notifications.services import outbox_schedule
from guildbook.qualifications import messages
from guildbook.qualifications.models import Candidacy, MentorProfile, MentorRequest, Scheme
from guildbook.qualifications.services.candidacies import _lock_open, _mark, _require_open

MAX_CAPACITY = 30


class MentorFull(Conflict):
    code = "mentor_full"


def digest_due(now: datetime | None = None) -> datetime:
    """Monday 08:00 (service time) of the coming week: when the weekly digest goes."""
    local = timezone.localtime(now or timezone.now())
    monday = local.date() + timedelta(days=7 - local.weekday())
    return timezone.make_aware(datetime.combine(monday, time(8, 0)))


def digest_queue(profile: MentorProfile, *, now: datetime | None = None) -> None:
    """Make sure this week's digest is queued for the mentor (one row per mentor per week,
    whatever happens in between), inside the caller's transaction."""
    due = digest_due(now)
    year, week, _ = due.isocalendar()
    outbox_schedule(
        kind=messages.MENTOR_DIGEST,
        about=profile,
        recipient=profile.user,
        due_at=due,
        key=f"{messages.MENTOR_DIGEST}:{profile.pk}:{year}-W{week:02d}",
    )


# --- Profiles -------------------------------------------------------------------------


def _clean_specialisms(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("\n", ";").split(";")
    seen, result = set(), []
    for v in values or []:
        v = " ".join(str(v).split())[:60]
        if v and v.lower() not in seen:
            seen.add(v.lower())
            result.append(v)
    return result


def _check_capacity(capacity, profile: MentorProfile | None) -> int:
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ServiceError("Capacity is a whole number.", field="capacity") from None
    if not 0 <= capacity <= MAX_CAPACITY:
        raise ServiceError(f"Capacity is between 0 and {MAX_CAPACITY}.", field="capacity")
    if profile is not None and capacity < profile.mentees:
        raise ServiceError(
            f"You mentor {profile.mentees} people now, so your capacity cannot be less.",
            field="capacity",
        )
    return capacity


def mentor_profile_save(
    *,
    user: User,
    actor,
    region: str = "",
    sector: str = "",
    specialisms=(),
    remote: bool = True,
    capacity: int = 1,
    bio: str = "",
    listed: bool = True,
) -> MentorProfile:
    """Create or update a mentor's profile; a new mentor gains the Mentor role."""
    with transaction.atomic():
        profile = MentorProfile.objects.select_for_update().filter(user=user).first()
        capacity = _check_capacity(capacity, profile)
        created = profile is None
        if created:
            profile = MentorProfile(user=user)
        profile.region = (region or "").strip()[:100]
        profile.sector = (sector or "").strip()[:100]
        profile.specialisms = _clean_specialisms(specialisms)
        profile.remote = bool(remote)
        profile.capacity = capacity
        profile.bio = (bio or "").strip()
        profile.listed = bool(listed)
        profile.save()
        if created:
            user_role_add(user=user, role="mentor", actor=actor)
        audit_record(
            actor=actor,
            action="mentor_signed_up" if created else "mentor_profile_updated",
            subject=profile,
            capacity=capacity,
        )
    return profile


@dataclass
class MentorImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


MENTOR_COLUMNS = ("email", "name", "region", "sector", "specialisms", "remote", "capacity")


def mentors_import(*, text: str, actor=None) -> MentorImportResult:
    """Import the mentor directory from CSV: all rows or none (as accounts.people_import).

    Header: email,name,region,sector,specialisms,remote,capacity; specialisms separated by
    ";"; remote is yes or no. Unknown e-mails become accounts (signing in by code) with the
    Mentor role; known people gain the role. Every bad row is reported by line number.
    """
    result = MentorImportResult()
    reader, headers = csv_rows_by_header(text)
    missing = [c for c in MENTOR_COLUMNS if c not in headers]
    if missing:
        raise ServiceError(
            "The file needs a header row with the columns " + ",".join(MENTOR_COLUMNS) + " "
            f"(missing: {', '.join(missing)}).",
            field="file",
        )
    rows, seen = [], {}
    for row in reader:
        line = reader.line_num
        email = normalise_email(row.get("email") or "")
        name = (row.get("name") or "").strip()
        remote_text = (row.get("remote") or "").strip().lower()
        capacity_text = (row.get("capacity") or "").strip()
        problems = person_row_problems(email=email, name=name)
        if remote_text not in ("yes", "no"):
            problems.append(f"remote must be yes or no, not “{remote_text}”")
        if not capacity_text.isdigit() or int(capacity_text) > MAX_CAPACITY:
            problems.append(f"capacity must be a whole number from 0 to {MAX_CAPACITY}")
        problems += repeated_email(email, line, seen)
        if problems:
            result.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        rows.append((line, email, name, row, remote_text == "yes", int(capacity_text)))
    if result.errors:
        return result
    with transaction.atomic():
        existing = {u.email: u for u in User.objects.filter(email__in=[r[1] for r in rows])}
        profiles = {
            p.user_id: p
            for p in MentorProfile.objects.select_for_update().filter(
                user__email__in=[r[1] for r in rows]
            )
        }
        # A capacity below the people someone mentors now is a row error too: check all
        # rows before writing any.
        for line, email, _name, _row, _remote, capacity in rows:
            user = existing.get(email)
            profile = profiles.get(user.pk) if user else None
            if profile is not None and capacity < profile.mentees:
                result.errors.append(
                    f"line {line}: capacity {capacity} is below the {profile.mentees} people "
                    "they mentor now"
                )
        if result.errors:
            return result
        for _line, email, name, row, remote, capacity in rows:
            user = existing.get(email)
            if user is None:
                user = user_create(email=email, name=name, role="mentor", actor=actor)
                result.created += 1
            else:
                user_role_add(user=user, role="mentor", actor=actor)
                if not user.name:
                    user.name = name
                    user.save(update_fields=["name"])
                result.updated += 1
            profile = profiles.get(user.pk) or MentorProfile(user=user)
            profile.region = (row.get("region") or "").strip()[:100]
            profile.sector = (row.get("sector") or "").strip()[:100]
            profile.specialisms = _clean_specialisms(row.get("specialisms") or "")
            profile.remote = remote
            profile.capacity = capacity
            profile.save()
            audit_record(actor=actor, action="mentor_imported", subject=profile)
    return result


# --- Requests -------------------------------------------------------------------------


def mentor_request_create(
    *, candidacy: Candidacy, mentor: MentorProfile, actor, message: str = ""
) -> MentorRequest:
    """A candidate asks a mentor. Refused when the mentor has no place left (mentor_full),
    is the candidate, is already their mentor or already has their request."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate asks for a mentor.")
    if candidacy.scheme.mentor == Scheme.Mentor.NONE:
        raise ServiceError(f"{candidacy.scheme.name} has no mentor.", field="mentor")
    if mentor.user_id == candidacy.person_id:
        raise ServiceError("You cannot mentor yourself.", field="mentor")
    with transaction.atomic():
        candidacy = _lock_open(candidacy)
        mentor = MentorProfile.objects.select_related("user").get(pk=mentor.pk)
        if not mentor.listed:
            raise ServiceError("This mentor is not taking requests.", field="mentor")
        if mentor.places_left <= 0:
            raise MentorFull(
                f"{mentor.user.display_name} has no place left; choose another mentor.",
                field="mentor",
            )
        if MentorRequest.objects.filter(
            candidacy=candidacy, mentor=mentor, status__in=["pending", "accepted"]
        ).exists():
            raise Conflict(
                f"You have already asked {mentor.user.display_name}.",
                field="mentor",
                code="already_requested",
            )
        request = MentorRequest.objects.create(
            candidacy=candidacy, mentor=mentor, message=(message or "").strip()
        )
        digest_queue(mentor)
        audit_record(actor=actor, action="mentor_requested", subject=request)
    return request


def mentor_request_accept(*, request: MentorRequest, actor) -> MentorRequest:
    """The mentor accepts: takes one of their places (mentor_full if none is left), becomes
    the candidacy's one active mentor (an earlier mentor's mentoring ends, kept in the
    history) and the candidate's other pending requests are withdrawn."""
    now = timezone.now()
    try:
        with transaction.atomic():
            request = (
                MentorRequest.objects.select_for_update()
                .select_related("mentor__user")
                .get(pk=request.pk)
            )
            if request.mentor.user_id != actor.pk:
                raise NotAllowed("Only the mentor asked answers a request.")
            candidacy = Candidacy.objects.select_for_update().get(pk=request.candidacy_id)
            _require_open(candidacy)
            if request.status != MentorRequest.Status.PENDING:
                raise Conflict(
                    f"This request was {request.get_status_display().lower()} already.",
                    code="not_pending",
                )
            taken = MentorProfile.objects.filter(
                pk=request.mentor_id, listed=True, mentees__lt=F("capacity")
            ).update(mentees=F("mentees") + 1, updated_at=now)
            if not taken:
                raise MentorFull(
                    "You have no place left. Raise your capacity or decline the request.",
                    field="mentor",
                )
            for previous in MentorRequest.objects.select_for_update().filter(
                candidacy=candidacy, status=MentorRequest.Status.ACCEPTED
            ):
                previous.status = MentorRequest.Status.ENDED
                previous.ended_at = now
                previous.save(update_fields=["status", "ended_at", "updated_at"])
                MentorProfile.objects.filter(pk=previous.mentor_id, mentees__gt=0).update(
                    mentees=F("mentees") - 1, updated_at=now
                )
            MentorRequest.objects.filter(candidacy=candidacy, status="pending").exclude(
                pk=request.pk
            ).update(status=MentorRequest.Status.WITHDRAWN, decided_at=now, updated_at=now)
            request.status = MentorRequest.Status.ACCEPTED
            request.decided_at = now
            request.save(update_fields=["status", "decided_at", "updated_at"])
            _mark(candidacy, "mentor", actor)
            outbox_schedule(
                kind=messages.REQUEST_ANSWERED,
                about=request,
                recipient=candidacy.person,
                due_at=now,
            )
            audit_record(actor=actor, action="mentor_request_accepted", subject=request)
    except IntegrityError:
        # The check constraint or the one-accepted rule caught a race the update missed.
        raise MentorFull("You have no place left.", field="mentor") from None
    return request


def mentor_request_decline(*, request: MentorRequest, actor, reason: str = "") -> MentorRequest:
    now = timezone.now()
    with transaction.atomic():
        request = (
            MentorRequest.objects.select_for_update()
            .select_related("mentor", "candidacy__person")
            .get(pk=request.pk)
        )
        if request.mentor.user_id != actor.pk:
            raise NotAllowed("Only the mentor asked answers a request.")
        if request.status != MentorRequest.Status.PENDING:
            raise Conflict(
                f"This request was {request.get_status_display().lower()} already.",
                code="not_pending",
            )
        request.status = MentorRequest.Status.DECLINED
        request.reason = (reason or "").strip()
        request.decided_at = now
        request.save(update_fields=["status", "reason", "decided_at", "updated_at"])
        outbox_schedule(
            kind=messages.REQUEST_ANSWERED,
            about=request,
            recipient=request.candidacy.person,
            due_at=now,
        )
        audit_record(actor=actor, action="mentor_request_declined", subject=request)
    return request


def mentor_request_withdraw(*, request: MentorRequest, actor) -> MentorRequest:
    """The candidate takes back a pending request."""
    with transaction.atomic():
        request = (
            MentorRequest.objects.select_for_update().select_related("candidacy").get(pk=request.pk)
        )
        if request.candidacy.person_id != actor.pk:
            raise NotAllowed("Only the candidate withdraws their request.")
        if request.status != MentorRequest.Status.PENDING:
            raise Conflict("Only a request still waiting can be withdrawn.", code="not_pending")
        request.status = MentorRequest.Status.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_at", "updated_at"])
        audit_record(actor=actor, action="mentor_request_withdrawn", subject=request)
    return request


def mentoring_end(*, candidacy: Candidacy, actor) -> MentorRequest | None:
    """End the current mentoring (the candidate or the mentor), freeing the mentor's place;
    the meetings and the request stay in the history."""
    now = timezone.now()
    with transaction.atomic():
        request = (
            MentorRequest.objects.select_for_update()
            .select_related("mentor")
            .filter(candidacy=candidacy, status=MentorRequest.Status.ACCEPTED)
            .first()
        )
        if request is None:
            return None
        if actor.pk not in (candidacy.person_id, request.mentor.user_id):
            raise NotAllowed("Only the candidate or their mentor ends the mentoring.")
        request.status = MentorRequest.Status.ENDED
        request.ended_at = now
        request.save(update_fields=["status", "ended_at", "updated_at"])
        MentorProfile.objects.filter(pk=request.mentor_id, mentees__gt=0).update(
            mentees=F("mentees") - 1, updated_at=now
        )
        audit_record(actor=actor, action="mentoring_ended", subject=request)
    return request
