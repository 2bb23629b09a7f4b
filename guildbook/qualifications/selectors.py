"""Every read of qualifications for a given person, with the app's object-level rules.

Who may see a candidacy (the one place these rules live):
- the candidate, always;
- a mentor, once a mentor request for it has been sent to them (whatever became of it);
- a staff development officer (or an administrator), only while the candidacy has a
  funding request;
- nobody else: the candidacy does not exist for them (404).

Who may change it: the candidate (journey, plan, requests, funding) and the mentor whose
request was accepted and not ended (meetings, actions, plan comments, agreeing the plan, the
completion form). Pages load what they show in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from guildbook.qualifications import roles
from guildbook.qualifications.models import (
    Action,
    Candidacy,
    CandidacyStep,
    DevelopmentPlan,
    FundingRequest,
    Goal,
    JourneyStep,
    Meeting,
    MentorProfile,
    MentorRequest,
    PlannedActivity,
    Reading,
    Scheme,
)

# --- Schemes ------------------------------------------------------------------------------


def schemes_open() -> QuerySet[Scheme]:
    """Every scheme version a person may enrol on, with its criteria and sections."""
    return Scheme.objects.filter(open=True).prefetch_related("criteria", "sections")


def scheme_get(*, slug: str) -> Scheme:
    scheme = (
        Scheme.objects.filter(slug=slug)
        .prefetch_related("criteria", "sections", "steps", "reading")
        .first()
    )
    if scheme is None:
        raise Http404("No such scheme")
    return scheme


@dataclass
class ReadingItem:
    reading: Reading
    catalogue_url: str
    course: object | None


def reading_for(scheme: Scheme) -> list[ReadingItem]:
    """The scheme's reading with the catalogue link (from the service's address pattern) and
    the course the library runs on it, if it does (one query for the courses)."""
    from urllib.parse import quote_plus

    from guildbook.training.models import Course

    items = list(scheme.reading.all())
    slugs = {r.course_slug for r in items if r.course_slug}
    courses = (
        {
            c.slug: c
            for c in Course.objects.filter(slug__in=slugs, status="active").exclude(
                visibility="closed"
            )
        }
        if slugs
        else {}
    )
    pattern = settings.QUALIFICATIONS_CATALOGUE_URL
    return [
        ReadingItem(
            reading=r,
            catalogue_url=(
                r.url or (pattern.replace("{id}", quote_plus(r.catalogue_id)) if pattern else "")
                if r.catalogue_id or r.url
                else ""
            ),
            course=courses.get(r.course_slug),
        )
        for r in items
    ]


# --- Candidacies --------------------------------------------------------------------------


def _mentor_sent(user) -> Exists:
    return Exists(MentorRequest.objects.filter(candidacy=OuterRef("pk"), mentor__user=user))


def _has_funding() -> Exists:
    return Exists(FundingRequest.objects.filter(candidacy=OuterRef("pk")))


def candidacies_visible_to(user) -> QuerySet[Candidacy]:
    if not user.is_authenticated:
        return Candidacy.objects.none()
    rule = Q(person=user) | Q(_mentor_sent(user))
    if roles.can_decide_funding(user):
        rule |= Q(_has_funding())
    return Candidacy.objects.filter(rule)


def candidacy_for_user(user, *, pk: int) -> Candidacy:
    candidacy = (
        candidacies_visible_to(user).select_related("person", "scheme").filter(pk=pk).first()
    )
    if candidacy is None:
        raise Http404("No such candidacy")
    return candidacy


def candidacy_own(user, *, pk: int) -> Candidacy:
    """A candidacy the user is the candidate of (for the candidate's own changes)."""
    if not user.is_authenticated:
        raise Http404("No such candidacy")
    candidacy = (
        Candidacy.objects.select_related("person", "scheme").filter(pk=pk, person=user).first()
    )
    if candidacy is None:
        raise Http404("No such candidacy")
    return candidacy


def active_mentoring(candidacy: Candidacy) -> MentorRequest | None:
    return (
        MentorRequest.objects.select_related("mentor__user")
        .filter(candidacy=candidacy, status=MentorRequest.Status.ACCEPTED)
        .first()
    )


def candidacy_as_mentor(user, *, pk: int) -> tuple[Candidacy, MentorRequest]:
    """A candidacy the user mentors now (accepted, not ended), for the mentor's changes."""
    if not user.is_authenticated:
        raise Http404("No such candidacy")
    mentoring = (
        MentorRequest.objects.select_related("candidacy__person", "candidacy__scheme", "mentor")
        .filter(candidacy_id=pk, mentor__user=user, status=MentorRequest.Status.ACCEPTED)
        .first()
    )
    if mentoring is None:
        raise Http404("No such candidacy")
    return mentoring.candidacy, mentoring


def my_candidacies(user) -> list[Candidacy]:
    """The dashboard: every candidacy of the person, newest first, with what its journey
    needs, in a fixed number of queries."""
    candidacies = list(
        Candidacy.objects.filter(person=user)
        .select_related("scheme")
        .prefetch_related(
            Prefetch("scheme__steps", queryset=JourneyStep.objects.order_by("order", "id")),
            Prefetch("done_steps", queryset=CandidacyStep.objects.all()),
            Prefetch(
                "mentor_requests",
                queryset=MentorRequest.objects.filter(status="accepted").select_related(
                    "mentor__user"
                ),
                to_attr="active_mentor_requests",
            ),
        )
    )
    today = timezone.localdate()
    for c in candidacies:
        c.journey = journey(c, today=today)
        c.mentor_now = c.active_mentor_requests[0] if c.active_mentor_requests else None
    return candidacies


@dataclass
class StepState:
    code: str
    title: str
    guidance: str
    status: str  # "todo", "done" or "overdue"
    due: date | None
    done_at: datetime | None


@dataclass
class Journey:
    steps: list[StepState]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.status == "done")

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else 0

    @property
    def next_step(self) -> StepState | None:
        return next((s for s in self.steps if s.status != "done"), None)

    @property
    def overdue(self) -> list[StepState]:
        return [s for s in self.steps if s.status == "overdue"]


