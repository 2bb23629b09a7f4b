"""Answers: checking and saving a response, and marking an invitation done."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.core import limits
from guildbook.core.errors import ServiceError
from guildbook.notifications.services import outbox_void
from guildbook.surveys.messages import REMINDER
from guildbook.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
)


class AnswersInvalid(ServiceError):
    """Some answers cannot be accepted; `errors` maps each field ("q<question id>") to
    what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def visible_questions(questions: list[Question], chosen: dict[int, set[int]]) -> set[int]:
    """The ids of the questions shown, given the choices made (question id -> choice ids):
    a conditional question shows when its question is shown and the named choice was made."""
    shown: set[int] = set()
    for question in questions:  # in order: a condition points to an earlier question
        parent = question.show_if_question_id
        if parent is None or (
            parent in shown and question.show_if_choice_id in chosen.get(parent, set())
        ):
            shown.add(question.pk)
    return shown


def _clean_answers(
    questions: list[Question], raw: dict[int, list[str]]
) -> list[tuple[Question, Choice | None, int | None, str]]:
    """Check the answers given (question id -> the values sent) against the template:
    choices of the question, 1–5 on a scale, text length, required questions among those
    shown. Answers to questions whose condition is not met are dropped."""
    errors: dict[str, str] = {}
    chosen: dict[int, set[int]] = {}
    cleaned: dict[int, list[tuple[Choice | None, int | None, str]]] = {}
    for question in questions:
        values = [v.strip() for v in raw.get(question.pk, []) if v is not None and v.strip()]
        if not values:
            continue
        name = field_name(question)
        if question.kind in Question.CHOICE_KINDS:
            if question.kind != Question.Kind.MULTIPLE and len(values) > 1:
                errors[name] = _("Choose one answer.")
                continue
            by_id = {str(c.pk): c for c in question.choices.all()}
            picked = [by_id.get(v) for v in values]
            if None in picked:
                errors[name] = _("Choose one of the answers shown.")
                continue
            picked = list(dict.fromkeys(picked))
            chosen[question.pk] = {c.pk for c in picked}
            cleaned[question.pk] = [(c, None, "") for c in picked]
        elif question.kind == Question.Kind.SCALE:
            if len(values) > 1 or values[0] not in {"1", "2", "3", "4", "5"}:
                errors[name] = _("Choose a number from 1 to 5.")
                continue
            cleaned[question.pk] = [(None, int(values[0]), "")]
        else:
            text = "\n".join(values)
            limit = 300 if question.kind == Question.Kind.SHORT_TEXT else 5000
            if len(text) > limit:
                errors[name] = _("Please keep this under %(n)s characters.") % {"n": limit}
                continue
            if not limits.storable_text(text):
                errors[name] = _(
                    "This answer contains a character that cannot be saved; remove it."
                )
                continue
            cleaned[question.pk] = [(None, None, text)]
    shown = visible_questions(questions, chosen)
    for question in questions:
        if question.pk in shown and question.required and question.pk not in cleaned:
            errors.setdefault(field_name(question), _("Please answer this question."))
    if errors:
        raise AnswersInvalid(errors)
    return [
        (question, choice, number, text)
        for question in questions
        if question.pk in shown
        for choice, number, text in cleaned.get(question.pk, [])
    ]


def _lock_open_invitation(invitation: Invitation, now: datetime) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("moment", "template", "booking")
        .get(pk=invitation.pk)
    )
    if invitation.status != Invitation.Status.SCHEDULED:
        raise ServiceError(_("This invitation was withdrawn."), code="void")
    if now >= invitation.closes_at:
        raise ServiceError(_("This survey has closed."), code="closed")
    return invitation


def response_submit(
    *, invitation: Invitation, answers: dict[int, list[str]], now: datetime | None = None
) -> Response:
    """Record a person's answers to their invitation, in one transaction.

    Named: the response points at the invitation; sending again before the close replaces
    the answers (the first answer's time stays on the invitation, `submitted_at` moves).
    Anonymous: the response points at nothing personal (no invitation, no time) and the
    invitation only learns that it was answered; it can be sent once. Refused once the
    survey has closed or the invitation was withdrawn. Answers to questions whose
    condition was not met are dropped; required questions are required only when shown.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _lock_open_invitation(invitation, now)
        questions = list(
            Question.objects.filter(template=invitation.template)
            .prefetch_related("choices")
            .order_by("position", "id")
        )
        cleaned = _clean_answers(questions, answers)
        moment = invitation.moment
        if moment.anonymous:
            if invitation.answered_at is not None:
                raise ServiceError(
                    _("You have answered this survey already. Thank you."), code="answered"
                )
            response = Response.objects.create(
                moment=moment, template=invitation.template, session_id=invitation.session_id
            )
        else:
            response = Response.objects.filter(invitation=invitation).first()
            if response is None:
                response = Response.objects.create(
                    moment=moment,
                    template=invitation.template,
                    session_id=invitation.session_id,
                    invitation=invitation,
                    submitted_at=now,
                )
            else:
                response.answers.all().delete()
                response.submitted_at = now
                response.save(update_fields=["submitted_at"])
        Answer.objects.bulk_create(
            Answer(response=response, question=q, choice=c, number=n, text=t)
            for q, c, n, t in cleaned
        )
        if invitation.answered_at is None:
            invitation.answered_at = now
            invitation.save(update_fields=["answered_at", "updated_at"])
            # The reminder is no longer due; the worker would skip it anyway.
            outbox_void(about=invitation, kinds=[REMINDER])
    return response


def invitation_mark_done(*, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """An external survey sent the person to our completion page: the invitation counts
    as answered (so no reminder goes), though the answers live elsewhere. Repeats are
    harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _lock_open_invitation(invitation, now)
        if invitation.answered_at is None:
            invitation.answered_at = now
            invitation.save(update_fields=["answered_at", "updated_at"])
            outbox_void(about=invitation, kinds=[REMINDER])
    return invitation
