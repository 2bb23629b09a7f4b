"""The training record: every course a person booked and attended, with hours.

One template draws the page and the PDF (WeasyPrint applies the stylesheet's print rules);
the CSV has the same rows. The page also draws sections that higher apps add through
guildbook.training.record (e.g. a person's own follow-up survey answers).
"""

import csv
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from guildbook.core.timefmt import format_time
from guildbook.training import record as record_sections
from guildbook.training import selectors


@login_required
def my_record(request, fmt="html"):
    return _record(request, request.user, fmt)


@login_required
def person_record(request, pk, fmt="html"):
    person = selectors.person_for_record(request.user, pk=pk)
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


def _filename(record, ext: str) -> str:
    who = slugify(record.person.display_name) or "person"
    return f"training-record-{who}-{timezone.localdate():%Y-%m-%d}.{ext}"


def _cell(value) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula: keep it as text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _record_csv(record) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(record, "csv")}"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["Course", "Category", "Date", "Start", "End", "Hours", "Status"])
    for e in record.entries:
        s = e.session
        writer.writerow(
            [
                _cell(s.course.title),
                _cell(s.course.category.name if s.course.category else ""),
                timezone.localtime(s.starts_at).date().isoformat(),
                format_time(s.starts_at),
                format_time(s.ends_at),
                e.hours_text,
                e.record_status_words,
            ]
        )
    writer.writerow([])
    writer.writerow(["Sessions attended", record.attended_count])
    writer.writerow(["Hours of training attended", record.attended_hours_text])
    return response


def _static_file(url: str) -> Path:
    """WeasyPrint may read our own static files and nothing else (no network fetches)."""
    path = urlparse(url).path
    if path.startswith(settings.STATIC_URL):
        found = finders.find(path[len(settings.STATIC_URL) :])
        if found:
            return Path(found)
    raise ValueError(f"Not fetched while making a PDF: {url}")


def _mime(path: Path) -> str:
    return "text/css" if path.suffix == ".css" else "application/octet-stream"


def _url_fetcher():
    try:  # WeasyPrint 68 and later: a URLFetcher object answering URLFetcherResponse
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # earlier versions: a function answering a dict
        return lambda url: {
            "string": _static_file(url).read_bytes(),
            "mime_type": _mime(_static_file(url)),
        }

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = _static_file(url)
            return URLFetcherResponse(
                url, body=found.read_bytes(), headers={"Content-Type": _mime(found)}
            )

    return StaticOnlyFetcher()


def _record_pdf(request, context) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string("training/record.html", {**context, "pdf": True}, request=request)
    pdf = HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_url_fetcher()
    ).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(context["record"], "pdf")}"'
    )
    return response


@login_required
def people(request):
    q = request.GET.get("q", "").strip()[:200]
    qs = selectors.people_for_records(request.user, query=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "training/people.html", {"page": page, "q": q})