def step_due(candidacy: Candidacy, step: JourneyStep) -> date:
    span = (candidacy.target_date - candidacy.started_on).days
    return candidacy.started_on + timedelta(days=round(span * step.due_share / 100))


def journey(candidacy: Candidacy, *, today: date | None = None) -> Journey:
    """The candidacy's steps with due dates and status. Reads `scheme.steps` and
    `done_steps` (prefetch them for lists). A closed candidacy has nothing overdue."""
    today = today or timezone.localdate()
    done = {d.step_id: d for d in candidacy.done_steps.all()}
    states = []
    for step in sorted(candidacy.scheme.steps.all(), key=lambda s: (s.order, s.id)):
        due = step_due(candidacy, step)
        mark = done.get(step.id)
        if mark is not None:
            status = "done"
        elif candidacy.is_open and due < today:
            status = "overdue"
        else:
            status = "todo"
        states.append(
            StepState(
                code=step.code,
                title=step.title,
                guidance=step.guidance,
                status=status,
                due=due,
                done_at=mark.done_at if mark else None,
            )
        )
    return Journey(steps=states)


def candidacy_page(candidacy: Candidacy) -> dict:
    """Everything the candidacy page shows, in a fixed number of queries."""
    candidacy = (
        Candidacy.objects.select_related("person", "scheme")
        .prefetch_related("scheme__steps", "done_steps", "scheme__criteria")
        .get(pk=candidacy.pk)
    )
    plan = DevelopmentPlan.objects.select_related("agreed_by").get(candidacy=candidacy)
    goals = list(
        Goal.objects.filter(plan=plan)
        .prefetch_related(
            "criteria",
            Prefetch(
                "activities",
                queryset=PlannedActivity.objects.select_related(
                    "course", "booking__session"
                ).order_by("id"),
            ),
        )
        .order_by("target_date", "id")
    )
    requests = list(
        MentorRequest.objects.filter(candidacy=candidacy)
        .select_related("mentor__user")
        .order_by("-created_at", "-id")
    )
    meetings = list(
        Meeting.objects.filter(candidacy=candidacy)
        .select_related("mentor__user")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("due_on", "id")))
        .order_by("-held_on", "-id")
    )
    funding = list(
        FundingRequest.objects.filter(candidacy=candidacy)
        .select_related("decided_by")
        .order_by("-created_at", "-id")
    )
    return {
        "candidacy": candidacy,
        "journey": journey(candidacy),
        "plan": plan,
        "goals": goals,
        "requests": requests,
        "mentoring": next((r for r in requests if r.status == "accepted"), None),
        "meetings": meetings,
        "funding": funding,
    }


# --- Mentors ------------------------------------------------------------------------------


