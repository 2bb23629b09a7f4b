"""Results across courses over a period: one summary per survey moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from guildbook.surveys import anonymity
from guildbook.surveys.models import Answer, Response
from guildbook.surveys.selectors.figures import Rate
from guildbook.surveys.selectors.scope import due_invitations, session_scope

# --- Results across courses (a period) ----------------------------------------------------


@dataclass
class MomentSummary:
    moment_id: int
    moment_name: str
    days_after: int
    anonymous: bool
    course_id: int
    course_title: str
    course_slug: str
    invitations: int
    responses: int
    impact: Rate
    # The sessions' dates counted (an anonymous survey's are widened to whole quarters).
    date_from: date | None = None
    date_to: date | None = None

    @property
    def response_rate(self) -> Rate:
        return Rate(self.responses, self.invitations)


def results_overview(
    *, date_from: date | None = None, date_to: date | None = None, now: datetime | None = None
) -> list[MomentSummary]:
    """Every moment with sent invitations for sessions in the period: its invitations,
    responses and impact rate. Three queries whatever the number of courses or answers.
    Anonymous surveys count whole quarters, and their impact rate only released cells."""
    scope = {"course": None, "session": None, "date_from": date_from, "date_to": date_to}
    snapped_from, snapped_to = anonymity.snap(date_from, date_to)
    snapped = {**scope, "date_from": snapped_from, "date_to": snapped_to}

    def in_scope(prefix: str) -> Q:
        anonymous = Q(**{f"{prefix}moment__anonymous": True})
        return (~anonymous & session_scope(prefix, **scope)) | (
            anonymous & session_scope(prefix, **snapped)
        )

    rows = (
        due_invitations(now=now)
        .filter(in_scope(""))
        .values(
            "moment_id",
            "moment__name",
            "moment__days_after",
            "moment__closes_after_days",
            "moment__anonymous",
            "moment__course_id",
            "moment__course__title",
            "moment__course__slug",
        )
        .annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by("moment__course__title", "-moment__days_after", "moment_id")
    )
    # Anonymous moments' cells: their responses per session start, in whole quarters.
    cells: dict[int, list] = defaultdict(list)
    for r in (
        Response.objects.filter(session_scope("", **snapped), moment__anonymous=True)
        .values("moment_id", "session__starts_at")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells[r["moment_id"]].append((r["session__starts_at"], r["n"]))
    today = timezone.localdate(now) if now else None
    windows = {
        r["moment_id"]: r["moment__days_after"] + r["moment__closes_after_days"] for r in rows
    }
    releases = {
        m: anonymity.release(counts, window=windows.get(m, 0), today=today)
        for m, counts in cells.items()
    }
    impact: dict[int, Rate] = {}
    for r in (
        Answer.objects.filter(
            in_scope("response__"), question__is_impact=True, choice__isnull=False
        )
        .values(
            "response__moment_id", "response__moment__anonymous", "response__session__starts_at"
        )
        .annotate(n=Count("id"), yes=Count("id", filter=Q(choice__counts_as_impact=True)))
        .order_by()
    ):
        moment_id = r["response__moment_id"]
        if r["response__moment__anonymous"]:
            release = releases.get(moment_id)
            if release is None or not release.allows(r["response__session__starts_at"]):
                continue
        rate = impact.get(moment_id, Rate(0, 0))
        impact[moment_id] = Rate(rate.count + r["yes"], rate.total + r["n"])
    out = []
    for r in rows:
        rate = impact.get(r["moment_id"], Rate(0, 0))
        dates = (snapped_from, snapped_to) if r["moment__anonymous"] else (date_from, date_to)
        out.append(
            MomentSummary(
                moment_id=r["moment_id"],
                moment_name=r["moment__name"],
                days_after=r["moment__days_after"],
                anonymous=r["moment__anonymous"],
                course_id=r["moment__course_id"],
                course_title=r["moment__course__title"],
                course_slug=r["moment__course__slug"],
                invitations=r["n"],
                responses=r["answered"],
                impact=rate,
                date_from=dates[0],
                date_to=dates[1],
            )
        )
    return out
