"""A template's questions and their answer choices: adding, changing, conditions, order.

Every change goes through `templates._editable`, so a change to a frozen version makes a
new version first (see templates.py).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.surveys.models import (
    Choice,
    Question,
    SurveyTemplate,
)
from guildbook.surveys.services.templates import TemplateEdit, _clean_text, _editable


def _kind(kind: str) -> str:
    if kind not in Question.Kind.values:
        raise ServiceError(_("Choose a kind of question."), field="kind")
    return kind


def _clean_labels(labels) -> list[str]:
    cleaned = []
    for label in labels or []:
        text = _clean_text(
            label, field_name="choices", label=_("An answer"), max_length=120, required=False
        )
        if text and text.casefold() not in {c.casefold() for c in cleaned}:
            cleaned.append(text)
    return cleaned


def _check_condition(question: Question, choice: Choice | None) -> None:
    """A condition points at an answer of an earlier question with choices, same template."""
    if choice is None:
        return
    source = choice.question
    if source.template_id != question.template_id:
        raise ServiceError(
            _("A question can only depend on a question of the same template."),
            field="show_if_choice",
        )
    if source.kind not in Question.CHOICE_KINDS:
        raise ServiceError(
            _("A question can only depend on a question with answers to choose from."),
            field="show_if_choice",
        )
    if source.position >= question.position:
        raise ServiceError(
            _("A question can only depend on a question that comes before it."),
            field="show_if_choice",
        )


def _set_impact(template: SurveyTemplate, question: Question | None) -> None:
    if question is not None and question.kind not in (Question.Kind.YES_NO, Question.Kind.SINGLE):
        raise ServiceError(
            _("Only a yes-or-no or one-choice question can be the impact question."),
            field="is_impact",
        )
    others = template.questions.filter(is_impact=True)
    if question is not None:
        others = others.exclude(pk=question.pk)
    others.update(is_impact=False)
    if question is not None and not question.is_impact:
        question.is_impact = True
        question.save(update_fields=["is_impact"])


def _fit_kind_fields(question: Question) -> None:
    if question.kind != Question.Kind.SCALE:
        question.scale_low_label = question.scale_high_label = ""


def _clean_wording(
    *, text: str, help_text: str, scale_low_label: str, scale_high_label: str
) -> dict[str, str]:
    """A question's words, checked before any lock is taken (question_add and _update)."""

    def label(value: str, field_name: str) -> str:
        return _clean_text(
            value, field_name=field_name, label=_("The label"), max_length=60, required=False
        )

    return {
        "text": _clean_text(text, field_name="text", label=_("The question"), max_length=300),
        "help_text": _clean_text(
            help_text,
            field_name="help_text",
            label=_("The help text"),
            max_length=300,
            required=False,
        ),
        "scale_low_label": label(scale_low_label, "scale_low_label"),
        "scale_high_label": label(scale_high_label, "scale_high_label"),
    }


def _apply_condition(question: Question, edit: TemplateEdit, show_if_choice) -> None:
    """Fit the question's kind fields and set its condition (mapped into the version
    being edited, and checked against the questions before it)."""
    _fit_kind_fields(question)
    condition = edit.choice(show_if_choice) if show_if_choice is not None else None
    _check_condition(question, condition)
    question.show_if_choice = condition
    question.show_if_question = condition.question if condition else None


def question_add(
    *,
    template: SurveyTemplate,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = False,
    is_impact: bool = False,
    scale_low_label: str = "",
    scale_high_label: str = "",
    choices: list[str] | None = None,
    show_if_choice: Choice | None = None,
    actor,
    now: datetime | None = None,
) -> Question:
    """Add a question at the end. Yes/no questions get Yes (counting as impact) and No;
    one- and several-choice questions need at least two answers to choose from."""
    kind = _kind(kind)
    wording = _clean_wording(
        text=text,
        help_text=help_text,
        scale_low_label=scale_low_label,
        scale_high_label=scale_high_label,
    )
    if kind == Question.Kind.YES_NO:
        labels = [(_("Yes"), True), (_("No"), False)]
    elif kind in Question.CHOICE_KINDS:
        names = _clean_labels(choices)
        if len(names) < 2:
            raise ServiceError(
                _("Give at least two answers to choose from, one per line."), field="choices"
            )
        labels = [(name, False) for name in names]
    else:
        labels = []
    with transaction.atomic():
        edit = _editable(template, actor=actor, now=now)
        target = edit.template
        last = target.questions.aggregate(n=Max("position"))["n"] or 0
        question = Question(
            template=target, position=last + 1, kind=kind, required=bool(required), **wording
        )
        _apply_condition(question, edit, show_if_choice)
        question.save()
        for position, (label, counts) in enumerate(labels, start=1):
            Choice.objects.create(
                question=question, position=position, label=label, counts_as_impact=counts
            )
        if is_impact:
            _set_impact(target, question)
        audit_record(
            actor=actor, action="survey_question_added", subject=target, question=question.pk
        )
        return question


