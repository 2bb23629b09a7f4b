"""Staff development officers' pages: the queue of funding requests, deciding one, recording
payment, and the yearly report per team (page, CSV, XLSX). Everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guildbook.core.errors import ServiceError
from guildbook.core.forms import form_page, posted_data, refusal_on_form
from guildbook.qualifications import exports, forms, roles, selectors, services
from guildbook.qualifications.models import FundingRequest
from guildbook.qualifications.roles import officer_required

STATUSES = ["requested", "approved", "paid", "declined"]


@officer_required
def queue(request):
    status = request.GET.get("status", "requested")
    if status not in STATUSES:
        status = "requested"
    page = Paginator(selectors.funding_queue(request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "qualifications/funding_queue.html",
        {"page": page, "status": status, "statuses": FundingRequest.Status.choices},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    funding = selectors.funding_for_officer(request.user, pk=pk)
    form = forms.FundingDecisionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        answer = request.POST.get("answer")
        comment = form.cleaned_data["comment"]
        with refusal_on_form(form):
            if answer == "approve":
                services.funding_request_approve(
                    funding=funding, actor=request.user, comment=comment
                )
                messages.success(request, _("Approved. The candidate has been told."))
            elif answer == "decline":
                services.funding_request_decline(
                    funding=funding, actor=request.user, comment=comment
                )
                messages.success(request, _("Declined. The candidate has been told."))
            elif answer == "paid":
                services.funding_request_pay(
                    funding=funding, actor=request.user, reference=form.cleaned_data["reference"]
                )
                messages.success(request, _("The payment is recorded."))
            else:
                raise ServiceError(_("Choose approve, decline or paid."))
            return redirect("qualifications:funding_queue")
    return form_page(
        request,
        "qualifications/funding_detail.html",
        {"funding": funding, "form": form},
        form=form,
    )


@login_required
def record_pdf(request, pk):
    """The training record attached to a request: for officers and the candidate."""
    funding = FundingRequest.objects.select_related("candidacy").filter(pk=pk).first()
    allowed = funding is not None and (
        funding.candidacy.person_id == request.user.pk or roles.can_decide_funding(request.user)
    )
    if not allowed or not funding.training_record:
        raise Http404("No such file")
    return FileResponse(
        funding.training_record.open("rb"),
        as_attachment=True,
        filename=funding.training_record.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@officer_required
def report(request):
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    rows = selectors.funding_report(request.user, year=year)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="funding-{year}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(rows, year=year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="funding-{year}.xlsx"'
        return response
    header, body = exports.report_rows(rows)
    return render(
        request,
        "qualifications/funding_report.html",
        {
            "year": year,
            "header": header,
            "body": body,
            "years": list(range(this_year, this_year - 5, -1)),
        },
    )
