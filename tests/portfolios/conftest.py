"""Scenes for the portfolio tests: evidence files in a temporary private folder, small
files of each kind made here (a real PDF, PNG and an executable's first bytes)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guildbook.portfolios import services
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PORTFOLIO_FILES_ROOT = tmp_path / "private"
    settings.PORTFOLIO_MAX_UPLOAD_MB = 1
    return settings.PORTFOLIO_FILES_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pdf_bytes(pages: int = 1, text: str = "Evidence") -> bytes:
    """A real PDF with `pages` pages, written by pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    # A 1×1 PNG.
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d4944415478da63f8cfc0f01f0005000201a5e0a7430000000049454e44ae426082"
    )


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def candidate(db):
    return UserFactory(name="Cara Candidate", email="cara@example.nhs.uk")


@pytest.fixture
def stranger(db):
    return UserFactory(name="Stan Stranger", email="stan@example.nhs.uk")


def add(person, **fields):
    values = {
        "kind": "reflection",
        "title": "What I learnt",
        "date": date(2026, 11, 2),
        "text": "Some words.",
        "actor": person,
    }
    values.update(fields)
    return services.evidence_create(person=person, **values)


@pytest.fixture
def candidacy(candidate):
    from guildbook.qualifications import services as qualifications
    from guildbook.qualifications.models import Scheme

    scheme = Scheme.objects.get(slug="chartership-2021")
    return qualifications.candidacy_start(
        person=candidate, scheme=scheme, actor=candidate, target_date=date(2027, 12, 1)
    )


@pytest.fixture
def mentor(candidacy):
    """Mo, the candidate's accepted mentor (through qualifications' services)."""
    from guildbook.qualifications import services as qualifications

    user = UserFactory(name="Mo Mentor", email="mo@example.nhs.uk")
    profile = qualifications.mentor_profile_save(user=user, actor=user, capacity=2)
    request = qualifications.mentor_request_create(
        candidacy=candidacy, mentor=profile, actor=candidacy.person, message="Please"
    )
    qualifications.mentor_request_accept(request=request, actor=user)
    return user
