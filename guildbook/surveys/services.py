"""Every write to follow-up surveys. One function per operation, one transaction each.

Sections: templates (authoring and versions), moments (a course's survey settings),
invitations (scheduled with the attendance that makes them due, moved with the session),
answers.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guildbook.core import limits
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_reschedule, outbox_schedule, outbox_void
from guildbook.surveys import defaults, tokens
from guildbook.surveys.messages import INVITATION, MISSED_YOU, REMINDER
from guildbook.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.training.messages import NOTE_PLACEHOLDERS, note_mistakes
from guildbook.training.models import Booking

# --- Templates ---------------------------------------------------------------------------
#
# Trainers build templates in the app. A version that has been used — somebody answered it,
# or an invitation to it has gone out (its e-mail shows the first question's choices) — is
# frozen: the first change to it copies it into a new version, makes that one current and
# moves everything that has not been sent yet (the course moments and the unsent
# invitations) over to it, in the same transaction. Answers keep pointing at the questions
# that were asked. Every change below takes the template's row lock first, so two trainers
# cannot both copy the same version, and a change aimed at a replaced version is refused.


class TemplateChanged(Conflict):
    """The version being edited is no longer the current one (someone made a newer one)."""

    code = "template_changed"


@dataclasses.dataclass
class TemplateEdit:
    """The version a change was made to, and whether the change had to make it."""

    template: SurveyTemplate
    new_version: bool = False
    questions: dict[int, Question] = dataclasses.field(default_factory=dict)
    choices: dict[int, Choice] = dataclasses.field(default_factory=dict)

    def question(self, question: Question | int) -> Question:
        pk = question if isinstance(question, int) else question.pk
        if pk in self.questions:
            return self.questions[pk]
        found = Question.objects.filter(pk=pk, template=self.template).first()
        if found is None:
            raise TemplateChanged(
                _("That question is not part of this template any more. Reload the page."),
                field="question",
            )
        return found

    def choice(self, choice: Choice | int) -> Choice:
        pk = choice if isinstance(choice, int) else choice.pk
        if pk in self.choices:
            return self.choices[pk]
        found = (
            Choice.objects.select_related("question")
            .filter(pk=pk, question__template=self.template)
            .first()
        )
        if found is None:
            raise TemplateChanged(
                _("That answer is not part of this template any more. Reload the page."),
                field="choice",
            )
        return found


def template_usage(*, template: SurveyTemplate, now: datetime | None = None) -> dict:
    """What makes a version frozen: answers to it, and invitations to it already sent."""
    now = now or timezone.now()
    answered = Response.objects.filter(template=template).count()
    sent = Invitation.objects.filter(
        template=template, status=Invitation.Status.SCHEDULED, due_at__lte=now
    ).count()
    return {"answered": answered, "sent": sent, "frozen": bool(answered or sent)}


def _template_is_frozen(template: SurveyTemplate, now: datetime) -> bool:
    return (
        Response.objects.filter(template=template).exists()
        or Invitation.objects.filter(template=template)
        .filter(
            Q(status=Invitation.Status.SCHEDULED, due_at__lte=now) | Q(answered_at__isnull=False)
        )
        .exists()
    )


def _lock_template(template_id: int) -> SurveyTemplate:
    return SurveyTemplate.objects.select_for_update().get(pk=template_id)


def _copy_questions(source: SurveyTemplate, target: SurveyTemplate) -> TemplateEdit:
    """Copy every question and choice of `source` into `target`, conditions pointed at the
    copies. Returns the old-id → copy maps."""
    edit = TemplateEdit(template=target)
    questions = list(source.questions.order_by("position").prefetch_related("choices"))
    for old in questions:
        new = Question.objects.create(
            template=target,
            position=old.position,
            kind=old.kind,
            text=old.text,
            help_text=old.help_text,
            required=old.required,
            is_impact=old.is_impact,
            scale_low_label=old.scale_low_label,
            scale_high_label=old.scale_high_label,
        )
        edit.questions[old.pk] = new
        for choice in old.choices.all():
            edit.choices[choice.pk] = Choice.objects.create(
                question=new,
                position=choice.position,
                label=choice.label,
                counts_as_impact=choice.counts_as_impact,
            )
    for old in questions:
        if old.show_if_choice_id:
            new = edit.questions[old.pk]
            new.show_if_choice = edit.choices[old.show_if_choice_id]
            new.show_if_question = edit.questions[old.show_if_question_id]
            new.save(update_fields=["show_if_choice", "show_if_question"])
    return edit


def _new_version(current: SurveyTemplate, *, actor, now: datetime) -> TemplateEdit:
    latest = (
        SurveyTemplate.objects.filter(family=current.family).aggregate(n=Max("version"))["n"] or 0
    )
    # One current version per family (a constraint): step the old one down first.
    SurveyTemplate.objects.filter(pk=current.pk).update(is_current=False)
    current.is_current = False
    new = SurveyTemplate.objects.create(
        family=current.family,
        version=latest + 1,
        is_current=True,
        title=current.title,
        intro=current.intro,
        is_default=current.is_default,
        archived=False,
        created_by=actor,
    )
    edit = _copy_questions(current, new)
    edit.new_version = True
    # Everything not yet sent asks the new questions; what was sent or answered stays.
    SurveyMoment.objects.filter(template__family=current.family).update(template=new)
    Invitation.objects.filter(
        template__family=current.family, answered_at__isnull=True, due_at__gt=now
    ).update(template=new)
    return edit


def _editable(template: SurveyTemplate, *, actor, now: datetime | None) -> TemplateEdit:
    """The version a change is made to: this one, or a new copy when this one is frozen.

    Call inside the change's transaction. Refuses replaced and archived versions."""
    now = now or timezone.now()
    locked = _lock_template(template.pk)
    if not locked.is_current:
        raise TemplateChanged(
            _(
                "This version of “%(title)s” has been replaced by a newer one. "
                "Open the template again to see the latest version."
            )
            % {"title": locked.title},
            field="template",
        )
    if locked.archived:
        raise ServiceError(
            _("This template is archived. Bring it back before changing it."), field="template"
        )
    if _template_is_frozen(locked, now):
        edit = _new_version(locked, actor=actor, now=now)
        audit_record(
            actor=actor,
            action="survey_template_versioned",
            subject=edit.template,
            replaces=locked.pk,
            version=edit.template.version,
        )
        return edit
    return TemplateEdit(template=locked)


