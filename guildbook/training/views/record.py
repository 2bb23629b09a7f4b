"""The training record: every course a person booked and attended, with hours.

The files (CSV and PDF) are built by guildbook.training.record_export, which other apps use
too. The page also draws sections that higher apps add through
guildbook.training.record (e.g. a person's own follow-up survey answers).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from guildbook.core.audit import audit_record
from guildbook.training import record as record_sections
from guildbook.training import record_export, selectors


@login_required
def my_record(request, fmt="html"):
    return _record(request, request.user, fmt)


@login_required
def person_record(request, pk, fmt="html"):
    person = selectors.person_for_record(request.user, pk=pk)
    if person.pk != request.user.pk:
        audit_record(actor=request.user, action="training_record_viewed", subject=person, fmt=fmt)
    return _record(request, person, fmt)


def _record(request, person, fmt):
    record = selectors.training_record_for(request.user, person)
    context = {
        "record": record,
        "person": person,
        "own": person.pk == request.user.pk,
        "generated_at": timezone.now(),
    }
    if fmt == "csv":
        return _record_csv(record)
    if fmt == "pdf":
        return _record_pdf(request, context)
    context["extra_sections"] = record_sections.extra_sections(request.user, person)
    return render(request, "training/record.html", context)


def _record_csv(record) -> HttpResponse:
    response = HttpResponse(
        record_export.record_csv(record), content_type="text/csv; charset=utf-8"
    )
    filename = record_export.record_filename(record, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _record_pdf(request, context) -> HttpResponse:
    record = context["record"]
    pdf = record_export.record_pdf(record=record, viewer=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = record_export.record_filename(record, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def people(request):
    q = request.GET.get("q", "").strip()[:200]
    qs = selectors.people_for_records(request.user, query=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "training/people.html", {"page": page, "q": q})
