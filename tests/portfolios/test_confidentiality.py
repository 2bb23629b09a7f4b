"""The confidentiality check: what it flags, what it leaves alone, and PDFs' text."""

import pytest

from guildbook.portfolios.confidentiality import check_portfolio, nhs_number_valid, scan_text
from tests.portfolios.conftest import add, upload


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),
        ("9434765918", False),
        ("4010232137", True),
        ("1234567890", False),
        ("123", False),
    ],
)
def test_nhs_number_check_digit(number, valid):
    assert nhs_number_valid(number) is valid


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Patient 943 476 5919 came in", ["nhs_number"]),
        ("Reference 943 476 5918 is not one", []),
        ("Write to jo.bloggs@example.com", ["email"]),
        ("Call 07700 900123 or 020 7946 0018", ["phone", "phone"]),
        ("DOB: 12/03/1984", ["date_of_birth"]),
        ("born on 3 March 1984", ["date_of_birth"]),
        ("The session on 12/03/2026 went well", []),
        ("She lives at LS1 4AP", ["postcode"]),
        ("We ran 1,000 searches in 2026 for 45 teams", []),
    ],
)
def test_scan_text(text, kinds):
    assert sorted(f.kind for f in scan_text(text, where="x")) == sorted(kinds)


def test_own_email_is_not_flagged_and_excerpts_are_masked(candidate):
    found = scan_text(
        f"Me: {candidate.email}, them: someone@else.org", where="x", ignore={candidate.email}
    )
    assert [f.kind for f in found] == ["email"]
    assert "someone@else.org" not in found[0].excerpt


def _pdf_with_text(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


def test_uploaded_pdf_text_is_read(candidate):
    e = add(
        candidate,
        kind="file",
        title="Letter",
        upload=upload("letter.pdf", _pdf_with_text("NHS number 943 476 5919")),
    )
    findings = check_portfolio(candidate, [e])
    assert [(f.kind, f.where) for f in findings] == [
        ("nhs_number", "E1 Letter, letter.pdf, page 1")
    ]
