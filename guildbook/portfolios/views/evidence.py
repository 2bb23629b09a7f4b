"""Pages of the evidence log. Thin: they read through selectors and write through services;
another person's entry (or its file) is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.views import refusal_as_message
from guildbook.portfolios import selectors, services
from guildbook.portfolios.forms import EvidenceForm
from guildbook.portfolios.models import Evidence
from guildbook.portfolios.storage import private_file_response
from guildbook.portfolios.text import render_markdown
from guildbook.qualifications.models import Candidacy
from guildbook.surveys import selectors as survey_selectors


def _form_error(form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "file" and "photo" in form.fields:
        field = "file"
    form.add_error(field, exc.message)


@login_required
def evidence_log(request):
    kind = request.GET.get("kind", "")
    if kind not in Evidence.Kind.values:
        kind = ""
    query = request.GET.get("q", "").strip()[:100]
    entries = list(selectors.evidence_log(request.user, kind=kind, query=query))
    return render(
        request,
        "portfolios/evidence_log.html",
        {
            "entries": entries,
            "kinds": Evidence.Kind.choices,
            "kind": kind,
            "query": query,
            "cpd_hours": selectors.cpd_hours(request.user),
            "drafts": sum(1 for e in entries if e.is_draft),
            "candidacies": Candidacy.objects.filter(person=request.user)
            .select_related("scheme")
            .order_by("-started_on"),
        },
    )


def _open_candidacies(user):
    return [
        c
        for c in Candidacy.objects.filter(person=user, status__in=Candidacy.OPEN_STATUSES)
        .select_related("scheme")
        .prefetch_related("scheme__criteria")
    ]


@login_required
def evidence_add(request):
    form = EvidenceForm(
        request.POST or None, request.FILES or None, candidacies=_open_candidacies(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidacy, codes = form.candidacy_and_codes()
        try:
            evidence = services.evidence_create(
                person=request.user,
                kind=data["kind"],
                hours=data["hours"],
                candidacy=candidacy,
                criteria=codes,
                upload=form.upload(),
                actor=request.user,
                **form.entry_fields(),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Added to your log as {evidence.label}.")
            return redirect("portfolios:evidence", pk=evidence.pk)
    return render(request, "portfolios/evidence_form.html", {"form": form, "evidence": None})


def _reflection_answer(evidence: Evidence):
    """The person's own named follow-up answer for this entry's session, if any."""
    if not evidence.booking_id:
        return None
    for response in survey_selectors.my_answers(evidence.person):
        if response.session_id == evidence.booking.session_id and response.lines:
            return response
    return None


@login_required
def evidence_detail(request, pk):
    evidence = selectors.evidence_for_user(request.user, pk=pk)
    return render(
        request,
        "portfolios/evidence_detail.html",
        {
            "evidence": evidence,
            "html": render_markdown(evidence.text),
            "answer": _reflection_answer(evidence),
            "cited_in": selectors.citations(evidence),
        },
    )


@login_required
def evidence_edit(request, pk):
    evidence = selectors.evidence_for_user(request.user, pk=pk)
    initial = {
        "title": evidence.title,
        "date": evidence.date,
        "text": evidence.text,
        "url": evidence.url,
        "tags": evidence.tags,
        "hours": evidence.hours,
        "skills_areas": list(evidence.skills_areas.all()),
    }
    form = EvidenceForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_update(
                evidence=evidence,
                actor=request.user,
                hours=data["hours"] if data["hours"] is not None else "",
                **form.entry_fields(),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"{evidence.label} saved.")
            return redirect("portfolios:evidence", pk=evidence.pk)
    return render(request, "portfolios/evidence_form.html", {"form": form, "evidence": evidence})


@login_required
def evidence_delete(request, pk):
    evidence = selectors.evidence_for_user(request.user, pk=pk)
    if request.method == "POST":
        services.evidence_delete(evidence=evidence, actor=request.user)
        messages.success(request, f"{evidence.label} deleted.")
        return redirect("portfolios:evidence_log")
    return render(request, "portfolios/evidence_delete.html", {"evidence": evidence})


@login_required
def evidence_file(request, pk):
    """An entry's file, for its owner only. Pictures and PDFs open in the browser; anything
    else downloads. The type sent is the one found by content when it was uploaded."""
    evidence = selectors.evidence_for_user(request.user, pk=pk)
    if not evidence.file:
        raise Http404
    inline = evidence.is_image or evidence.file_type == "application/pdf"
    return private_file_response(
        evidence.file,
        filename=evidence.file_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.file_type or "application/octet-stream",
        inline=inline,
    )


@login_required
@require_POST
def evidence_save_reflection(request, pk):
    evidence = selectors.evidence_for_user(request.user, pk=pk)
    answer = _reflection_answer(evidence)
    if answer is None:
        raise Http404
    with refusal_as_message(request):
        services.evidence_add_survey_answer(
            evidence=evidence, lines=answer.lines, actor=request.user
        )
        messages.success(request, "Your follow-up answer is now part of this reflection.")
    return redirect(reverse("portfolios:evidence", args=[evidence.pk]))