# Kinds a question may change to: the same answers still make sense.
_KIND_GROUPS = (
    {Question.Kind.SINGLE, Question.Kind.MULTIPLE},
    {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT},
)


def question_update(
    *,
    question: Question,
    text: str,
    help_text: str = "",
    required: bool = False,
    kind: str | None = None,
    is_impact: bool | None = None,
    scale_low_label: str = "",
    scale_high_label: str = "",
    show_if_choice: Choice | None = None,
    actor,
    now: datetime | None = None,
) -> Question:
    """Change a question's wording, help, whether it needs an answer, its condition, its
    impact flag (None: leave it) and its kind (only one-choice ↔ several-choice and short
    ↔ long text, where the answers still fit). Returns the question in the version
    changed, which is a new one when the question's version was frozen."""
    wording = _clean_wording(
        text=text,
        help_text=help_text,
        scale_low_label=scale_low_label,
        scale_high_label=scale_high_label,
    )
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = edit.question(question)
        if kind and kind != q.kind:
            kind = _kind(kind)
            if not any(kind in group and q.kind in group for group in _KIND_GROUPS):
                raise ServiceError(
                    _("This question cannot become that kind: add a new question instead."),
                    field="kind",
                )
            if kind == Question.Kind.MULTIPLE and q.is_impact and is_impact is not False:
                raise ServiceError(
                    _("The impact question must have one answer: keep it as one choice."),
                    field="kind",
                )
            q.kind = kind
        for name, value in wording.items():
            setattr(q, name, value)
        q.required = bool(required)
        _apply_condition(q, edit, show_if_choice)
        if is_impact is False and q.is_impact:
            q.is_impact = False
        q.save()
        if is_impact:
            _set_impact(edit.template, q)
        audit_record(
            actor=actor, action="survey_question_updated", subject=edit.template, question=q.pk
        )
        return q


def question_set_condition(
    *, question: Question, show_if_choice: Choice | None, actor, now: datetime | None = None
) -> Question:
    """Show the question only when an earlier question was answered with `show_if_choice`
    (None: always show it)."""
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = edit.question(question)
        condition = edit.choice(show_if_choice) if show_if_choice is not None else None
        _check_condition(q, condition)
        q.show_if_choice = condition
        q.show_if_question = condition.question if condition else None
        q.save(update_fields=["show_if_choice", "show_if_question"])
        audit_record(
            actor=actor, action="survey_question_condition", subject=edit.template, question=q.pk
        )
        return q


def question_set_impact(
    *,
    template: SurveyTemplate,
    question: Question | None,
    actor,
    now: datetime | None = None,
) -> Question | None:
    """Make `question` the template's one impact question (None: no impact question)."""
    with transaction.atomic():
        edit = _editable(template, actor=actor, now=now)
        q = edit.question(question) if question is not None else None
        _set_impact(edit.template, q)
        audit_record(
            actor=actor,
            action="survey_question_impact",
            subject=edit.template,
            question=q.pk if q else None,
        )
        return q


def _renumber(rows, *, start: int = 1) -> None:
    """Give rows consecutive positions without ever breaking the unique position
    constraint: out of the way first, then into place."""
    rows = list(rows)
    if not rows:
        return
    model = type(rows[0])
    offset = max(r.position for r in rows) + len(rows) + 1
    for i, row in enumerate(rows):
        model.objects.filter(pk=row.pk).update(position=offset + i)
    for i, row in enumerate(rows):
        row.position = start + i
        model.objects.filter(pk=row.pk).update(position=row.position)


def question_remove(*, question: Question, actor, now: datetime | None = None) -> SurveyTemplate:
    """Remove a question (from a new version if this one is frozen). Refused while a later
    question depends on its answers. Returns the version changed."""
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = edit.question(question)
        dependents = list(q.dependents.order_by("position"))
        if dependents:
            raise ServiceError(
                ngettext(
                    "Question %(numbers)s is shown depending on the answer to this one. "
                    "Change its condition first.",
                    "Questions %(numbers)s are shown depending on the answer to this one. "
                    "Change their conditions first.",
                    len(dependents),
                )
                % {"numbers": ", ".join(str(d.position) for d in dependents)},
                field="question",
            )
        removed = q.pk
        q.delete()
        _renumber(edit.template.questions.order_by("position"))
        audit_record(
            actor=actor, action="survey_question_removed", subject=edit.template, question=removed
        )
        return edit.template


