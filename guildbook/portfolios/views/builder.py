"""The portfolio builder: sections and the completeness check, the criteria-by-evidence
matrix, files placed in uploaded sections, and exports (confidentiality check, progress by
htmx polling with a plain refresh link as fallback, download)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.builder import portfolio_load
from guildbook.portfolios.models import PortfolioExport, SectionFile
from guildbook.portfolios.storage import private_file_response
from guildbook.qualifications.models import Section


@login_required
def builder(request, pk):
    candidacy, is_candidate = selectors.portfolio_for_user(request.user, pk=pk)
    portfolio = portfolio_load(candidacy)
    files = [e for e in selectors.evidence_of(candidacy.person) if e.file] if is_candidate else []
    return render(
        request,
        "portfolios/builder.html",
        {
            "candidacy": candidacy,
            "is_candidate": is_candidate,
            "p": portfolio,
            "files": files,
            "exports": PortfolioExport.objects.filter(candidacy=candidacy, person=request.user)[:5],
        },
    )


@login_required
@require_POST
def section_file_add(request, pk):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    section = get_object_or_404(
        Section, pk=request.POST.get("section") or 0, scheme_id=candidacy.scheme_id
    )
    try:
        evidence = selectors.evidence_for_user(request.user, pk=request.POST.get("evidence") or 0)
        services.section_file_add(
            candidacy=candidacy, section=section, evidence=evidence, actor=request.user
        )
    except Http404:
        messages.error(request, "Choose a file from your evidence log.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("portfolios:builder", pk=candidacy.pk)


@login_required
@require_POST
def section_file_remove(request, pk, placed):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    placed = get_object_or_404(SectionFile, pk=placed, candidacy=candidacy)
    services.section_file_remove(placed=placed, actor=request.user)
    return redirect("portfolios:builder", pk=candidacy.pk)


def _export(request, *, candidacy, kind):
    confirm = request.POST.get("confirm") == "yes"
    try:
        export = services.export_request(
            person=request.user, candidacy=candidacy, actor=request.user, confirm=confirm, kind=kind
        )
    except services.ConfidentialityCheck as check:
        action = (
            reverse("portfolios:revalidation_pack", args=[candidacy.pk])
            if kind == PortfolioExport.Kind.REVALIDATION
            else None
        )
        return render(
            request,
            "portfolios/confidentiality.html",
            {"candidacy": candidacy, "check": check, "kind": kind, "action": action},
        )
    return redirect("portfolios:export_status", pk=export.pk)


@login_required
@require_POST
def export(request, pk):
    return _export(
        request,
        candidacy=selectors.portfolio_own(request.user, pk=pk),
        kind=PortfolioExport.Kind.PDF,
    )


@login_required
@require_POST
def revalidation_pack(request, pk):
    candidacy = selectors.portfolio_own(request.user, pk=pk)
    try:
        return _export(request, candidacy=candidacy, kind=PortfolioExport.Kind.REVALIDATION)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portfolios:builder", pk=candidacy.pk)


@login_required
@require_POST
def export_everything(request):
    return _export(request, candidacy=None, kind=PortfolioExport.Kind.ZIP)


@login_required
def export_status(request, pk):
    export = selectors.export_for_user(request.user, pk=pk)
    template = "portfolios/_export_status.html" if request.htmx else "portfolios/export_status.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request, pk):
    export = selectors.export_for_user(request.user, pk=pk)
    if export.status != PortfolioExport.Status.DONE or not export.file:
        raise Http404
    return private_file_response(
        export.file, filename=export.download_name, content_type=export.content_type
    )
