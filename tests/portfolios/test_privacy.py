"""A person's portfolio in "Your data", and gone with its files when they are erased."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts import privacy
from guildbook.portfolios import services
from guildbook.portfolios.models import (
    AssessorLink,
    Evidence,
    EvidenceLog,
    MentorShare,
    PortfolioExport,
    SkillsAudit,
    SkillsFramework,
    SkillsRating,
    StatementDraft,
)
from tests.accounts.test_erasure import holders_of
from tests.factories import UserFactory
from tests.portfolios.conftest import add, pdf_bytes, stored_files, upload

pytestmark = pytest.mark.django_db
PK = 987654321


@pytest.fixture
def candidate(db):
    # An id no other row holds by chance, so the all-columns search can look for it.
    return UserFactory(pk=PK, name="Cara Candidate", email="cara@example.nhs.uk")


@pytest.fixture
def portfolio(candidate, candidacy, stranger, django_capture_on_commit_callbacks):
    """Cara's evidence (one with a file), an audit, a statement, a share, an assessor link
    and a built export; Stan's evidence that names her."""
    with django_capture_on_commit_callbacks(execute=True):
        filed = add(
            candidate,
            kind="file",
            title="Reading list review",
            upload=upload("reading-list.pdf", pdf_bytes()),
            candidacy=candidacy,
        )
        add(candidate, title="Cara Candidate's reflection", tags="search, teaching")
        framework = SkillsFramework.objects.first()
        audit = services.audit_start(
            person=candidate, framework=framework, name="Start", taken_on=date(2026, 11, 1),
            actor=candidate,
        )  # fmt: skip
        audit.ratings.update(justification="Cara Candidate rates herself")
        services.statement_save(
            candidacy=candidacy, text="I, Cara Candidate, learnt much [E1].", actor=candidate
        )
        MentorShare.objects.create(candidacy=candidacy, shared_at=timezone.now())
        AssessorLink.objects.create(
            candidacy=candidacy, label="Assessor for Cara", expires_at=timezone.now()
        )
        export = PortfolioExport.objects.create(
            person=candidate, candidacy=candidacy, status=PortfolioExport.Status.DONE, pages=1
        )
        export.file.save("portfolio.pdf", ContentFile(pdf_bytes()), save=True)
        add(stranger, title="Shadowed Cara Candidate", text="Met cara@example.nhs.uk")
    return filed, export


def test_your_data_holds_the_portfolio(client, candidate, portfolio):
    filed, _export = portfolio
    client.force_login(candidate)
    response = client.get(reverse("accounts:your_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for part in ["evidence", "skills_audits", "statement_drafts", "portfolio_exports"]:
        assert {f"{part}.json", f"{part}.csv"} <= names
    evidence = json.loads(archive.read("evidence.json"))
    assert {e["number"] for e in evidence} == {"E1", "E2"}
    entry = next(e for e in evidence if e["number"] == "E1")
    assert entry["title"] == "Reading list review"
    assert entry["file_name"] == "reading-list.pdf"
    assert entry["file_type"] == "application/pdf"
    assert entry["candidacy"] == filed.candidacy.scheme.name
    # The file itself is in the archive, linked from the index.
    assert entry["file_in_archive"] == "files/evidence/E1-reading-list.pdf"
    with filed.file.open() as stored:
        assert archive.read("files/evidence/E1-reading-list.pdf") == stored.read()
    assert 'href="files/evidence/E1-reading-list.pdf"' in archive.read("index.html").decode()
    assert not [n for n in names if n.startswith("files/") and "E2" in n]  # E2 has no file
    assert "Shadowed" not in archive.read("evidence.json").decode()  # Stan's, not hers
    ratings = json.loads(archive.read("skills_audits.json"))
    assert ratings and all(r["audit"] == "Start" for r in ratings)
    assert ratings[0]["justification"] == "Cara Candidate rates herself"
    drafts = json.loads(archive.read("statement_drafts.json"))
    assert drafts[0]["text"] == "I, Cara Candidate, learnt much [E1]."
    exports = json.loads(archive.read("portfolio_exports.json"))
    assert exports[0]["kind"] == "pdf" and exports[0]["file"].endswith(".pdf")
    assert "Reading list review" in archive.read("index.html").decode()


def test_erasure_removes_the_portfolio_and_its_files(
    candidate, portfolio, private_root, django_capture_on_commit_callbacks
):
    filed, export = portfolio
    files = [filed.file.path, export.file.path]
    assert all(p in {str(f) for f in stored_files(private_root)} for p in files)
    pk = candidate.pk
    admin = UserFactory(role="administrator")
    stranger_file_count = len(stored_files(private_root)) - 2

    assert holders_of(["Cara Candidate", "cara@example.nhs.uk"], pk)
    with django_capture_on_commit_callbacks(execute=True):
        stand_in = privacy.person_erase(person=candidate, actor=admin)

    assert not Evidence.objects.filter(person__in=[pk, stand_in.pk]).exists()
    assert not EvidenceLog.objects.filter(person__in=[pk, stand_in.pk]).exists()
    assert not SkillsAudit.objects.filter(person__in=[pk, stand_in.pk]).exists()
    assert not SkillsRating.objects.filter(audit__person__in=[pk, stand_in.pk]).exists()
    assert not PortfolioExport.objects.filter(person__in=[pk, stand_in.pk]).exists()
    mine = {"candidacy__person__in": [pk, stand_in.pk]}
    for model in (StatementDraft, MentorShare, AssessorLink):
        assert not model.objects.filter(**mine).exists()
    assert len(stored_files(private_root)) == stranger_file_count
    assert holders_of(["Cara Candidate", "cara@example.nhs.uk"], pk) == []
    # Stan's own entry stays, without her name.
    assert Evidence.objects.get(title__startswith="Shadowed").text == "Met Erased person"


def test_files_stay_if_the_erasure_fails(candidate, portfolio, private_root, monkeypatch):
    from guildbook.core import privacy as registry

    before = stored_files(private_root)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry, "_erasers", [*registry._erasers, registry.Eraser("x", broken)])
    with pytest.raises(RuntimeError):
        privacy.person_erase(person=candidate, actor=UserFactory(role="administrator"))
    assert stored_files(private_root) == before
    assert Evidence.objects.filter(person=candidate).count() == 2


def test_keeping_a_portfolio_counts_as_activity(candidate, stranger):
    from datetime import timedelta

    from guildbook.core import privacy as registry

    add(candidate)
    a_year_ago = timezone.now() - timedelta(days=365)
    assert candidate.pk in registry.active_since(a_year_ago)
    assert stranger.pk not in registry.active_since(a_year_ago)
    assert candidate.pk not in registry.active_since(timezone.now() + timedelta(days=1))


def test_a_file_missing_from_storage_still_leaves_its_row(client, candidate, portfolio):
    filed, _export = portfolio
    filed.file.storage.delete(filed.file.name)
    client.force_login(candidate)
    response = client.get(reverse("accounts:your_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert not [n for n in archive.namelist() if n.startswith("files/")]
    evidence = json.loads(archive.read("evidence.json"))
    assert next(e for e in evidence if e["number"] == "E1")["file_name"] == "reading-list.pdf"
