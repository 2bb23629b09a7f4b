"""The training record as a file: CSV rows and a PDF, for the record page's downloads and
for any app that attaches a record (a funding request for a qualification fee).

One template draws the page and the PDF (WeasyPrint applies the stylesheet's print rules);
the CSV has the same rows. Only training's own rows are exported: sections other apps add to
the page are theirs to show.
"""

import csv
import io
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from guildbook.core.spreadsheets import safe_text
from guildbook.core.timefmt import format_time


def record_filename(record, ext: str) -> str:
    who = slugify(record.person.display_name) or "person"
    return f"training-record-{who}-{timezone.localdate():%Y-%m-%d}.{ext}"


def record_csv(record) -> str:
    """The record's rows as CSV text, with a byte-order mark so Excel reads it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["Course", "Category", "Date", "Start", "End", "Hours", "Status"])
    for e in record.entries:
        s = e.session
        writer.writerow(
            [
                safe_text(s.course.title),
                safe_text(s.course.category.name if s.course.category else ""),
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
    return out.getvalue()


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


def record_pdf(*, record, viewer, request=None) -> bytes:
    """The record as a PDF, drawn by the page's own template. Without a request (a service
    attaching the record), links are made absolute against SITE_URL."""
    from weasyprint import HTML

    context = {
        "record": record,
        "person": record.person,
        "own": viewer is not None and record.person.pk == viewer.pk,
        "generated_at": timezone.now(),
        "pdf": True,
        "service_name": settings.GUILDBOOK_SERVICE_NAME,
    }
    html = render_to_string("training/record.html", context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else settings.SITE_URL + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher()).write_pdf()
