"""The revalidation pack: one click makes a PDF distinct from the portfolio (cover, CPD log of
the rolling 12 months against the scheme's 20 hours, the 250-word reflective statement, the
evidence it cites, the training record of those months), built by `guildbook worker` and
read back with pypdf."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from guildbook.core.errors import ServiceError
from guildbook.portfolios import services
from guildbook.portfolios.builder import revalidation_pack_load
from guildbook.portfolios.models import PortfolioExport
from guildbook.portfolios.pdf import portfolio_pdf
from guildbook.training.models import Booking
from tests.factories import BookingFactory, SessionFactory
from tests.portfolios.conftest import add, upload
from tests.portfolios.test_pdf import contents_numbers, marked_pdf, outline_pages, start


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def revalidation(candidate):
    """A Revalidation candidacy: 10.5 hours in the last 12 months, 3 more before them, a
    statement citing two entries, and a session attended in each period."""
    candidacy = start(candidate, "revalidation-2021")
    reading = add(candidate, title="Reading on evidence synthesis", date=days_ago(40), hours="6")
    poster = add(
        candidate,
        kind="file",
        title="Conference poster",
        date=days_ago(100),
        hours="3",
        upload=upload("poster.pdf", marked_pdf(2, "POSTER")),
    )
    add(candidate, title="Uncited webinar", text="UNCITEDTEXT", date=days_ago(10), hours="1.5")
    add(candidate, title="Course from long ago", date=days_ago(400), hours="3")
    for title, when in (("Searching the evidence", 30), ("Old induction", 420)):
        BookingFactory(
            person=candidate,
            session=SessionFactory(
                course__title=title, starts_at=timezone.now() - timedelta(days=when)
            ),
            attendance=Booking.Attendance.ATTENDED,
        )
    services.statement_save(
        candidacy=candidacy,
        text=(
            f"## Reflection on the difference your development made\n\n"
            f"Reading [E{reading.number}] changed how I search; my poster [E{poster.number}] "
            "shared it."
        ),
        actor=candidate,
    )
    return candidacy


def test_the_pack_has_its_own_sections_with_real_page_numbers(revalidation):
    pack = revalidation_pack_load(revalidation)
    pdf, pages = portfolio_pdf(pack)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    texts = [p.extract_text() for p in reader.pages]
    assert texts[0].lstrip().startswith("Revalidation pack")
    assert "10.50 hours of 20 needed" in texts[0]
    assert "DRAFT" in texts[0]  # 10.50 hours of 20: not ready
    # Contents after the cover; its numbers are where each section starts, as bookmarks say.
    numbers = contents_numbers(reader, 1)
    bookmarks = outline_pages(reader)
    titles = [s.section.title for s in pack.sections]
    assert titles == [
        "CPD log: the last 12 months",
        "Reflective statement",
        "Evidence cited",
        "Training record: the last 12 months",
    ]
    for title in titles:
        assert numbers[title] == bookmarks[title], title
        assert texts[numbers[title] - 1].lstrip().startswith(title), title
    # The CPD log: each entry with its hours, the total against 20, nothing older.
    log = texts[numbers["CPD log: the last 12 months"] - 1]
    assert "Reading on evidence synthesis" in log and "Uncited webinar" in log
    assert "Course from long ago" not in log
    assert "Total (needed: 20) 10.50" in log
    # The statement, then only the evidence it cites, the poster merged in place.
    assert "changed how I search" in texts[numbers["Reflective statement"] - 1]
    assert "UNCITEDTEXT" not in "".join(texts)
    poster = [i for i, t in enumerate(texts) if "POSTER page" in t]
    assert len(poster) == 2 and poster[0] >= numbers["Evidence cited"]
    assert "E1 Reading on evidence synthesis" in bookmarks
    # The training record of the same 12 months.
    record = texts[numbers["Training record: the last 12 months"] - 1]
    assert "Searching the evidence" in record and "Old induction" not in record


def test_one_click_builds_the_pack_under_the_worker(
    candidate, revalidation, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(candidate)
    builder = client.get(reverse("portfolios:builder", args=[revalidation.pk]))
    assert "Make the revalidation pack" in builder.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("portfolios:revalidation_pack", args=[revalidation.pk]))
    export = PortfolioExport.objects.get()
    assert made["Location"] == reverse("portfolios:export_status", args=[export.pk])
    assert export.kind == "revalidation" and export.status == "queued"
    status = client.get(made["Location"])
    assert "Revalidation pack" in status.content.decode()
    call_command("worker", "--once", verbosity=0)
    export.refresh_from_db()
    assert (export.status, export.progress, export.error) == ("done", 100, "")
    download = client.get(reverse("portfolios:export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "revalidation-pack-" in download["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == export.pages
    assert reader.pages[0].extract_text().lstrip().startswith("Revalidation pack")


def test_no_pack_for_a_scheme_without_cpd_hours(candidate, candidacy):
    with pytest.raises(ServiceError) as refused:
        services.export_request(
            person=candidate, candidacy=candidacy, actor=candidate, kind="revalidation"
        )
    assert refused.value.field == "kind"
    client = Client()
    client.force_login(candidate)
    assert (
        "Make the revalidation pack"
        not in client.get(reverse("portfolios:builder", args=[candidacy.pk])).content.decode()
    )
    response = client.post(reverse("portfolios:revalidation_pack", args=[candidacy.pk]))
    assert response.status_code == 302 and not PortfolioExport.objects.exists()


def test_the_api_makes_the_pack(candidate, revalidation, django_capture_on_commit_callbacks):
    from tests.api.conftest import ApiClient, assert_error

    api = ApiClient(candidate)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(
            f"/api/v1/candidacies/{revalidation.pk}/exports", {"kind": "revalidation"}
        )
    assert accepted.status_code == 202, accepted.content
    assert accepted.json()["kind"] == "revalidation"
    call_command("worker", "--once", verbosity=0)
    pdf = api.get(f"/api/v1/exports/{accepted.json()['id']}/download")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "revalidation-pack-" in pdf["Content-Disposition"]
    chartership = start(candidate, "chartership-2021")
    refused = api.post(f"/api/v1/candidacies/{chartership.pk}/exports", {"kind": "revalidation"})
    assert_error(refused, 400)
    assert refused.json()["field"] == "kind"
