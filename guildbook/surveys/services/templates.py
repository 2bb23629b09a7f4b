"""Survey templates: creating, changing, archiving and copying them, and their versions.

Trainers build templates in the app. A version that has been used — somebody answered it,
or an invitation to it has gone out (its e-mail shows the first question's choices) — is
frozen: the first change to it copies it into a new version, makes that one current and
moves everything that has not been sent yet (the course moments and the unsent
invitations) over to it, in the same transaction. Answers keep pointing at the questions
that were asked. Every change takes the template's row lock first, so two trainers
cannot both copy the same version, and a change aimed at a replaced version is refused.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError
from guildbook.surveys.models import (
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)


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
