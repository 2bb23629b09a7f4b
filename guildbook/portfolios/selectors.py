"""Every read of portfolios for a given person, with who-may-see-what applied here.

Evidence is its owner's. Anyone else asking for an entry gets `Http404`, as if it did not
exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from guildbook.portfolios.models import Evidence


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


def cpd_hours(person, *, since=None, until=None) -> Decimal:
    """Hours of CPD the person has logged (attended sessions are logged as session
    evidence with the session's hours), optionally between two dates."""
    entries = Evidence.objects.filter(person=person, hours__isnull=False)
    if since is not None:
        entries = entries.filter(date__gte=since)
    if until is not None:
        entries = entries.filter(date__lte=until)
    return entries.aggregate(total=Sum("hours"))["total"] or Decimal("0")
