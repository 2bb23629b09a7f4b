"""The confidentiality check run before any export or share.

A portfolio describes real work, and real work involves service users. Before anything
leaves Guildbook, this looks for what could be personal data about someone else: e-mail
addresses, UK phone numbers, NHS numbers (ten digits whose mod-11 check digit is right, so
an ordinary ten-digit number is not flagged), dates of birth (a date beside "born", "DOB"
or "date of birth") and UK postcodes. It reads the titles and text of the evidence and
statement that would go out, and the text of uploaded PDFs (extracted with pypdf). The
candidate then confirms that what was found is fine, or edits it.

It flags; it never changes anything. The person's own e-mail address is not flagged.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\d])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}(?![\d])")
NHS_NUMBER = re.compile(r"(?<![\d])(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?![\d])")
_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}"
DATE_OF_BIRTH = re.compile(
    rf"(?:\bD\.?O\.?B\.?|date of birth|\bborn(?: on)?)\s*[:\-]?\s*(?:{_DATE})", re.IGNORECASE
)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b")

KIND_LABELS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "nhs_number": "an NHS number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
}


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's mod-11 check: weights 10…2 on the first nine digits; 11 minus the
    remainder is the tenth digit (11 reads as 0; 10 means no valid number)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


@dataclass(frozen=True)
class Finding:
    where: str  # e.g. "E4 Induction feedback", "Statement", "E7 letter.pdf, page 2"
    kind: str
    excerpt: str  # the match with its middle masked, so the page does not repeat it whole

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict:
        return {**asdict(self), "label": self.label}


def _mask(value: str) -> str:
    value = value.strip()
    if len(value) <= 4:
        return "…"
    keep = max(1, len(value) // 4)
    return value[:keep] + "…" + value[-keep:]


def scan_text(text: str, *, where: str, ignore: set[str] = frozenset()) -> list[Finding]:
    """Everything in `text` that looks like personal data, in order of kind."""
    text = text or ""
    found: list[Finding] = []
    nhs_spans = []
    for m in NHS_NUMBER.finditer(text):
        if nhs_number_valid("".join(m.groups())):
            nhs_spans.append(m.span())
            found.append(Finding(where, "nhs_number", _mask(m.group(0))))
    for m in EMAIL.finditer(text):
        if m.group(0).lower() not in ignore:
            found.append(Finding(where, "email", _mask(m.group(0))))
    for m in PHONE.finditer(text):
        if not any(s <= m.start() < e for s, e in nhs_spans):
            found.append(Finding(where, "phone", _mask(m.group(0))))
    for m in DATE_OF_BIRTH.finditer(text):
        found.append(Finding(where, "date_of_birth", _mask(m.group(0))))
    for m in POSTCODE.finditer(text):
        found.append(Finding(where, "postcode", _mask(m.group(0))))
    return found


def pdf_text_pages(file) -> list[str]:
    """The text of each page of a PDF (empty strings where pypdf finds none)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(file)
        return [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError):
        return []


def check_portfolio(person, evidence, statement_text: str = "") -> list[Finding]:
    """Scan what an export or share of this evidence and statement would send out."""
    ignore = {person.email.lower()} if getattr(person, "email", "") else set()
    findings: list[Finding] = []
    if statement_text:
        findings += scan_text(statement_text, where="Evaluative statement", ignore=ignore)
    for e in evidence:
        where = f"E{e.number} {e.title}"
        findings += scan_text(f"{e.title}\n{e.text}", where=where, ignore=ignore)
        if e.file and e.file_type == "application/pdf":
            with e.file.open("rb") as f:
                for i, page in enumerate(pdf_text_pages(f), start=1):
                    findings += scan_text(
                        page, where=f"{where}, {e.file_name}, page {i}", ignore=ignore
                    )
    return findings
