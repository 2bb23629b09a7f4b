"""Writing skills audits: starting one, rating an area now and as a target (with a reason
for each change), the mentor's own rating, tagging courses with areas, and turning a gap
into a goal of the development plan."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from guildbook.accounts.models import User
from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios.frameworks import SCALE
from guildbook.portfolios.models import (
    CourseSkillsArea,
    Evidence,
    SkillsArea,
    SkillsAudit,
    SkillsFramework,
    SkillsRating,
)
from guildbook.qualifications.models import Candidacy, Goal, MentorRequest
from guildbook.training.models import Course


def _check_value(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"Rate from 0 to {SCALE - 1}.", field=field) from None
    if not 0 <= value < SCALE:
        raise ServiceError(f"Rate from 0 to {SCALE - 1}.", field=field)
    return value


def audit_start(
    *, person: User, framework: SkillsFramework, name: str, taken_on: dt.date, actor
) -> SkillsAudit:
    """A new audit of every area of the framework. Ratings start from the person's latest
    audit of the same framework, so the change since then is what they record."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Name the audit, for example “Start”.", field="name")
    with transaction.atomic():
        previous = (
            SkillsAudit.objects.filter(person=person, framework=framework)
            .order_by("-taken_on", "-id")
            .first()
        )
        carried = {r.area_id: r for r in previous.ratings.all()} if previous is not None else {}
        audit = SkillsAudit.objects.create(
            person=person, framework=framework, name=name[:80], taken_on=taken_on
        )
        SkillsRating.objects.bulk_create(
            SkillsRating(
                audit=audit,
                area=area,
                current=getattr(carried.get(area.pk), "current", None),
                target=getattr(carried.get(area.pk), "target", None),
            )
            for area in framework.areas.all()
        )
        audit_record(actor=actor, action="skills_audit_started", subject=audit, name=name)
    return audit


def rating_set(
    *,
    rating: SkillsRating,
    actor: User,
    current=None,
    target=None,
    justification: str = "",
    evidence: Evidence | None = None,
) -> SkillsRating:
    """The person's own rating of one area. A change to a rating already given needs a short
    justification; it may point at a piece of the person's own evidence."""
    current = _check_value(current, "current")
    target = _check_value(target, "target")
    justification = (justification or "").strip()
    with transaction.atomic():
        rating = (
            SkillsRating.objects.select_for_update()
            .select_related("audit", "area")
            .get(pk=rating.pk)
        )
        if rating.audit.person_id != actor.pk:
            raise NotAllowed("Only the person rates their own skills.")
        if evidence is not None and evidence.person_id != actor.pk:
            raise ServiceError("That evidence is not in your log.", field="evidence")
        changed = (rating.current is not None and current != rating.current) or (
            rating.target is not None and target != rating.target
        )
        if changed and not justification:
            raise ServiceError(
                f"Say briefly why your rating of “{rating.area.name}” changed.",
                field="justification",
            )
        if current == rating.current and target == rating.target and not justification:
            return rating
        rating.current, rating.target = current, target
        if justification:
            rating.justification = justification
        if evidence is not None:
            rating.evidence = evidence
        rating.save()
        audit_record(
            actor=actor,
            action="skills_rated",
            subject=rating,
            current=current,
            target=target,
            justification=justification,
        )
    return rating


def _mentors(mentor: User, person_id: int) -> bool:
    """The same rule as reading the portfolio: the person's accepted mentor on a candidacy
    whose portfolio the person shares with them."""
    return Candidacy.objects.filter(
        person_id=person_id,
        mentor_requests__mentor__user=mentor,
        mentor_requests__status=MentorRequest.Status.ACCEPTED,
        mentor_share__shared_at__isnull=False,
    ).exists()


def rating_mentor_set(
    *, rating: SkillsRating, actor: User, mentor_rating=None, comment: str = ""
) -> SkillsRating:
    """The mentor's own view of an area, beside the person's: only their mentee's, and only
    while the mentee shares a portfolio with them. Giving or changing a rating needs a short
    justification, as the person's own changes do; clearing it does not."""
    value = _check_value(mentor_rating, "mentor_rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ServiceError("Keep the reason to 500 characters.", field="mentor_comment")
    with transaction.atomic():
        rating = (
            SkillsRating.objects.select_for_update()
            .select_related("audit", "area")
            .get(pk=rating.pk)
        )
        if not _mentors(actor, rating.audit.person_id):
            raise NotAllowed("Only the person's mentor can add a mentor's rating.")
        if value == rating.mentor_rating and comment == rating.mentor_comment:
            return rating
        if value is not None and value != rating.mentor_rating and not comment:
            raise ServiceError(
                f"Say briefly why you rate “{rating.area.name}” {value}.", field="mentor_comment"
            )
        rating.mentor_rating = value
        rating.mentor_comment = comment
        rating.save(update_fields=["mentor_rating", "mentor_comment", "updated_at"])
        audit_record(
            actor=actor,
            action="skills_mentor_rated",
            subject=rating,
            value=value,
            comment=comment,
        )
    return rating


def course_areas_set(*, course: Course, areas, actor: User) -> list[SkillsArea]:
    """Tag a catalogue course with the skills areas it develops (replacing its tags)."""
    areas = list(areas)
    with transaction.atomic():
        CourseSkillsArea.objects.filter(course=course).exclude(area__in=areas).delete()
        have = set(CourseSkillsArea.objects.filter(course=course).values_list("area_id", flat=True))
        CourseSkillsArea.objects.bulk_create(
            CourseSkillsArea(course=course, area=a) for a in areas if a.pk not in have
        )
        audit_record(
            actor=actor, action="course_skills_set", subject=course, areas=[a.code for a in areas]
        )
    return areas


def gap_to_goal(*, rating: SkillsRating, candidacy: Candidacy, actor: User) -> Goal:
    """Turn a gap (target above now) into a goal of the candidacy's development plan, once:
    asking again answers the goal made before."""
    rating = SkillsRating.objects.select_related("audit__framework", "area").get(pk=rating.pk)
    if rating.audit.person_id != actor.pk or candidacy.person_id != actor.pk:
        raise NotAllowed("Only the person turns their own gaps into goals.")
    if not rating.is_gap:
        raise ServiceError(
            f"“{rating.area.name}” has no gap: its target is not above where you are now.",
            field="target",
        )
    source = f"skills:{rating.area.framework_id}:{rating.area.code}"[:100]
    existing = Goal.objects.filter(plan__candidacy=candidacy, source=source).first()
    if existing is not None:
        return existing
    # Imported here: qualifications' services import its roles, which must be granted after
    # training's when core loads every app's roles.py (portfolios' services load earlier).
    from guildbook.qualifications import services as qualifications

    framework = rating.audit.framework
    return qualifications.goal_save(
        candidacy=candidacy,
        actor=actor,
        what=f"Develop {rating.area.name}",
        measure=(
            f"My rating moves from {rating.current} ({framework.label(rating.current)}) to "
            f"{rating.target} ({framework.label(rating.target)}) in my next skills audit."
        ),
        source=source,
    )
