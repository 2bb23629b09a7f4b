"""Sharing pages: the candidate's assessor links, and what an assessor sees without an
account (read-only; a 404 once the link has expired or been revoked)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.builder import portfolio_load
from guildbook.portfolios.models import AssessorLink
from guildbook.portfolios.storage import private_file_response
from guildbook.portfolios.text import render_markdown


@login_required
def links(request, pk):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    check = None
    if request.method == "POST":
        try:
            link = services.assessor_link_create(
                candidacy=candidacy,
                actor=request.user,
                label=request.POST.get("label", ""),
                days=request.POST.get("days") or 30,
                confirm=request.POST.get("confirm") == "yes",
            )
        except services.ConfidentialityCheck as found:
            check = found
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"A link for {link.label} is ready below.")
            return redirect("portfolios:assessor_links", pk=candidacy.pk)
    rows = [
        (
            link,
            request.build_absolute_uri(
                reverse("portfolios:assessor", args=[services.assessor_link_token(link)])
            ),
        )
        for link in AssessorLink.objects.filter(candidacy=candidacy)
    ]
    return render(
        request,
        "portfolios/assessor_links.html",
        {"candidacy": candidacy, "rows": rows, "check": check, "posted": request.POST},
    )


@login_required
@require_POST
def link_revoke(request, pk, link):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    link = get_object_or_404(AssessorLink, pk=link, candidacy=candidacy)
    services.assessor_link_revoke(link=link, actor=request.user)
    messages.success(request, f"The link for {link.label} no longer works.")
    return redirect("portfolios:assessor_links", pk=candidacy.pk)


def _link(token):
    link = services.assessor_link_from_token(token)
    if link is None:
        raise Http404
    return link


def assessor(request, token):
    link = _link(token)
    portfolio = portfolio_load(link.candidacy)
    anchors = {e.number: f"#E{e.number}" for e in portfolio.evidence}
    entries = [(e, render_markdown(e.text, reference_url=anchors.get)) for e in portfolio.evidence]
    response = render(
        request,
        "portfolios/assessor.html",
        {
            "link": link,
            "token": token,
            "p": portfolio,
            "candidacy": link.candidacy,
            "statement_html": render_markdown(
                portfolio.statement.text if portfolio.statement else "",
                reference_url=anchors.get,
            ),
            "entries": entries,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def assessor_file(request, token, evidence):
    link = _link(token)
    portfolio = portfolio_load(link.candidacy)
    e = next((e for e in portfolio.evidence if e.pk == evidence and e.file), None)
    if e is None:
        raise Http404
    return private_file_response(
        e.file,
        filename=e.file_name,
        content_type=e.file_type,
        inline=e.is_image or e.file_type == "application/pdf",
    )
