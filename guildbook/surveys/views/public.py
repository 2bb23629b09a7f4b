"""The pages people reach from survey e-mails: the survey itself and an external survey's
completion page. No sign-in: the link's token names the invitation (tokens.py).

A GET never records anything (mail scanners follow links): a one-click answer from the
e-mail opens the survey with that answer chosen, and the "Send my answer" button records
it. A link that cannot be used — changed, made for something else, withdrawn, or after the
survey closed — gets a page that says so plainly and what to do, never an error page.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from guildbook.core.errors import ServiceError
from guildbook.surveys import services, tokens
from guildbook.surveys.models import Invitation, Question


def _unavailable(request, reason: str, invitation: Invitation | None = None):
    """The friendly page for a link that cannot be used. 410 once the survey is over for
    this person (closed, withdrawn); 200 for a link we cannot read."""
    return render(
        request,
        "surveys/answer_unavailable.html",
        {
            "reason": reason,
            "invitation": invitation,
            "course": invitation.session.course if invitation else None,
        },
        status=200 if reason == "invalid" else 410,
    )


def _questions(invitation: Invitation) -> list[Question]:
    return list(
        Question.objects.filter(template=invitation.template)
        .select_related("show_if_choice")
        .prefetch_related("choices")
        .order_by("position", "id")
    )


def _given(invitation: Invitation) -> dict[int, list[str]]:
    """A named person's current answers, as the form sends them."""
    response = getattr(invitation, "response", None) if not invitation.moment.anonymous else None
    given: dict[int, list[str]] = {}
    if response is None:
        return given
    for answer in response.answers.all():
        if answer.choice_id:
            value = str(answer.choice_id)
        elif answer.number is not None:
            value = str(answer.number)
        else:
            value = answer.text
        given.setdefault(answer.question_id, []).append(value)
    return given


def _one_click(request, questions: list[Question]) -> dict[int, list[str]]:
    """?choice=<id> or ?scale=<n> from an e-mail button: the first question's answer."""
    if not questions:
        return {}
    first = questions[0]
    choice = request.GET.get("choice", "")
    if (
        choice
        and first.kind in Question.CHOICE_KINDS
        and any(str(c.pk) == choice for c in first.choices.all())
    ):
        return {first.pk: [choice]}
    scale = request.GET.get("scale", "")
    if scale in {"1", "2", "3", "4", "5"} and first.kind == Question.Kind.SCALE:
        return {first.pk: [scale]}
    return {}


def _rows(questions, values, errors) -> list[dict]:
    """What the template needs for each question: its field name, the values to show as
    chosen or typed, its error, and its condition (for conditions.js and for people
    without scripts, who see every question with a note of when it applies)."""
    rows = []
    for number, question in enumerate(questions, start=1):
        name = services.field_name(question)
        chosen = values.get(question.pk, [])
        parent = next((q for q in questions if q.pk == question.show_if_question_id), None)
        rows.append(
            {
                "question": question,
                "number": number,
                "name": name,
                "chosen": chosen,
                "text": chosen[0] if chosen and question.kind in Question.TEXT_KINDS else "",
                "choices": [
                    {"choice": c, "id": f"{name}-{c.pk}", "checked": str(c.pk) in chosen}
                    for c in question.choices.all()
                ],
                "scale": [
                    {"value": n, "id": f"{name}-{n}", "checked": str(n) in chosen}
                    for n in range(1, 6)
                ],
                "error": errors.get(name, ""),
                "condition": (
                    {
                        "field": services.field_name(parent),
                        "choice": question.show_if_choice_id,
                        "label": question.show_if_choice.label,
                        "number": questions.index(parent) + 1,
                    }
                    if parent is not None and question.show_if_choice is not None
                    else None
                ),
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    now = timezone.now()
    try:
        invitation = tokens.invitation_from_token(token, "answer", now=now)
    except tokens.BadToken as bad:
        return _unavailable(request, bad.reason, bad.invitation)
    moment = invitation.moment
    answered = invitation.answered_at is not None
    if answered and moment.anonymous:
        # Nothing to show or change: the answers cannot be found again, by design.
        return render(
            request,
            "surveys/answer_done.html",
            {
                "invitation": invitation,
                "course": invitation.session.course,
                "thanks": "thanks" in request.GET,
            },
        )
    questions = _questions(invitation)
    errors: dict[str, str] = {}
    values: dict[int, list[str]]
    status = 200
    if request.method == "POST":
        values = {q.pk: request.POST.getlist(services.field_name(q)) for q in questions}
        try:
            services.response_submit(invitation=invitation, answers=values, now=now)
        except services.AnswersInvalid as exc:
            errors, status = exc.errors, 400
        except ServiceError as exc:
            if exc.code in ("closed", "void"):
                return _unavailable(request, exc.code, invitation)
            errors, status = {"": exc.message}, 409
        else:
            return redirect(request.path + "?thanks=1")
    else:
        values = _given(invitation) if answered else {}
        values.update(_one_click(request, questions))
    rows = _rows(questions, values, errors)
    first, rest = (rows[0], rows[1:]) if rows else (None, [])
    # With a one-click answer and nothing else required, the rest folds away under
    # "Tell us more", so the button sits right below the first answer.
    fold = bool(
        first
        and first["chosen"]
        and rest
        and not errors
        and not any(r["question"].required or r["chosen"] for r in rest)
    )
    return render(
        request,
        "surveys/answer.html",
        {
            "invitation": invitation,
            "moment": moment,
            "template": invitation.template,
            "course": invitation.session.course,
            "session": invitation.session,
            "first": first,
            "rest": rest,
            "fold": fold,
            "errors": errors,
            "form_error": errors.get("", ""),
            "answered": answered,
            "thanks": answered and "thanks" in request.GET and request.method == "GET",
            "preselected": bool(first and first["chosen"]) and not answered,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def external_done(request, token):
    """Where an external survey sends people when they finish (its "{token}" placeholder
    carries this page's token): the invitation counts as answered, so no reminder goes.
    Recording on a GET is safe here: the token is only ever in the external survey's own
    completion redirect, never in an e-mail, and recording twice changes nothing."""
    now = timezone.now()
    try:
        invitation = tokens.invitation_from_token(token, "done", now=now)
        invitation = services.invitation_mark_done(invitation=invitation, now=now)
    except tokens.BadToken as bad:
        return _unavailable(request, bad.reason, bad.invitation)
    except ServiceError as exc:
        return _unavailable(request, exc.code if exc.code in ("closed", "void") else "invalid")
    return render(
        request,
        "surveys/answer_done.html",
        {
            "invitation": invitation,
            "course": invitation.session.course,
            "thanks": True,
            "external": True,
        },
    )
