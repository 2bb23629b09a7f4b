"""Exports end to end: the confidentiality check first, then the job that `guildbook worker`
runs, progress and status, the download, a failure that says why, and the ZIP."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from guildbook.portfolios import services
from guildbook.portfolios.models import PortfolioExport
from tests.api.conftest import ApiClient, assert_error
from tests.factories import UserFactory
from tests.portfolios.conftest import add, pdf_bytes, upload


@pytest.fixture
def worker():
    def run():
        call_command("worker", "--once", verbosity=0)

    return run


def request_pdf(candidacy, confirm=False, capture=None):
    with capture(execute=True):
        return services.export_request(
            person=candidacy.person, candidacy=candidacy, actor=candidacy.person, confirm=confirm
        )


def test_worker_builds_the_pdf(candidate, candidacy, worker, django_capture_on_commit_callbacks):
    add(candidate, title="Induction", candidacy=candidacy, criteria=["personal-performance"])
    export = request_pdf(candidacy, capture=django_capture_on_commit_callbacks)
    assert export.status == "queued" and DBTaskResult.objects.count() == 1
    worker()
    export.refresh_from_db()
    assert (export.status, export.progress, export.error) == ("done", 100, "")
    assert export.is_draft and export.pages >= 3
    with export.file.open("rb") as f:
        assert len(PdfReader(f).pages) == export.pages


def test_confidentiality_check_stops_until_confirmed(
    candidate, candidacy, django_capture_on_commit_callbacks
):
    add(candidate, title="Feedback", text="From patient 943 476 5919", candidacy=candidacy)
    with pytest.raises(services.ConfidentialityCheck) as stopped:
        request_pdf(candidacy, capture=django_capture_on_commit_callbacks)
    assert stopped.value.findings[0]["kind"] == "nhs_number"
    assert not PortfolioExport.objects.exists()
    export = request_pdf(candidacy, confirm=True, capture=django_capture_on_commit_callbacks)
    assert export.findings[0]["kind"] == "nhs_number"


def test_a_broken_upload_fails_the_export_with_a_reason(
    candidate, candidacy, worker, django_capture_on_commit_callbacks
):
    e = add(
        candidate,
        kind="file",
        title="Bad",
        candidacy=candidacy,
        upload=upload("b.pdf", pdf_bytes()),
    )
    with e.file.open("wb") as f:  # damaged in storage after the upload was checked
        f.write(b"%PDF-1.4 broken")
    export = request_pdf(candidacy, capture=django_capture_on_commit_callbacks)
    worker()
    export.refresh_from_db()
    assert export.status == "failed" and "could not be read" in export.error


def test_zip_of_everything(candidate, worker, django_capture_on_commit_callbacks):
    add(candidate, title="Reflection", text="**Bold**")
    add(candidate, kind="file", title="CV", upload=upload("my cv.pdf", pdf_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(
            person=candidate, candidacy=None, actor=candidate, kind="zip"
        )
    worker()
    export.refresh_from_db()
    assert export.status == "done"
    with export.file.open("rb") as f:
        z = zipfile.ZipFile(io.BytesIO(f.read()))
    names = set(z.namelist())
    assert {
        "index.html",
        "evidence/E1.html",
        "evidence/E2.html",
        "files/E2-my-cv.pdf",
        "evidence.json",
    } <= names
    assert json.loads(z.read("evidence.json"))[0]["text"] == "**Bold**"
    assert b"<strong>Bold</strong>" in z.read("evidence/E1.html")


# --- API ---------------------------------------------------------------------------------


def test_api_exports(candidate, candidacy, worker, django_capture_on_commit_callbacks):
    api = ApiClient(candidate)
    add(candidate, title="Note", text="Ring 07700 900123", candidacy=candidacy)
    refused = api.post(f"/api/v1/candidacies/{candidacy.pk}/exports", {"confirm": False})
    assert_error(refused, 409, "confidentiality_check")
    assert refused.json()["findings"][0]["kind"] == "phone"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(f"/api/v1/candidacies/{candidacy.pk}/exports", {"confirm": True})
    assert accepted.status_code == 202, accepted.content
    export_id = accepted.json()["id"]
    status = api.get(f"/api/v1/exports/{export_id}").json()
    assert status["status"] == "queued" and status["progress"] == 0
    assert_error(api.get(f"/api/v1/exports/{export_id}/download"), 409)
    worker()
    status = api.get(f"/api/v1/exports/{export_id}").json()
    assert (status["status"], status["progress"], status["error"]) == ("done", 100, None)
    pdf = api.get(f"/api/v1/exports/{export_id}/download")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    stranger = ApiClient(UserFactory(email="s@example.nhs.uk"))
    for url in (f"/api/v1/exports/{export_id}", f"/api/v1/exports/{export_id}/download"):
        assert_error(stranger.get(url), 404)
    assert_error(stranger.post(f"/api/v1/candidacies/{candidacy.pk}/exports", {}), 404)


# --- Pages -------------------------------------------------------------------------------


def test_export_page_check_confirm_poll_download(
    candidate, candidacy, worker, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(candidate)
    add(candidate, title="Note", text="Write to pat@example.org", candidacy=candidacy)
    url = reverse("portfolios:builder", args=[candidacy.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Ready to submit" not in page.content
    checked = client.post(reverse("portfolios:export", args=[candidacy.pk]))
    assert checked.status_code == 200 and b"an e-mail address" in checked.content
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("portfolios:export", args=[candidacy.pk]), {"confirm": "yes"})
    export = PortfolioExport.objects.get()
    assert made["Location"] == reverse("portfolios:export_status", args=[export.pk])
    polling = client.get(made["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" in polling.content
    worker()
    done = client.get(made["Location"])
    assert b"Download" in done.content
    download = client.get(reverse("portfolios:export_download", args=[export.pk]))
    assert download.status_code == 200
    other = Client()
    other.force_login(UserFactory(email="o@example.nhs.uk"))
    for name in ("export_status", "export_download"):
        assert other.get(reverse(f"portfolios:{name}", args=[export.pk])).status_code == 404
    assert other.get(url).status_code == 404
