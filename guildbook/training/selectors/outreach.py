"""Reads of the outreach log, for the people who keep it (trainers and staff development
officers: `roles.can_log_outreach`); anyone else gets a 404."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from guildbook.training.models import OutreachEntry, Session
from guildbook.training.roles import can_log_outreach


def _loaded(qs: QuerySet[OutreachEntry]) -> QuerySet[OutreachEntry]:
    return qs.select_related("team__department__organisation").prefetch_related(
        "went",
        "follow_ups",
        Prefetch("sessions", queryset=Session.objects.select_related("course")),
    )


def outreach_entries(user) -> QuerySet[OutreachEntry]:
    """The whole log, newest first, in a fixed number of queries however long it is."""
    if not can_log_outreach(user):
        raise Http404("Not found")
    return _loaded(OutreachEntry.objects.all())


def outreach_entry_for_user(user, *, pk: int) -> OutreachEntry:
    entry = outreach_entries(user).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such outreach entry")
    return entry


def outreach_in_period(*, date_from: date | None, date_to: date | None) -> list[OutreachEntry]:
    """Entries dated in the period (inclusive), for insights. Check who may see them first."""
    qs = OutreachEntry.objects.select_related("team")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return list(qs)
