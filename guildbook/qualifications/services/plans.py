"""The development plan: goals, planned activities (courses booked from the plan), the
mentor's comments and the mentor agreeing the plan."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.qualifications.models import (
    Candidacy,
    Criterion,
    DevelopmentPlan,
    Goal,
    MentorRequest,
    PlannedActivity,
)
from guildbook.qualifications.services.candidacies import _mark, _require_open


def _is_mentor(candidacy: Candidacy, actor) -> bool:
    return MentorRequest.objects.filter(
        candidacy=candidacy, mentor__user=actor, status=MentorRequest.Status.ACCEPTED
    ).exists()


def _criteria(candidacy: Candidacy, codes) -> list[Criterion]:
    codes = [c for c in (codes or []) if c]
    found = list(Criterion.objects.filter(scheme_id=candidacy.scheme_id, code__in=codes))
    unknown = set(codes) - {c.code for c in found}
    if unknown:
        raise ServiceError(
            f"{candidacy.scheme.name} has no criterion “{sorted(unknown)[0]}”.", field="criteria"
        )
    return found


def goal_save(
    *,
    candidacy: Candidacy,
    actor,
    what: str,
    measure: str = "",
    target_date: date | None = None,
    status: str = Goal.Status.PLANNED,
    criteria=(),
    goal: Goal | None = None,
    source: str = "",
) -> Goal:
    """Add a goal to the candidate's plan, or change one (the candidate only)."""
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate changes their goals.")
    what = (what or "").strip()
    if not what:
        raise ServiceError("Say what the goal is.", field="what")
    if status not in Goal.Status.values:
        raise ServiceError(f"Unknown status “{status}”.", field="status")
    linked = _criteria(candidacy, criteria)
    with transaction.atomic():
        _require_open(candidacy)
        plan = DevelopmentPlan.objects.get(candidacy=candidacy)
        if goal is None:
            goal = Goal(plan=plan, source=source[:100])
        elif goal.plan_id != plan.pk:
            raise NotAllowed("That goal belongs to another plan.")
        goal.what = what[:300]
        goal.measure = (measure or "").strip()
        goal.target_date = target_date
        goal.status = status
        goal.save()
        goal.criteria.set(linked)
        audit_record(actor=actor, action="goal_saved", subject=goal)
    return goal


def goal_comment(*, goal: Goal, actor, comment: str) -> Goal:
    """The mentor's comment on a goal (their current mentee's only)."""
    candidacy = goal.plan.candidacy
    if not _is_mentor(candidacy, actor):
        raise NotAllowed("Only the candidate's mentor comments on goals.")
    with transaction.atomic():
        goal.mentor_comment = (comment or "").strip()
        goal.save(update_fields=["mentor_comment", "updated_at"])
        audit_record(actor=actor, action="goal_commented", subject=goal)
    return goal


def activity_add(*, goal: Goal, actor, description: str = "", course=None) -> PlannedActivity:
    candidacy = goal.plan.candidacy
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate plans their activities.")
    description = (description or "").strip()
    if not description and course is None:
        raise ServiceError("Describe the activity or choose a course.", field="description")
    with transaction.atomic():
        activity = PlannedActivity.objects.create(
            goal=goal, description=description[:300], course=course
        )
        audit_record(actor=actor, action="activity_planned", subject=activity)
    return activity


def activity_book(*, activity: PlannedActivity, session, actor) -> PlannedActivity:
    """Book the candidate onto a session of the activity's course, through training's
    booking service (a place, or the waiting list when full), and keep the booking on the
    activity. Training's refusals (closed, already booked) pass through unchanged."""
    from guildbook.training import services as training_services

    candidacy = activity.goal.plan.candidacy
    if actor.pk != candidacy.person_id:
        raise NotAllowed("Only the candidate books from their plan.")
    if activity.course_id is None or session.course_id != activity.course_id:
        raise ServiceError("Choose a session of this activity's course.", field="session")
    with transaction.atomic():
        booking = training_services.booking_create(
            session=session, person=candidacy.person, actor=actor
        )
        activity.booking = booking
        activity.save(update_fields=["booking"])
        audit_record(actor=actor, action="activity_booked", subject=activity, booking=booking.pk)
    return activity


def plan_agree(*, candidacy: Candidacy, actor) -> DevelopmentPlan:
    """The mentor marks the plan agreed (it needs a goal); the journey's plan step is done."""
    if not _is_mentor(candidacy, actor):
        raise NotAllowed("Only the candidate's mentor agrees the plan.")
    with transaction.atomic():
        plan = DevelopmentPlan.objects.select_for_update().get(candidacy=candidacy)
        _require_open(candidacy)
        if not plan.goals.exists():
            raise ServiceError("A plan needs at least one goal to be agreed.", field="plan")
        plan.agreed_at = timezone.now()
        plan.agreed_by = actor
        plan.save(update_fields=["agreed_at", "agreed_by", "updated_at"])
        _mark(candidacy, "plan", actor)
        audit_record(actor=actor, action="plan_agreed", subject=plan)
    return plan