def question_move(
    *, question: Question, direction: str, actor, now: datetime | None = None
) -> Question:
    """Move a question one place up or down. Refused where it would put a question above
    the question it depends on."""
    if direction not in ("up", "down"):
        raise ServiceError(_("Move a question up or down."), field="direction")
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = edit.question(question)
        step = -1 if direction == "up" else 1
        other = edit.template.questions.filter(position=q.position + step).first()
        if other is None:
            return q
        upper, lower = (other, q) if direction == "up" else (q, other)
        if lower.show_if_question_id == upper.pk:
            raise ServiceError(
                _(
                    "Question %(lower)d is shown depending on the answer to question %(upper)d, "
                    "so it must stay below it."
                )
                % {"lower": lower.position, "upper": upper.position},
                field="direction",
            )
        _renumber([lower, upper], start=upper.position)
        q.refresh_from_db()
        audit_record(
            actor=actor,
            action="survey_question_moved",
            subject=edit.template,
            question=q.pk,
            position=q.position,
        )
        return q


def _choice_question(edit: TemplateEdit, question: Question) -> Question:
    q = edit.question(question)
    if q.kind == Question.Kind.YES_NO:
        raise ServiceError(
            _("A yes-or-no question always has the answers Yes and No."), field="choices"
        )
    if q.kind not in Question.CHOICE_KINDS:
        raise ServiceError(_("This question has no answers to choose from."), field="choices")
    return q


def _answer_label(text: str) -> str:
    return _clean_text(text, field_name="label", label=_("The answer"), max_length=120)


def _refuse_same_answer(choices, label: str) -> None:
    """A question's answers differ, ignoring case (`choices`: the others it has)."""
    if choices.filter(label__iexact=label).exists():
        raise ServiceError(_("This question already has that answer."), field="label")


def choice_add(
    *,
    question: Question,
    label: str,
    counts_as_impact: bool = False,
    actor,
    now: datetime | None = None,
) -> Choice:
    """Add an answer to choose from, at the end."""
    label = _answer_label(label)
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = _choice_question(edit, question)
        _refuse_same_answer(q.choices, label)
        last = q.choices.aggregate(n=Max("position"))["n"] or 0
        choice = Choice.objects.create(
            question=q, position=last + 1, label=label, counts_as_impact=bool(counts_as_impact)
        )
        audit_record(
            actor=actor, action="survey_choice_added", subject=edit.template, choice=choice.pk
        )
        return choice


def choice_update(
    *,
    choice: Choice,
    label: str,
    counts_as_impact: bool = False,
    actor,
    now: datetime | None = None,
) -> Choice:
    """Reword an answer, or say whether it counts as impact (on the impact question)."""
    label = _answer_label(label)
    with transaction.atomic():
        edit = _editable(choice.question.template, actor=actor, now=now)
        c = edit.choice(choice)
        _refuse_same_answer(c.question.choices.exclude(pk=c.pk), label)
        c.label, c.counts_as_impact = label, bool(counts_as_impact)
        c.save(update_fields=["label", "counts_as_impact"])
        audit_record(
            actor=actor, action="survey_choice_updated", subject=edit.template, choice=c.pk
        )
        return c


def choice_remove(*, choice: Choice, actor, now: datetime | None = None) -> SurveyTemplate:
    """Remove an answer. Refused below two answers and while a question depends on it.
    Returns the version changed."""
    with transaction.atomic():
        edit = _editable(choice.question.template, actor=actor, now=now)
        c = edit.choice(choice)
        q = _choice_question(edit, c.question)
        if q.choices.count() <= 2:
            raise ServiceError(
                _("A question with choices needs at least two answers."), field="choices"
            )
        dependents = list(Question.objects.filter(show_if_choice=c).order_by("position"))
        if dependents:
            raise ServiceError(
                _("Question %(numbers)s is shown when this answer is chosen. Change that first.")
                % {"numbers": ", ".join(str(d.position) for d in dependents)},
                field="choices",
            )
        removed = c.pk
        c.delete()
        _renumber(q.choices.order_by("position"))
        audit_record(
            actor=actor, action="survey_choice_removed", subject=edit.template, choice=removed
        )
        return edit.template


def choices_reorder(
    *, question: Question, order: list[int], actor, now: datetime | None = None
) -> Question:
    """Put a question's answers in the order given (a list of all their ids)."""
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = _choice_question(edit, question)
        mapped = [edit.choice(pk).pk for pk in order]
        choices = {c.pk: c for c in q.choices.all()}
        if sorted(mapped) != sorted(choices):
            raise ServiceError(_("Give every answer of the question once."), field="choices")
        _renumber([choices[pk] for pk in mapped])
        audit_record(
            actor=actor, action="survey_choices_reordered", subject=edit.template, question=q.pk
        )
        return q
