"""Reads for the trainers' template pages: the list of templates and one template's editor.

Counts come from subqueries on the template rows, so the list takes the same number of
queries however many templates, courses and answers there are.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from guildbook.surveys.models import (
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.training.models import Course


def _count(queryset, field: str = "pk", *, distinct: bool = False):
    """A correlated COUNT on rows of the template's family, as an integer annotation."""
    counted = (
        queryset.filter(template__family=OuterRef("family"))
        .order_by()
        .values("template__family")
        .annotate(n=Count(field, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def templates_for_list(*, archived: bool = False):
    """The current version of each template, with its question count, the number of courses
    whose active survey moments use it, and the answers given to any of its versions."""
    questions = (
        Question.objects.filter(template=OuterRef("pk"))
        .order_by()
        .values("template")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SurveyTemplate.objects.filter(is_current=True, archived=archived)
        .annotate(
            n_questions=Coalesce(Subquery(questions, output_field=IntegerField()), Value(0)),
            n_courses=_count(SurveyMoment.objects.filter(active=True), "course", distinct=True),
            n_answers=_count(Response.objects.all()),
        )
        .order_by("-is_default", "title", "pk")
    )


def template_current(family) -> SurveyTemplate:
    """The current version of a template family, or 404."""
    template = SurveyTemplate.objects.filter(family=family, is_current=True).first()
    if template is None:
        raise Http404("Not found")
    return template


def template_version(family, version) -> SurveyTemplate:
    try:
        return SurveyTemplate.objects.get(family=family, version=int(version))
    except (SurveyTemplate.DoesNotExist, TypeError, ValueError):
        raise Http404("Not found") from None


def template_versions(template: SurveyTemplate) -> list[SurveyTemplate]:
    """Every version of the template's family, newest first, with its answer count."""
    return list(
        SurveyTemplate.objects.filter(family=template.family)
        .annotate(n_answers=Count("responses"))
        .order_by("-version")
    )


def template_questions(template: SurveyTemplate) -> list[Question]:
    """The questions in order, with their choices and their condition's question and answer."""
    return list(
        Question.objects.filter(template=template)
        .select_related("show_if_question", "show_if_choice")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
        .order_by("position", "pk")
    )


def courses_using(template: SurveyTemplate) -> list:
    """The courses whose active survey moments use this template (any version), by title."""
    return list(
        Course.objects.filter(
            survey_moments__template__family=template.family, survey_moments__active=True
        )
        .distinct()
        .order_by("title")
    )


def question_for_editing(pk: int) -> Question:
    try:
        return Question.objects.select_related("template").get(pk=pk)
    except Question.DoesNotExist:
        raise Http404("Not found") from None


def choice_for_editing(pk: int) -> Choice:
    try:
        return Choice.objects.select_related("question__template").get(pk=pk)
    except Choice.DoesNotExist:
        raise Http404("Not found") from None


def template_usage(*, template: SurveyTemplate, now: datetime | None = None) -> dict:
    """What makes a version frozen: answers to it, and invitations to it already sent."""
    now = now or timezone.now()
    answered = Response.objects.filter(template=template).count()
    sent = Invitation.objects.filter(
        template=template, status=Invitation.Status.SCHEDULED, due_at__lte=now
    ).count()
    return {"answered": answered, "sent": sent, "frozen": bool(answered or sent)}