def _clean_text(
    value: str | None, *, field_name: str, label: str, max_length: int, required: bool = True
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(_("%(label)s cannot be empty.") % {"label": label}, field=field_name)
    if len(text) > max_length:
        raise ServiceError(
            _("%(label)s can be at most %(n)d characters.") % {"label": label, "n": max_length},
            field=field_name,
        )
    return text


def template_create(*, title: str, intro: str = "", actor) -> SurveyTemplate:
    """A new template (version 1 of a new family) with no questions yet."""
    title = _clean_text(title, field_name="title", label=_("The title"), max_length=200)
    with transaction.atomic():
        template = SurveyTemplate.objects.create(
            title=title, intro=(intro or "").strip(), created_by=actor
        )
        audit_record(actor=actor, action="survey_template_created", subject=template)
        return template


def template_update(
    *,
    template: SurveyTemplate,
    title: str,
    intro: str = "",
    actor,
    now: datetime | None = None,
) -> SurveyTemplate:
    """Change the title and introduction (a new version if this one is frozen). Returns
    the version changed."""
    title = _clean_text(title, field_name="title", label=_("The title"), max_length=200)
    intro = (intro or "").strip()
    with transaction.atomic():
        edit = _editable(template, actor=actor, now=now)
        edit.template.title, edit.template.intro = title, intro
        edit.template.save(update_fields=["title", "intro", "updated_at"])
        audit_record(actor=actor, action="survey_template_updated", subject=edit.template)
        return edit.template


def template_archive(*, template: SurveyTemplate, actor) -> SurveyTemplate:
    """Take a template off the list of templates to choose from (every version of it).

    Refused for the default follow-up and while an active course moment uses it; its
    answers stay."""
    with transaction.atomic():
        locked = _lock_template(template.pk)
        if locked.is_default:
            raise ServiceError(
                _("The default follow-up cannot be archived: every new course uses it."),
                field="template",
            )
        courses = (
            SurveyMoment.objects.filter(template__family=locked.family, active=True)
            .values("course_id")
            .distinct()
            .count()
        )
        if courses:
            raise ServiceError(
                ngettext(
                    "%(n)d course still uses this template. Choose another template for it first.",
                    "%(n)d courses still use this template. Choose another template for them "
                    "first.",
                    courses,
                )
                % {"n": courses},
                field="template",
            )
        SurveyTemplate.objects.filter(family=locked.family).update(archived=True)
        locked.refresh_from_db()
        audit_record(actor=actor, action="survey_template_archived", subject=locked)
        return locked


def template_restore(*, template: SurveyTemplate, actor) -> SurveyTemplate:
    """Bring an archived template back to the list."""
    with transaction.atomic():
        locked = _lock_template(template.pk)
        SurveyTemplate.objects.filter(family=locked.family).update(archived=False)
        locked.refresh_from_db()
        audit_record(actor=actor, action="survey_template_restored", subject=locked)
        return locked


def template_duplicate(
    *, template: SurveyTemplate, title: str | None = None, actor
) -> SurveyTemplate:
    """A new, independent template (a new family at version 1) with the same questions,
    choices and conditions. It is never the default."""
    with transaction.atomic():
        source = _lock_template(template.pk)
        if not title:
            title = _("Copy of %(title)s") % {"title": source.title}
        title = _clean_text(title, field_name="title", label=_("The title"), max_length=200)
        copy = SurveyTemplate.objects.create(title=title, intro=source.intro, created_by=actor)
        _copy_questions(source, copy)
        audit_record(
            actor=actor, action="survey_template_duplicated", subject=copy, source=source.pk
        )
        return copy


# Questions


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


# Choices


def _choice_question(edit: TemplateEdit, question: Question) -> Question:
    q = edit.question(question)
    if q.kind == Question.Kind.YES_NO:
        raise ServiceError(
            _("A yes-or-no question always has the answers Yes and No."), field="choices"
        )
    if q.kind not in Question.CHOICE_KINDS:
        raise ServiceError(_("This question has no answers to choose from."), field="choices")
    return q


def choice_add(
    *,
    question: Question,
    label: str,
    counts_as_impact: bool = False,
    actor,
    now: datetime | None = None,
) -> Choice:
    """Add an answer to choose from, at the end."""
    label = _clean_text(label, field_name="label", label=_("The answer"), max_length=120)
    with transaction.atomic():
        edit = _editable(question.template, actor=actor, now=now)
        q = _choice_question(edit, question)
        if q.choices.filter(label__iexact=label).exists():
            raise ServiceError(_("This question already has that answer."), field="label")
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
    label = _clean_text(label, field_name="label", label=_("The answer"), max_length=120)
    with transaction.atomic():
        edit = _editable(choice.question.template, actor=actor, now=now)
        c = edit.choice(choice)
        if c.question.choices.filter(label__iexact=label).exclude(pk=c.pk).exists():
            raise ServiceError(_("This question already has that answer."), field="label")
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


# --- Moments -----------------------------------------------------------------------------

MAX_DAYS = 366
MOMENT_FIELDS = (
    "name",
    "template",
    "days_after",
    "reminder_after_days",
    "closes_after_days",
    "anonymous",
    "external_url",
    "note",
    "message_no_shows",
    "no_show_note",
)


def template_default() -> SurveyTemplate:
    """The current default follow-up template, created (and marked default) if there is
    none: the data migration makes it, but a database emptied by hand or by a test must
    still give new courses their follow-up."""
    template = SurveyTemplate.objects.filter(is_default=True, is_current=True).first()
    if template is None:
        with transaction.atomic():
            template = defaults.build_default_template(SurveyTemplate, Question, Choice)
            template.is_default = True
            template.save(update_fields=["is_default", "updated_at"])
    return template


def _check_moment(moment: SurveyMoment) -> None:
    if not (moment.name or "").strip():
        raise ServiceError(_("Give the survey a name, e.g. Follow-up."), field="name")
    if moment.days_after > MAX_DAYS:
        raise ServiceError(
            _("Send it within a year of the session (at most %(n)s days).") % {"n": MAX_DAYS},
            field="days_after",
        )
    if not 1 <= moment.closes_after_days <= MAX_DAYS:
        raise ServiceError(
            _("Keep the survey open for between 1 and %(n)s days.") % {"n": MAX_DAYS},
            field="closes_after_days",
        )
    if (
        moment.reminder_after_days is not None
        and not 1 <= moment.reminder_after_days < moment.closes_after_days
    ):
        raise ServiceError(
            _(
                "The reminder must go at least a day after the invitation "
                "and before the survey closes."
            ),
            field="reminder_after_days",
        )
    template = moment.template
    if template is None or not template.is_current or template.archived:
        raise ServiceError(
            _("Choose a survey template that is in use (not archived, the latest version)."),
            field="template",
        )
    url = (moment.external_url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ServiceError(
            _("The external survey's address must start with https://."), field="external_url"
        )
    for name in ("note", "no_show_note"):
        wrong = note_mistakes(getattr(moment, name) or "")
        if wrong:
            raise ServiceError(
                _(
                    "“%(wrong)s” is not something Guildbook can fill in. You can use "
                    "%(names)s, written exactly so."
                )
                % {"wrong": wrong[0], "names": ", ".join(f"{{{n}}}" for n in NOTE_PLACEHOLDERS)},
                field=name,
            )
    if moment.message_no_shows and not (moment.no_show_note or "").strip():
        raise ServiceError(
            _("Write the short message for people who did not come, or untick the option."),
            field="no_show_note",
        )


def moment_add_default(*, course) -> SurveyMoment:
    """The follow-up at 30 days with the default template; every new course gets one (in
    the transaction that creates the course)."""
    with transaction.atomic():
        return SurveyMoment.objects.create(course=course, template=template_default())


def moment_create(*, course, actor, **fields) -> SurveyMoment:
    """Add a survey moment to a course. It applies to attendance marked from now on; people
    already marked are not invited after the fact."""
    unknown = set(fields) - set(MOMENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    fields.setdefault("template", template_default())
    moment = SurveyMoment(course=course, **fields)
    _check_moment(moment)
    with transaction.atomic():
        moment.save()
        audit_record(actor=actor, action="survey_moment_created", subject=moment)
    return moment


def moment_update(
    *, moment: SurveyMoment, actor, now: datetime | None = None, **fields
) -> SurveyMoment:
    """Change a moment. Invitations not yet answered follow the new timing in the same
    transaction (their e-mails move, or a reminder is added or dropped); an invitation
    that has gone out is not sent again. Unsent invitations move to a new template."""
    now = now or timezone.now()
    unknown = set(fields) - set(MOMENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        moment = (
            SurveyMoment.objects.select_for_update().select_related("template").get(pk=moment.pk)
        )
        old = {name: getattr(moment, name) for name in MOMENT_FIELDS}
        for name, value in fields.items():
            setattr(moment, name, value)
        _check_moment(moment)
        if moment.anonymous != old["anonymous"] and (
            moment.responses.exists()
            or moment.invitations.filter(answered_at__isnull=False).exists()
        ):
            # People answered on the understanding they were given; the answers already
            # stored must stay as they were promised (named, or without any link to them).
            raise ServiceError(
                _(
                    "People have answered already, so whether answers are anonymous cannot "
                    "change. Add a new survey instead."
                ),
                field="anonymous",
            )
        moment.save()
        changed = sorted(n for n in MOMENT_FIELDS if getattr(moment, n) != old[n])
        if changed:
            audit_record(
                actor=actor, action="survey_moment_updated", subject=moment, changed=changed
            )
        timing = {"days_after", "reminder_after_days", "closes_after_days"} & set(changed)
        open_invitations = Invitation.objects.filter(
            moment=moment, status=Invitation.Status.SCHEDULED, answered_at__isnull=True
        ).select_related("session", "booking__person", "moment")
        if "template" in changed:
            # Only people who have not been sent it yet are asked the new version.
            unsent = [i.pk for i in open_invitations if i.due_at > now]
            Invitation.objects.filter(pk__in=unsent).update(template=moment.template)
        if timing:
            for invitation in open_invitations:
                invitation.moment = moment
                _set_times(invitation, invitation.session)
                invitation.save(update_fields=["due_at", "closes_at", "updated_at"])
                _queue(invitation, now=now)
    return moment


def moment_remove(*, moment: SurveyMoment, actor, now: datetime | None = None) -> bool:
    """Stop a moment. One that never invited anyone is deleted; otherwise it is made
    inactive, keeping its answers for the results, and the invitations not yet sent are
    withdrawn with their e-mails. Returns True when it was deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        moment = SurveyMoment.objects.select_for_update().get(pk=moment.pk)
        audit_record(actor=actor, action="survey_moment_removed", subject=moment)
        if not moment.invitations.exists() and not moment.responses.exists():
            moment.delete()
            return True
        moment.active = False
        moment.save(update_fields=["active", "updated_at"])
        unsent = list(
            Invitation.objects.filter(
                moment=moment, status=Invitation.Status.SCHEDULED, due_at__gt=now
            )
        )
        for invitation in unsent:
            outbox_void(about=invitation)
        Invitation.objects.filter(pk__in=[i.pk for i in unsent]).update(
            status=Invitation.Status.VOID, updated_at=now
        )
        OutboxMessage.objects.filter(
            kind=MISSED_YOU,
            status=OutboxMessage.Status.PENDING,
            dedupe_key__startswith=f"{MISSED_YOU}:{moment.pk}:",
        ).update(status=OutboxMessage.Status.VOID, updated_at=now)
    return False


# --- Invitations -------------------------------------------------------------------------


def _set_times(invitation: Invitation, session) -> None:
    moment = invitation.moment
    invitation.due_at = session.ends_at + timedelta(days=moment.days_after)
    invitation.closes_at = invitation.due_at + timedelta(days=moment.closes_after_days)


def _reminder_due(invitation: Invitation) -> datetime | None:
    days = invitation.moment.reminder_after_days
    return None if days is None else invitation.due_at + timedelta(days=days)


def _rows_about(obj):
    return OutboxMessage.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def _queue(invitation: Invitation, *, now: datetime, new: bool = False) -> None:
    """Make the invitation's pending e-mails match it: the invitation unless it has gone
    out already, and the reminder unless it has gone out or the person has answered. Rows
    still pending are replaced; each new row's dedupe key carries a version, so a
    re-created invitation (attendance flipped back) is queued again."""
    person = invitation.booking.person
    if new:
        version, gone = 1, set()
    else:
        outbox_void(about=invitation)
        rows = _rows_about(invitation)
        version = rows.count() + 1
        gone = set(
            rows.filter(
                status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING]
            ).values_list("kind", flat=True)
        )
    if INVITATION not in gone:
        outbox_schedule(
            kind=INVITATION,
            about=invitation,
            recipient=person,
            due_at=invitation.due_at,
            key=f"{INVITATION}:{invitation.pk}:v{version}",
            about_is_new=new,
        )
    reminder_due = _reminder_due(invitation)
    if reminder_due is not None and REMINDER not in gone and invitation.answered_at is None:
        outbox_schedule(
            kind=REMINDER,
            about=invitation,
            recipient=person,
            due_at=reminder_due,
            key=f"{REMINDER}:{invitation.pk}:v{version}",
            about_is_new=new,
        )


def _missed_prefix(moment: SurveyMoment, booking_id: int) -> str:
    return f"{MISSED_YOU}:{moment.pk}:{booking_id}:"


def _missed_rows(moment: SurveyMoment, booking):
    """The no-show messages of `moment` about `booking` (found through the outbox's index
    on what a row is about, then told apart by the moment in their key)."""
    return _rows_about(booking).filter(
        kind=MISSED_YOU, dedupe_key__startswith=_missed_prefix(moment, booking.pk)
    )


def _void_missed(moment: SurveyMoment, booking) -> None:
    _missed_rows(moment, booking).filter(status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.VOID, updated_at=timezone.now()
    )


def _queue_missed(moment: SurveyMoment, booking, session, now: datetime) -> None:
    prefix = _missed_prefix(moment, booking.pk)
    earlier = _missed_rows(moment, booking)
    if earlier.filter(
        status__in=[
            OutboxMessage.Status.PENDING,
            OutboxMessage.Status.SENDING,
            OutboxMessage.Status.SENT,
        ]
    ).exists():
        return
    outbox_schedule(
        kind=MISSED_YOU,
        about=booking,
        recipient=booking.person,
        due_at=session.ends_at + timedelta(days=moment.days_after),
        key=f"{prefix}v{earlier.count() + 1}",
        context={"moment": moment.pk},
    )


def invitations_for_attendance(*, booking, now: datetime) -> list[Invitation]:
    """Called by training's `attendance_marked` hook, inside the register's transaction.

    Attended: an invitation per active moment of the course, with its e-mails queued (the
    invitation at session end + days after — at once if that has passed — and the
    reminder); one withdrawn earlier is re-used. No-show: the person's invitations are
    withdrawn with their e-mails, and moments that say so queue the short "sorry we missed
    you" message instead. Returns the scheduled invitations.
    """
    session = booking.session
    moments = list(
        SurveyMoment.objects.filter(course_id=session.course_id, active=True).select_related(
            "template"
        )
    )
    if not moments:
        return []
    existing = {
        i.moment_id: i
        for i in Invitation.objects.select_for_update().filter(booking=booking, moment__in=moments)
    }
    attended = booking.attendance == Booking.Attendance.ATTENDED
    scheduled = []
    for moment in moments:
        invitation = existing.get(moment.pk)
        if not attended:
            if invitation is not None and invitation.status == Invitation.Status.SCHEDULED:
                invitation.status = Invitation.Status.VOID
                invitation.save(update_fields=["status", "updated_at"])
                outbox_void(about=invitation)
            if moment.message_no_shows:
                _queue_missed(moment, booking, session, now)
            continue
        if moment.message_no_shows:
            _void_missed(moment, booking)
        if invitation is None:
            invitation = Invitation(
                moment=moment,
                template=moment.template,
                booking=booking,
                session=session,
                key=tokens.new_key(),
            )
            _set_times(invitation, session)
            if invitation.closes_at <= now:
                continue  # marked after the survey would have closed: too late to ask
            invitation.save(force_insert=True)
            _queue(invitation, now=now, new=True)
        elif invitation.status == Invitation.Status.VOID:
            invitation.moment = moment
            invitation.status = Invitation.Status.SCHEDULED
            _set_times(invitation, session)
            if invitation.answered_at is None and invitation.due_at > now:
                invitation.template = moment.template
            invitation.save(
                update_fields=["status", "due_at", "closes_at", "template", "updated_at"]
            )
            invitation.booking = booking
            _queue(invitation, now=now)
        scheduled.append(invitation)
    return scheduled


def invitations_move(*, session, now: datetime) -> int:
    """Called by training's `session_moved` hook, inside the reschedule's transaction: the
    session's invitations take their times from its new end, and their pending e-mails
    (invitation, reminder, the no-shows' message) move with them. Returns how many moved."""
    invitations = list(
        Invitation.objects.select_for_update()
        .filter(session=session, status=Invitation.Status.SCHEDULED)
        .select_related("moment")
    )
    for invitation in invitations:
        _set_times(invitation, session)
        invitation.save(update_fields=["due_at", "closes_at", "updated_at"])
        outbox_reschedule(about=invitation, kinds=[INVITATION], due_at=invitation.due_at)
        reminder_due = _reminder_due(invitation)
        if reminder_due is not None:
            outbox_reschedule(about=invitation, kinds=[REMINDER], due_at=reminder_due)
    for moment in SurveyMoment.objects.filter(course_id=session.course_id, message_no_shows=True):
        due = session.ends_at + timedelta(days=moment.days_after)
        for booking in session.bookings.filter(attendance=Booking.Attendance.NO_SHOW):
            for row in _missed_rows(moment, booking).filter(status=OutboxMessage.Status.PENDING):
                row.due_at = row.next_attempt_at = due
                row.save(update_fields=["due_at", "next_attempt_at", "updated_at"])
    return len(invitations)


# --- Answers -----------------------------------------------------------------------------


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
