"""Trainers' pages for building survey templates: the list, a template's editor with its
questions in order, question forms, inline answers, and a preview as people will see it.

Thin, like training's manage pages: only trainers and administrators get past the door
(anyone else gets a 404), every POST goes through a service, and a ServiceError is shown
beside its field or at the top of the editor. With htmx, the small changes on the editor
(moving, the impact flag, answers) swap the editor in place and announce what happened;
without it, each is an ordinary form that comes back to the editor. A change that makes a
new version always reloads the whole page, since every question in it is a new row.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.forms import form_page, posted_data, refusal_on_form, show_error
from guildbook.surveys import services
from guildbook.surveys.forms.templates import KIND_HINTS, ChoiceForm, QuestionForm, TemplateForm
from guildbook.surveys.models import Question, SurveyTemplate
from guildbook.surveys.selectors import templates as selectors
from guildbook.surveys.views import public as answer_views
from guildbook.training.roles import trainer_required


def _editor_url(template: SurveyTemplate, anchor: str = "") -> str:
    url = reverse("surveys:manage_template", args=[template.family])
    return f"{url}#{anchor}" if anchor else url


def _version_notice(template: SurveyTemplate, usage: dict) -> str:
    """What a change will do to this version, in words."""
    if not usage["frozen"]:
        return ""
    answered, sent = usage["answered"], usage["sent"]
    parts = []
    if answered:
        parts.append(
            ngettext(
                "%(n)d person has answered version %(v)d.",
                "%(n)d people have answered version %(v)d.",
                answered,
            )
            % {"n": answered, "v": template.version}
        )
    waiting = sent - answered if sent > answered else 0
    if waiting or not answered:
        parts.append(
            ngettext(
                "%(n)d invitation to it has gone out and is not answered yet.",
                "%(n)d invitations to it have gone out and are not answered yet.",
                waiting or sent,
            )
            % {"n": waiting or sent}
        )
    parts.append(
        _(
            "Your changes make version %(new)d: the courses using this template and the "
            "invitations not sent yet move to it. Answers given and e-mails sent stay with "
            "version %(old)d."
        )
        % {"new": template.version + 1, "old": template.version}
    )
    return " ".join(parts)


def _editor_context(request, template: SurveyTemplate, **extra) -> dict:
    questions = selectors.template_questions(template)
    usage = services.template_usage(template=template, now=timezone.now())
    impact = next((q for q in questions if q.is_impact), None)
    return {
        "template": template,
        "questions": questions,
        "usage": usage,
        "notice": _version_notice(template, usage),
        "impact": impact,
        "impact_without_yes": impact is not None
        and not any(c.counts_as_impact for c in impact.choices.all()),
        "kinds": [(k, label, KIND_HINTS[k]) for k, label in Question.Kind.choices],
        "courses": selectors.courses_using(template),
        "versions": selectors.template_versions(template),
        "template_form": TemplateForm(initial={"title": template.title, "intro": template.intro}),
        **extra,
    }


def _editor_page(request, template, *, status=200, **extra):
    return render(
        request,
        "surveys/templates/editor.html",
        _editor_context(request, template, **extra),
        status=status,
    )


def _after_change(
    request,
    before: SurveyTemplate,
    after: SurveyTemplate,
    message: str,
    *,
    anchor: str = "",
    focus: dict | None = None,
):
    """Back to the editor: the swapped editor for htmx, a redirect otherwise, and a full
    reload (with the news) when the change made a new version."""
    if after.pk != before.pk:
        messages.info(
            request,
            _(
                "You are now editing version %(new)d. Answers and invitations already sent "
                "stay with version %(old)d."
            )
            % {"new": after.version, "old": before.version},
        )
        messages.success(request, message)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = _editor_url(after)
            return response
        return redirect(_editor_url(after))
    if request.htmx:
        return render(
            request,
            "surveys/templates/_editor_response.html",
            # htmx focuses the [autofocus] element of the new content: the button just
            # pressed, or its twin when the row reached the top or the bottom.
            _editor_context(request, after, status_message=message, focus=focus or {}),
        )
    messages.success(request, message)
    return redirect(_editor_url(after, anchor))


def _refused(request, template: SurveyTemplate, exc: ServiceError, *, anchor: str = ""):
    if isinstance(exc, services.TemplateChanged):
        messages.error(request, exc.message)
        current = SurveyTemplate.objects.filter(family=template.family, is_current=True).first()
        target = _editor_url(current or template)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if request.htmx:
        return render(
            request,
            "surveys/templates/_editor_response.html",
            _editor_context(request, template, status_error=exc.message),
        )
    messages.error(request, exc.message)
    return redirect(_editor_url(template, anchor))


# --- The list -------------------------------------------------------------------------


@trainer_required
def template_list(request):
    return render(
        request,
        "surveys/templates/list.html",
        {
            "templates": list(selectors.templates_for_list()),
            "archived": list(selectors.templates_for_list(archived=True)),
        },
    )


@trainer_required
def template_create(request):
    form = TemplateForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            template = services.template_create(
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                actor=request.user,
            )
            messages.success(request, _("Template created. Now add its questions."))
            return redirect(_editor_url(template))
    return form_page(
        request,
        "surveys/templates/template_form.html",
        {"form": form},
        form=form,
    )


# --- One template ---------------------------------------------------------------------


@trainer_required
def template_edit(request, family):
    """The editor. POST changes the title and introduction."""
    template = selectors.template_current(family)
    if request.method != "POST":
        return _editor_page(request, template)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            changed = services.template_update(
                template=template,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                actor=request.user,
            )
        except services.TemplateChanged as exc:
            return _refused(request, template, exc)
        except ServiceError as exc:
            show_error(form, exc)
        else:
            return _after_change(request, template, changed, _("Title and introduction saved."))
    return _editor_page(request, template, status=400, template_form=form)


@trainer_required
def template_preview(request, family):
    """The survey as people will see it (any version: ?version=2)."""
    if request.GET.get("version"):
        template = selectors.template_version(family, request.GET["version"])
    else:
        template = selectors.template_current(family)
    questions = selectors.template_questions(template)
    rows = answer_views._rows(questions, {}, {})
    return render(
        request,
        "surveys/templates/preview.html",
        {
            "template": template,
            "first": rows[0] if rows else None,
            "rest": rows[1:],
            "is_current": template.is_current,
        },
    )


@trainer_required
@require_POST
def template_duplicate(request, family):
    template = selectors.template_current(family)
    copy = services.template_duplicate(template=template, actor=request.user)
    messages.success(
        request,
        _("This is a copy of “%(title)s”. Change it as you like.") % {"title": template.title},
    )
    return redirect(_editor_url(copy))


@trainer_required
@require_POST
def template_archive(request, family):
    template = selectors.template_current(family)
    try:
        services.template_archive(template=template, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_editor_url(template))
    messages.success(
        request,
        _("“%(title)s” is archived. Its answers are kept.") % {"title": template.title},
    )
    return redirect("surveys:manage_templates")


@trainer_required
@require_POST
def template_restore(request, family):
    template = selectors.template_current(family)
    services.template_restore(template=template, actor=request.user)
    messages.success(request, _("“%(title)s” is back in the list.") % {"title": template.title})
    return redirect(_editor_url(template))


# --- Questions ------------------------------------------------------------------------


def _question_form(request, template, form, *, kind, question=None):
    """The form for a new question (`question` None) or one being edited. A valid POST saves
    it and goes back to the editor at the question, or to the refusal when the survey has
    moved on; otherwise the form again, 400 when it was posted, with the service's refusal
    beside its field."""
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                saved = services.question_add(
                    template=template, actor=request.user, **form.service_fields()
                )
                message = _("Question %(n)d added.")
            else:
                saved = services.question_update(
                    question=question, actor=request.user, **form.service_fields()
                )
                message = _("Question %(n)d saved.")
        except services.TemplateChanged as exc:
            return _refused(request, template, exc)
        except ServiceError as exc:
            show_error(form, exc)
        else:
            return _after_change(
                request,
                template,
                saved.template,
                message % {"n": saved.position},
                anchor=f"q{saved.position}",
            )
    return form_page(
        request,
        "surveys/templates/question_form.html",
        {
            "template": template,
            "form": form,
            "question": question,
            "kind_label": Question.Kind(kind).label,
            "kind_hint": KIND_HINTS[kind],
            "notice": _version_notice(
                template, services.template_usage(template=template, now=timezone.now())
            ),
        },
        form=form,
    )


@trainer_required
def question_add(request, family, kind):
    template = selectors.template_current(family)
    if kind not in Question.Kind.values:
        return redirect(_editor_url(template, "add-heading"))
    questions = selectors.template_questions(template)
    form = QuestionForm(posted_data(request), kind=kind, questions=questions)
    return _question_form(request, template, form, kind=kind)


@trainer_required
def question_edit(request, pk):
    question = selectors.question_for_editing(pk)
    template = question.template
    if not template.is_current:
        return _refused(request, template, _stale())
    questions = selectors.template_questions(template)
    form = QuestionForm(
        posted_data(request), kind=question.kind, questions=questions, question=question
    )
    return _question_form(request, template, form, kind=question.kind, question=question)


def _stale() -> services.TemplateChanged:
    return services.TemplateChanged(
        _("This version has been replaced by a newer one. Here is the latest version."),
        field="template",
    )


@trainer_required
def question_remove(request, pk):
    """GET asks for confirmation; POST removes."""
    question = selectors.question_for_editing(pk)
    template = question.template
    if request.method != "POST":
        if not template.is_current:
            return _refused(request, template, _stale())
        return render(
            request,
            "surveys/templates/question_remove.html",
            {
                "template": template,
                "question": question,
                "notice": _version_notice(
                    template, services.template_usage(template=template, now=timezone.now())
                ),
            },
        )
    try:
        changed = services.question_remove(question=question, actor=request.user)
    except ServiceError as exc:
        return _refused(request, template, exc, anchor=f"q{question.position}")
    return _after_change(
        request, template, changed, _("Question %(n)d removed.") % {"n": question.position}
    )


@trainer_required
@require_POST
def question_move(request, pk):
    question = selectors.question_for_editing(pk)
    template = question.template
    direction = request.POST.get("direction", "")
    try:
        moved = services.question_move(question=question, direction=direction, actor=request.user)
    except ServiceError as exc:
        return _refused(request, template, exc, anchor=f"q{question.position}")
    return _after_change(
        request,
        template,
        moved.template,
        _("Question moved to number %(n)d.") % {"n": moved.position},
        anchor=f"q{moved.position}",
        focus={"question": moved.pk, "direction": direction},
    )


@trainer_required
@require_POST
def question_impact(request, pk):
    """Make this the impact question (impact=yes) or have none (impact=no)."""
    question = selectors.question_for_editing(pk)
    template = question.template
    wanted = request.POST.get("impact") == "yes"
    try:
        services.question_set_impact(
            template=template, question=question if wanted else None, actor=request.user
        )
    except ServiceError as exc:
        return _refused(request, template, exc, anchor=f"q{question.position}")
    current = SurveyTemplate.objects.get(family=template.family, is_current=True)
    message = (
        _("Question %(n)d is the impact question.") % {"n": question.position}
        if wanted
        else _("This template has no impact question now.")
    )
    return _after_change(request, template, current, message, anchor=f"q{question.position}")


# --- Answers to choose from -----------------------------------------------------------


@trainer_required
@require_POST
def choice_add(request, pk):
    question = selectors.question_for_editing(pk)
    template = question.template
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            template,
            ServiceError(_("Type the answer to add."), field="label"),
            anchor=f"q{question.position}",
        )
    try:
        choice = services.choice_add(
            question=question,
            label=form.cleaned_data["label"],
            counts_as_impact=form.cleaned_data["counts_as_impact"],
            actor=request.user,
        )
    except ServiceError as exc:
        return _refused(request, template, exc, anchor=f"q{question.position}")
    return _after_change(
        request,
        template,
        choice.question.template,
        _("Answer “%(label)s” added to question %(n)d.")
        % {"label": choice.label, "n": question.position},
        anchor=f"q{question.position}",
    )


@trainer_required
@require_POST
def choice_change(request, pk):
    """One answer's row: save its wording, move it up or down, or remove it."""
    choice = selectors.choice_for_editing(pk)
    question = choice.question
    template = question.template
    action = request.POST.get("action", "save")
    anchor = f"q{question.position}"
    try:
        if action == "remove":
            changed = services.choice_remove(choice=choice, actor=request.user)
            message = _("Answer “%(label)s” removed.") % {"label": choice.label}
        elif action in ("up", "down"):
            order = list(question.choices.order_by("position").values_list("pk", flat=True))
            i = order.index(choice.pk)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
            changed = services.choices_reorder(
                question=question, order=order, actor=request.user
            ).template
            message = _("Answer “%(label)s” moved %(direction)s.") % {
                "label": choice.label,
                "direction": _("up") if action == "up" else _("down"),
            }
        else:
            form = ChoiceForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("An answer cannot be empty."), field="label")
            changed = services.choice_update(
                choice=choice,
                label=form.cleaned_data["label"],
                counts_as_impact=form.cleaned_data["counts_as_impact"],
                actor=request.user,
            ).question.template
            message = _("Answer “%(label)s” saved.") % {"label": form.cleaned_data["label"]}
    except ServiceError as exc:
        return _refused(request, template, exc, anchor=anchor)
    if action == "remove":
        focus = {"add": question.pk}
    elif action in ("up", "down"):
        focus = {"choice": choice.pk, "direction": action}
    else:
        focus = {}
    return _after_change(request, template, changed, message, anchor=anchor, focus=focus)
