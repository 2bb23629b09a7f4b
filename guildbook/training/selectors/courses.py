"""Reads of courses, with the visibility rules applied (who may see which course)."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
    prefetch_related_objects,
)
from django.http import Http404

from guildbook.core import roles
from guildbook.training.models import Booking, Course


def courses_visible_to(user) -> QuerySet[Course]:
    """Active courses this person may see in the catalogue.

    Anyone: public courses. Signed in: staff-only courses too. Closed team courses are
    listed for trainers only; others reach them through the invitation link.
    """
    qs = Course.objects.filter(status=Course.Status.ACTIVE)
    if roles.is_trainer(user):
        return qs
    allowed = [Course.Visibility.PUBLIC]
    if user.is_authenticated:
        allowed.append(Course.Visibility.STAFF)
    return qs.filter(visibility__in=allowed)


def course_get_for_user(user, *, slug: str, invitation: str | None = None) -> Course:
    course = Course.objects.select_related("category").filter(slug=slug).first()
    if course is None or not course_visible(user, course, invitation=invitation):
        raise Http404("No such course")
    return course


def course_visible(user, course: Course, *, invitation: str | None = None) -> bool:
    active = course.status == Course.Status.ACTIVE
    # The common cases first: they need no permission or booking look-up.
    if active and course.visibility == Course.Visibility.PUBLIC:
        return True
    if active and course.visibility == Course.Visibility.STAFF and user.is_authenticated:
        return True
    if roles.is_trainer(user):
        return True
    if (
        active
        and course.visibility == Course.Visibility.CLOSED
        and invitation
        and invitation == course.invitation_token
    ):
        return True
    # Archived courses and closed ones: people who were booked can still open them, for
    # instance from their training record.
    return (
        user.is_authenticated
        and Booking.objects.filter(session__course=course, person=user).exists()
    )


def course_with_plan(course: Course) -> Course:
    """The course with its session plan, questions, materials and trainers loaded, in one
    query each, on the instance already in hand."""
    prefetch_related_objects([course], "agenda", "questions", "materials", "trainers")
    return course


def course_materials(course: Course, *, for_trainer: bool = False) -> list:
    qs = course.materials.all()
    if not for_trainer:
        qs = qs.filter(for_trainers_only=False)
    return list(qs)


def material_for_user(user, *, pk: int, invitation: str | None = None):
    """An uploaded course material, if this person may see the course (and, for trainers'
    materials, is a trainer). Otherwise 404."""
    from guildbook.training.models import CourseMaterial

    material = CourseMaterial.objects.select_related("course").filter(pk=pk).first()
    if (
        material is None
        or not material.file
        or not course_visible(user, material.course, invitation=invitation)
        or (material.for_trainers_only and not roles.is_trainer(user))
    ):
        raise Http404("No such material")
    return material
