"""The evaluative statement editor (the candidate) and reader (a mentor it is shared with)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.views import refusal_as_message
from guildbook.portfolios import selectors, services
from guildbook.portfolios.statements import statement_report
from guildbook.portfolios.text import render_markdown


def _evidence_url(candidacy, is_candidate):
    numbers = dict(selectors.evidence_of(candidacy.person).values_list("number", "pk"))

    def url(n: int):
        if n not in numbers:
            return None
        if is_candidate:
            return reverse("portfolios:evidence", args=[numbers[n]])
        return f"#E{n}"

    return url


@login_required
def statement(request, pk):
    candidacy, is_candidate = selectors.portfolio_for_user(request.user, pk=pk)
    drafts = selectors.statement_drafts(candidacy)
    latest = drafts[0] if drafts else None
    text = latest.text if latest else ""
    budgets = latest.budgets if latest else {}
    error = None
    if request.method == "POST":
        if not is_candidate:
            raise Http404
        text = request.POST.get("text", "")
        budgets = {
            key.removeprefix("budget-"): value
            for key, value in request.POST.items()
            if key.startswith("budget-")
        }
        try:
            draft = services.statement_save(
                candidacy=candidacy, text=text, actor=request.user, budgets=budgets
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"Draft {draft.version} saved: {draft.words:,} words.")
            return redirect("portfolios:statement", pk=candidacy.pk)
    report = statement_report(
        candidacy, text, budgets={k: v for k, v in budgets.items() if str(v).isdigit()}
    )
    return render(
        request,
        "portfolios/statement.html",
        {
            "candidacy": candidacy,
            "is_candidate": is_candidate,
            "text": text,
            "report": report,
            "drafts": drafts,
            "latest": latest,
            "error": error,
            "html": render_markdown(text, reference_url=_evidence_url(candidacy, is_candidate)),
        },
    )


@login_required
@require_POST
def statement_comment(request, pk, version):
    candidacy, is_candidate = selectors.portfolio_for_user(request.user, pk=pk)
    draft = next((d for d in selectors.statement_drafts(candidacy) if d.version == version), None)
    if draft is None or is_candidate:
        raise Http404
    with refusal_as_message(request):
        services.statement_comment(draft=draft, actor=request.user, text=request.POST.get("text"))
        messages.success(request, "Your comment is saved with the draft.")
    return redirect("portfolios:statement", pk=candidacy.pk)


@login_required
@require_POST
def share(request, pk):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    shared = request.POST.get("shared") == "yes"
    try:
        services.mentor_share_set(
            candidacy=candidacy,
            actor=request.user,
            shared=shared,
            confirm=request.POST.get("confirm") == "yes",
        )
    except services.ConfidentialityCheck as check:
        return render(
            request,
            "portfolios/confidentiality.html",
            {
                "candidacy": candidacy,
                "check": check,
                "action": reverse("portfolios:share", args=[candidacy.pk]),
                "extra": {"shared": "yes"},
                "button": "These are fine: share with my mentor",
            },
        )
    messages.success(
        request,
        "Your mentor can now read your portfolio and comment."
        if shared
        else "Your portfolio is no longer shared with your mentor.",
    )
    return redirect(request.POST.get("next") or reverse("portfolios:statement", args=[pk]))