def mentor_directory(
    *,
    sector: str = "",
    region: str = "",
    remote: bool | None = None,
    specialism: str = "",
    exclude_user=None,
) -> QuerySet[MentorProfile]:
    """Listed mentors with places left; filters match whole values, ignoring case."""
    qs = (
        MentorProfile.objects.filter(listed=True, mentees__lt=F("capacity"), user__is_active=True)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    if sector:
        qs = qs.filter(sector__iexact=sector.strip())
    if region:
        qs = qs.filter(region__iexact=region.strip())
    if remote is not None:
        qs = qs.filter(remote=remote)
    if specialism:
        qs = qs.filter(specialisms_key__contains="|" + specialism.strip().lower() + "|")
    if exclude_user is not None and exclude_user.is_authenticated:
        qs = qs.exclude(user=exclude_user)
    return qs


def directory_choices() -> dict[str, list[str]]:
    """The values the directory's filters offer (two queries)."""
    listed = MentorProfile.objects.filter(listed=True)
    specialisms: set[str] = set()
    for values in listed.values_list("specialisms", flat=True):
        specialisms.update(v for v in values if v)
    return {
        "sectors": sorted({s for s in listed.values_list("sector", flat=True) if s}),
        "regions": sorted({r for r in listed.values_list("region", flat=True) if r}),
        "specialisms": sorted(specialisms, key=str.lower),
    }


def mentor_profile_of(user) -> MentorProfile | None:
    if not user.is_authenticated:
        return None
    return MentorProfile.objects.filter(user=user).select_related("user").first()


def mentor_listed(*, pk: int) -> MentorProfile:
    profile = MentorProfile.objects.select_related("user").filter(pk=pk, listed=True).first()
    if profile is None:
        raise Http404("No such mentor")
    return profile


def mentor_home(profile: MentorProfile) -> dict:
    """The mentor's page: requests to answer, people mentored now and before."""
    requests = list(
        MentorRequest.objects.filter(mentor=profile)
        .select_related("candidacy__person", "candidacy__scheme")
        .order_by("-created_at", "-id")
    )
    return {
        "pending": [r for r in requests if r.status == "pending"],
        "current": [r for r in requests if r.status == "accepted"],
        "past": [r for r in requests if r.status in ("ended", "declined", "withdrawn")],
    }


def request_for_mentor(user, *, pk: int) -> MentorRequest:
    """A request sent to this user as mentor; anyone else's answers 404."""
    if not user.is_authenticated:
        raise Http404("No such request")
    request = (
        MentorRequest.objects.select_related("candidacy__person", "candidacy__scheme", "mentor")
        .filter(pk=pk, mentor__user=user)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


def request_of_candidate(user, *, pk: int) -> MentorRequest:
    if not user.is_authenticated:
        raise Http404("No such request")
    request = (
        MentorRequest.objects.select_related("candidacy", "mentor__user")
        .filter(pk=pk, candidacy__person=user)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


def mentor_digest_items(profile: MentorProfile, *, until: date) -> dict[str, list]:
    requests = list(
        MentorRequest.objects.filter(mentor=profile, status="pending").select_related(
            "candidacy__person", "candidacy__scheme"
        )
    )
    actions = list(
        Action.objects.filter(
            candidacy__mentor_requests__mentor=profile,
            candidacy__mentor_requests__status="accepted",
            candidacy__status__in=Candidacy.OPEN_STATUSES,
            done_at__isnull=True,
            due_on__isnull=False,
            due_on__lte=until,
        )
        .select_related("candidacy__person")
        .order_by("due_on", "id")
    )
    return {"requests": requests, "actions": actions}


def completion_prefill(candidacy: Candidacy, profile: MentorProfile) -> dict:
    """What the mentor's completion form starts from: the meetings log in figures and words."""
    meetings = list(
        Meeting.objects.filter(candidacy=candidacy, mentor=profile)
        .prefetch_related("actions")
        .order_by("held_on", "id")
    )
    lines = []
    for m in meetings:
        done = sum(1 for a in m.actions.all() if a.done_at)
        total = len(m.actions.all())
        line = f"{m.held_on:%-d %B %Y}: {m.notes.strip().splitlines()[0] if m.notes else ''}"
        if total:
            line += f" ({done} of {total} actions done)"
        lines.append(line.strip())
    return {
        "meetings_count": len(meetings),
        "first_meeting_on": meetings[0].held_on if meetings else None,
        "last_meeting_on": meetings[-1].held_on if meetings else None,
        "summary": "\n".join(lines),
    }


# --- Funding ------------------------------------------------------------------------------


def funding_queue(user, *, status: str = "requested") -> QuerySet[FundingRequest]:
    """Staff development officers' queue (everyone else sees nothing)."""
    if not roles.can_decide_funding(user):
        return FundingRequest.objects.none()
    qs = FundingRequest.objects.select_related(
        "candidacy__person", "candidacy__scheme", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def funding_for_officer(user, *, pk: int) -> FundingRequest:
    funding = funding_queue(user, status="").filter(pk=pk).first()
    if funding is None:
        raise Http404("No such funding request")
    return funding


@dataclass
class TeamFunding:
    team: str
    requested: int
    approved: int
    paid: int
    count: int


def funding_report(user, *, year: int) -> list[TeamFunding]:
    """Money requested, approved and paid in a calendar year, per team, in pence (one
    query). Approved counts what was approved (and later paid)."""
    if not roles.can_decide_funding(user):
        return []
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    rows = (
        FundingRequest.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("team")
        .annotate(
            count=Count("id"),
            requested=Sum("amount"),
            approved=Sum("amount", filter=Q(status__in=["approved", "paid"])),
            paid=Sum("amount", filter=Q(status="paid")),
        )
        .order_by("team")
    )
    return [
        TeamFunding(
            team=r["team"] or "(no team)",
            requested=r["requested"] or 0,
            approved=r["approved"] or 0,
            paid=r["paid"] or 0,
            count=r["count"],
        )
        for r in rows
    ]


def pounds(pence: int | None) -> str:
    value = Decimal(pence or 0) / 100
    return f"£{value:,.2f}".replace(".00", "")
