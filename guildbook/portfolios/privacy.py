"""The portfolios app's part of a person's data: their evidence log (with its files), skills
audits, statement drafts and portfolio exports.

A portfolio is the person's own writing, so erasure removes it rather than passing it to the
stand-in: evidence, audits, statement drafts, shares, assessor links and exports are deleted,
and their stored files (evidence uploads, built PDFs and ZIPs) are removed from the private
storage once the erasure has committed. Their name and address are removed from other
people's portfolios. The candidacy itself passes to the stand-in with the qualifications app.
"""

from django.db import transaction
from django.utils.text import get_valid_filename

from guildbook.core import privacy
from guildbook.portfolios.models import (
    AssessorLink,
    Evidence,
    EvidenceLog,
    MentorShare,
    PortfolioExport,
    SectionFile,
    SkillsAudit,
    SkillsRating,
    StatementComment,
    StatementDraft,
)


def _archive_name(evidence: Evidence) -> str:
    """The file's name in "Your data": its number and the name it was uploaded as."""
    uploaded = evidence.file_name or evidence.file.name.rsplit("/", 1)[-1]
    return f"{evidence.label}-{get_valid_filename(uploaded) or 'file'}"


def _evidence_files(person):
    for e in Evidence.objects.filter(person=person).exclude(file="").order_by("number"):
        yield _archive_name(e), e.file.open


def _evidence_rows(person):
    # Each file is listed by the name it was uploaded as, and copied into the archive under
    # files/evidence/.
    return [
        {
            "number": e.label,
            "kind": e.kind,
            "date": e.date,
            "title": e.title,
            "text": e.text,
            "url": e.url,
            "tags": e.tags,
            "hours": str(e.hours) if e.hours is not None else None,
            "skills_areas": ", ".join(a.name for a in e.skills_areas.all()),
            "candidacy": e.candidacy.scheme.name if e.candidacy_id else None,
            "criteria": ", ".join(c.code for c in e.criteria.all()),
            "draft": e.is_draft,
            "file_name": e.file_name or None,
            "file_type": e.file_type or None,
            "file_size": e.file_size,
            "file_in_archive": f"files/evidence/{_archive_name(e)}" if e.file else None,
            "created": e.created_at,
            "edited": e.edited_at,
        }
        for e in Evidence.objects.filter(person=person)
        .select_related("candidacy__scheme")
        .prefetch_related("skills_areas", "criteria")
        .order_by("number")
    ]


def _audit_rows(person):
    ratings = (
        SkillsRating.objects.filter(audit__person=person)
        .select_related("audit__framework", "area", "evidence")
        .order_by("audit__taken_on", "audit_id", "area__position")
    )
    return [
        {
            "audit": r.audit.name,
            "taken": r.audit.taken_on,
            "framework": str(r.audit.framework),
            "area": f"{r.area.code} {r.area.name}",
            "current": r.current,
            "target": r.target,
            "justification": r.justification,
            "evidence": r.evidence.label if r.evidence_id else None,
            "mentor_rating": r.mentor_rating,
            "mentor_comment": r.mentor_comment,
        }
        for r in ratings
    ]


def _statement_rows(person):
    drafts = (
        StatementDraft.objects.filter(candidacy__person=person)
        .select_related("candidacy__scheme")
        .prefetch_related("comments")
        .order_by("candidacy_id", "version")
    )
    return [
        {
            "candidacy": d.candidacy.scheme.name,
            "version": d.version,
            "saved": d.saved_at,
            "words": d.words,
            "text": d.text,
            "mentor_comments": [c.text for c in d.comments.all()],
        }
        for d in drafts
    ]


def _export_rows(person):
    return [
        {
            "kind": x.kind,
            "candidacy": x.candidacy.scheme.name if x.candidacy_id else None,
            "status": x.status,
            "requested": x.requested_at,
            "finished": x.finished_at,
            "pages": x.pages,
            "file": x.file.name.rsplit("/", 1)[-1] if x.file else None,
        }
        for x in PortfolioExport.objects.filter(person=person).select_related("candidacy__scheme")
    ]


def _erase_portfolios(*, person, stand_in, actor):
    """Delete the person's portfolio rows; once committed, their stored files."""
    needles = privacy.needles_for(person)
    evidence = Evidence.objects.filter(person=person)
    exports = PortfolioExport.objects.filter(person=person)
    stored = [
        *(name for name in evidence.values_list("file", flat=True) if name),
        *(name for name in exports.values_list("file", flat=True) if name),
    ]
    mine = {"candidacy__person": person}
    counts = {
        "section_files": SectionFile.objects.filter(**mine).delete()[0],
        "statement_drafts": StatementDraft.objects.filter(**mine).delete()[0],
        "mentor_shares": MentorShare.objects.filter(**mine).delete()[0],
        "assessor_links": AssessorLink.objects.filter(**mine).delete()[0],
        "exports": exports.delete()[0],
        "skills_audits": SkillsAudit.objects.filter(person=person).delete()[0],
        "evidence": evidence.delete()[0],
        "evidence_log": EvidenceLog.objects.filter(person=person).delete()[0],
    }
    # Their name in other people's portfolios (a mentor's comments, a colleague's diary).
    for model, fields in (
        (Evidence, ["title", "text", "tags"]),
        (SkillsRating, ["justification", "mentor_comment"]),
        (StatementDraft, ["text"]),
        (StatementComment, ["text"]),
        (AssessorLink, ["label"]),
    ):
        counts[f"named_in_{model._meta.model_name}"] = privacy.scrub_rows(
            model.objects.all(), fields, needles, stand_in.name
        )
    storage = Evidence._meta.get_field("file").storage
    counts["files"] = len(stored)

    def delete_files():
        for name in stored:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return counts


def _active_since(moment):
    """People who added to or changed their portfolio since `moment`: their accounts are in
    use even if they have not booked anything."""
    from django.db.models import Q

    evidence = Evidence.objects.filter(Q(created_at__gte=moment) | Q(updated_at__gte=moment))
    audits = SkillsAudit.objects.filter(updated_at__gte=moment)
    statements = StatementDraft.objects.filter(saved_at__gte=moment)
    return {
        *evidence.values_list("person_id", flat=True),
        *audits.values_list("person_id", flat=True),
        *statements.values_list("candidacy__person_id", flat=True),
    }


def register() -> None:
    privacy.register_exporter("evidence", "Your evidence log", _evidence_rows)
    privacy.register_exporter("skills_audits", "Your skills audits and ratings", _audit_rows)
    privacy.register_exporter("statement_drafts", "Your statement drafts", _statement_rows)
    privacy.register_exporter("portfolio_exports", "Your portfolio exports", _export_rows)
    privacy.register_files("evidence", _evidence_files)
    privacy.register_eraser("portfolios", _erase_portfolios)
    privacy.register_activity(_active_since)
