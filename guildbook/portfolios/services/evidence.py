"""Writing the evidence log: adding, changing and deleting entries, drafts from attended
sessions, and saving a follow-up survey answer as a reflection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.services import outbox_schedule
from guildbook.portfolios import messages
from guildbook.portfolios.models import Evidence, EvidenceLog, MentorShare, SkillsArea
from guildbook.portfolios.uploads import CheckedUpload, upload_check
from guildbook.qualifications.models import Candidacy, Criterion, MentorRequest
from guildbook.training.models import Booking

MAX_HOURS = Decimal("1000")

SESSION_PROMPTS = (
    "What did you learn?\n\n\n\n"
    "How will you use it in your work?\n\n\n\n"
    "What will you do next, and by when?\n"
)


def _next_number(person: User) -> int:
    """The person's next evidence number. Locks their log row until the transaction ends,
    so entries added at the same moment are numbered one after the other."""
    EvidenceLog.objects.get_or_create(person=person)
    log = EvidenceLog.objects.select_for_update().get(person=person)
    log.last_number += 1
    log.save(update_fields=["last_number"])
    return log.last_number


def _clean_hours(hours) -> Decimal | None:
    if hours in (None, ""):
        return None
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ServiceError("Hours must be a number, such as 1.5.", field="hours") from None
    if value < 0 or value > MAX_HOURS or value != value.quantize(Decimal("0.01")):
        raise ServiceError(
            "Hours must be between 0 and 1,000, to two decimal places.", field="hours"
        )
    return value


def _clean_fields(*, kind: str, title: str, date, url: str, has_file: bool) -> None:
    if kind not in Evidence.Kind.values:
        choices = ", ".join(Evidence.Kind.values)
        raise ServiceError(f"The kind must be one of {choices}.", field="kind")
    if not (title or "").strip():
        raise ServiceError("Give the evidence a title.", field="title")
    if len(title) > 200:
        raise ServiceError("Keep the title to 200 characters.", field="title")
    if not isinstance(date, dt.date):
        raise ServiceError("Give the date as YYYY-MM-DD.", field="date")
    if kind == Evidence.Kind.LINK and not url:
        raise ServiceError("A link needs its address.", field="url")
    if url and not url.startswith(("http://", "https://")):
        raise ServiceError("A link's address starts with https:// or http://.", field="url")
    if kind == Evidence.Kind.FILE and not has_file:
        raise ServiceError("Choose a file to upload.", field="file")


def _areas(skills_areas) -> list[SkillsArea]:
    return list(skills_areas or [])


def _criteria(person: User, candidacy: Candidacy | None, codes) -> list[Criterion]:
    """The candidacy's criteria named by `codes`; refuse a code the scheme does not have."""
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    if candidacy is not None and candidacy.person_id != person.pk:
        raise ServiceError("There is no such candidacy of yours.", field="candidacy")
    if not codes:
        return []
    if candidacy is None:
        raise ServiceError("Say which candidacy the criteria belong to.", field="candidacy")
    found = {
        c.code: c for c in Criterion.objects.filter(scheme_id=candidacy.scheme_id, code__in=codes)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        known = ", ".join(
            Criterion.objects.filter(scheme_id=candidacy.scheme_id).values_list("code", flat=True)
        )
        raise ServiceError(
            f"{candidacy.scheme.name} has no criterion {unknown[0]}. Its criteria: {known}.",
            field="criteria",
        )
    return [found[c] for c in dict.fromkeys(codes)]


def evidence_create(
    *,
    person: User,
    kind: str,
    title: str,
    date: dt.date,
    text: str = "",
    url: str = "",
    tags: str = "",
    hours=None,
    skills_areas=(),
    candidacy: Candidacy | None = None,
    criteria=(),
    upload=None,
    actor: User | None,
    is_draft: bool = False,
    booking: Booking | None = None,
) -> Evidence:
    """Add an entry to the person's log with the next number, E1…En.

    An upload is checked first (type by content, size, name) and refused with a code before
    anything is written; it is stored under a made-up name. If the entry then fails to save,
    the stored file is removed again, so a refusal never leaves a file behind.
    """
    checked: CheckedUpload | None = upload_check(upload) if upload is not None else None
    # Any kind may carry a file (feedback as a scanned letter, a photo of a flipchart).
    _clean_fields(kind=kind, title=title, date=date, url=url, has_file=checked is not None)
    hours = _clean_hours(hours)
    areas = _areas(skills_areas)
    criteria = _criteria(person, candidacy, criteria)
    stored_name = None
    storage = Evidence._meta.get_field("file").storage
    try:
        with transaction.atomic():
            evidence = Evidence(
                person=person,
                number=_next_number(person),
                kind=kind,
                title=title.strip(),
                date=date,
                text=text or "",
                url=url or "",
                tags=(tags or "")[:300],
                hours=hours,
                is_draft=is_draft,
                booking=booking,
                candidacy=candidacy,
            )
            if checked is not None:
                stored_name = storage.save(checked.stored_name(person.pk), checked.file)
                evidence.file.name = stored_name
                evidence.file_name = checked.display_name
                evidence.file_type = checked.content_type
                evidence.file_size = checked.size
            evidence.save()
            if areas:
                evidence.skills_areas.set(areas)
            if criteria:
                evidence.criteria.set(criteria)
            audit_record(actor=actor, action="evidence_created", subject=evidence, kind=kind)
            if not is_draft:
                _tell_mentors(person, evidence.created_at)
    except BaseException:
        if stored_name:
            storage.delete(stored_name)
        raise
    return evidence


def _tell_mentors(person: User, now) -> None:
    """Queue tomorrow morning's digest for each mentor a portfolio of this person is shared
    with (one row per shared portfolio per day, whatever is added in between)."""
    shares = MentorShare.objects.filter(
        candidacy__person=person,
        shared_at__isnull=False,
        candidacy__mentor_requests__status=MentorRequest.Status.ACCEPTED,
    ).values_list("pk", "candidacy__mentor_requests__mentor__user_id")
    due = messages.digest_due(now)
    for share_id, mentor_id in shares:
        outbox_schedule(
            kind=messages.EVIDENCE_DIGEST,
            about=MentorShare(pk=share_id),
            recipient=User(pk=mentor_id),
            due_at=due,
            key=f"{messages.EVIDENCE_DIGEST}:{share_id}:{mentor_id}:{due.date().isoformat()}",
            context={"until": due.isoformat()},
        )


def evidence_update(
    *,
    evidence: Evidence,
    actor: User | None,
    title: str | None = None,
    date: dt.date | None = None,
    text: str | None = None,
    url: str | None = None,
    tags: str | None = None,
    hours=None,
    skills_areas=None,
    criteria=None,
) -> Evidence:
    """Change an entry. A draft the person edits stops being a draft (and so is never
    withdrawn when the register changes); the change goes into the mentor's next digest."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if title is not None:
            evidence.title = title.strip()
        if date is not None:
            evidence.date = date
        if text is not None:
            evidence.text = text
        if url is not None:
            evidence.url = url
        if tags is not None:
            evidence.tags = tags[:300]
        if hours is not None:
            evidence.hours = _clean_hours(hours)
        _clean_fields(
            kind=evidence.kind,
            title=evidence.title,
            date=evidence.date,
            url=evidence.url,
            has_file=bool(evidence.file),
        )
        evidence.is_draft = False
        evidence.edited_at = timezone.now()
        evidence.save()
        # A completed draft or a changed entry is news for the mentor (the digest lists
        # entries by when they were last saved).
        _tell_mentors(evidence.person, evidence.updated_at)
        if skills_areas is not None:
            evidence.skills_areas.set(_areas(skills_areas))
        if criteria is not None:
            evidence.criteria.set(_criteria(evidence.person, evidence.candidacy, criteria))
        audit_record(actor=actor, action="evidence_updated", subject=evidence)
    return evidence


def evidence_delete(*, evidence: Evidence, actor: User | None) -> None:
    """Delete an entry and, once that has committed, its file. Its number is not reused."""
    storage = Evidence._meta.get_field("file").storage
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        name = evidence.file.name
        audit_record(
            actor=actor, action="evidence_deleted", subject=evidence, number=evidence.number
        )
        evidence.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def _session_hours(booking: Booking) -> Decimal:
    minutes = booking.session.duration_minutes
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def evidence_for_attendance(*, booking: Booking) -> Evidence | None:
    """Answer a mark on the register (training's on-commit `attendance_recorded`).

    Attended: a draft "session attended" entry with prompts, once per place. No-show: a
    draft the person never touched is withdrawn (deleted); one they edited stays theirs.
    """
    booking = Booking.objects.select_related("session__course", "person").get(pk=booking.pk)
    if booking.attendance == Booking.Attendance.ATTENDED:
        if Evidence.objects.filter(person=booking.person, booking=booking).exists():
            return None
        session = booking.session
        return evidence_create(
            person=booking.person,
            kind=Evidence.Kind.SESSION,
            title=session.course.title,
            date=timezone.localdate(session.starts_at),
            text=SESSION_PROMPTS,
            hours=_session_hours(booking),
            actor=None,
            is_draft=True,
            booking=booking,
        )
    if booking.attendance == Booking.Attendance.NO_SHOW:
        draft = Evidence.objects.filter(
            person=booking.person, booking=booking, is_draft=True, edited_at__isnull=True
        ).first()
        if draft is not None:
            evidence_delete(evidence=draft, actor=None)
    return None


def evidence_add_survey_answer(*, evidence: Evidence, lines, actor: User | None) -> Evidence:
    """ "Save as reflection": add the person's own follow-up survey answer (question and
    answer pairs, as read by surveys' selectors) to the entry's text."""
    block = "\n\n".join(f"**{question}**\n\n{answer}" for question, answer in lines if answer)
    if not block:
        raise ServiceError("That answer has nothing to add.", field="response")
    text = (evidence.text.rstrip() + "\n\n" if evidence.text.strip() else "") + block
    return evidence_update(evidence=evidence, actor=actor, text=text)
