"""Every read of portfolios for a given person, with who-may-see-what applied here.

Evidence is its owner's. Anyone else asking for an entry gets `Http404`, as if it did not
exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404

from guildbook.portfolios.models import (
    CourseSkillsArea,
    Evidence,
    PortfolioExport,
    SkillsAudit,
    SkillsRating,
    StatementComment,
    StatementDraft,
)
from guildbook.portfolios.text import references
from guildbook.qualifications.models import Candidacy, MentorRequest
from guildbook.training.models import Course


def evidence_of(person) -> QuerySet[Evidence]:
    """The person's own log, newest first, with what the list shows loaded."""
    return (
        Evidence.objects.filter(person=person)
        .prefetch_related("skills_areas")
        .order_by("-date", "-number")
    )


def evidence_log(person, *, kind: str = "", query: str = "", tag: str = "") -> QuerySet[Evidence]:
    entries = evidence_of(person)
    if kind:
        entries = entries.filter(kind=kind)
    if tag:
        entries = entries.filter(tags__icontains=tag)
    if query:
        entries = entries.filter(Q(title__icontains=query) | Q(text__icontains=query))
    return entries


def evidence_for_user(user, *, pk: int) -> Evidence:
    """One entry, for its owner only; 404 for everyone else."""
    if not user.is_authenticated:
        raise Http404
    try:
        return evidence_of(user).select_related("booking__session__course").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def evidence_by_numbers(person, numbers) -> dict[int, Evidence]:
    return {e.number: e for e in Evidence.objects.filter(person=person, number__in=numbers)}


def cpd_entries(person, *, since=None, until=None) -> QuerySet[Evidence]:
    """The person's entries that carry CPD hours (attended sessions are logged as session
    evidence with the session's hours), optionally between two dates, oldest first."""
    entries = Evidence.objects.filter(person=person, hours__isnull=False)
    if since is not None:
        entries = entries.filter(date__gte=since)
    if until is not None:
        entries = entries.filter(date__lte=until)
    return entries.order_by("date", "number")


def cpd_hours(person, *, since=None, until=None) -> Decimal:
    """Hours of CPD the person has logged, optionally between two dates."""
    total = cpd_entries(person, since=since, until=until).order_by().aggregate(total=Sum("hours"))
    return total["total"] or Decimal("0")


# --- Skills audits ----------------------------------------------------------------------


def audits_of(person, framework) -> list[SkillsAudit]:
    """The person's audits of one framework, oldest first, with their ratings."""
    return list(
        SkillsAudit.objects.filter(person=person, framework=framework)
        .prefetch_related(
            Prefetch("ratings", queryset=SkillsRating.objects.select_related("evidence"))
        )
        .order_by("taken_on", "id")
    )


def _audits_with_ratings() -> QuerySet[SkillsAudit]:
    """Audits with their ratings in the framework's order (area and evidence loaded)."""
    return SkillsAudit.objects.select_related("framework").prefetch_related(
        Prefetch(
            "ratings",
            queryset=SkillsRating.objects.select_related("area", "evidence").order_by(
                "area__position", "area_id"
            ),
        )
    )


def audit_for_user(user, *, pk: int) -> SkillsAudit:
    """One of the user's own audits; 404 for everyone else."""
    if not user.is_authenticated:
        raise Http404
    audit = _audits_with_ratings().filter(pk=pk, person=user).first()
    if audit is None:
        raise Http404
    return audit


def rating_for_user(user, *, pk: int) -> SkillsRating:
    rating = (
        SkillsRating.objects.select_related("audit__framework", "area")
        .filter(pk=pk, audit__person=user)
        .first()
        if user.is_authenticated
        else None
    )
    if rating is None:
        raise Http404
    return rating


def audit_grid(person, framework) -> tuple[list[SkillsAudit], list[tuple]]:
    """Audits side by side: (audits, rows) where each row is (area, [rating or None per
    audit]). Three queries whatever the number of audits or areas."""
    audits = audits_of(person, framework)
    areas = list(framework.areas.all())
    by_audit = [{r.area_id: r for r in a.ratings.all()} for a in audits]
    rows = [(area, [ratings.get(area.pk) for ratings in by_audit]) for area in areas]
    return audits, rows


def courses_for_areas(area_ids) -> dict[int, list]:
    """Catalogue courses tagged with each area (active ones), by area id."""
    out: dict[int, list] = {}
    links = CourseSkillsArea.objects.filter(
        area_id__in=area_ids, course__status=Course.Status.ACTIVE
    ).select_related("course")
    for link in links.order_by("course__title"):
        out.setdefault(link.area_id, []).append(link.course)
    return out


# --- Candidacies' portfolios: the candidate, and the mentor once shared -------------------


def portfolio_for_user(user, *, pk: int) -> tuple[Candidacy, bool]:
    """A candidacy whose portfolio the user may read: (candidacy, is_candidate). The
    candidate always; their current mentor while the candidate shares it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    candidacy = (
        Candidacy.objects.select_related("person", "scheme")
        .filter(pk=pk)
        .filter(
            Q(person=user)
            | Q(
                mentor_requests__mentor__user=user,
                mentor_requests__status=MentorRequest.Status.ACCEPTED,
                mentor_share__shared_at__isnull=False,
            )
        )
        .first()
    )
    if candidacy is None:
        raise Http404
    return candidacy, candidacy.person_id == user.pk


def mentee_audit(candidacy: Candidacy, *, pk: int) -> SkillsAudit:
    """One of the candidate's audits, with its ratings, for the mentor's page; 404 if it is
    not theirs."""
    audit = _audits_with_ratings().filter(pk=pk, person_id=candidacy.person_id).first()
    if audit is None:
        raise Http404
    return audit


def statement_drafts(candidacy) -> list[StatementDraft]:
    """Every draft, newest first, with the mentor's comments."""
    return list(
        StatementDraft.objects.filter(candidacy=candidacy)
        .select_related("author")
        .prefetch_related(
            Prefetch("comments", queryset=StatementComment.objects.select_related("author"))
        )
        .order_by("-version")
    )


def citations(evidence: Evidence) -> list[StatementDraft]:
    """The latest statement draft of each of the person's candidacies that cites this
    evidence ([En])."""
    newest = (
        StatementDraft.objects.filter(candidacy=OuterRef("candidacy"))
        .order_by("-version")
        .values("version")[:1]
    )
    drafts = (
        StatementDraft.objects.filter(
            candidacy__person_id=evidence.person_id, version=Subquery(newest)
        )
        .select_related("candidacy__scheme")
        .order_by("candidacy_id")
    )
    return [d for d in drafts if evidence.number in references(d.text)]


def export_for_user(user, *, pk: int) -> PortfolioExport:
    """One of the user's own exports; 404 for everyone else."""
    export = (
        PortfolioExport.objects.select_related("candidacy__scheme")
        .filter(pk=pk, person=user)
        .first()
        if user.is_authenticated
        else None
    )
    if export is None:
        raise Http404
    return export
