"""The portfolio PDF, read back with pypdf: page count, contents numbers against where each
section starts, bookmarks, internal links, uploads merged in place, the draft cover."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from guildbook.portfolios import services
from guildbook.portfolios.builder import portfolio_load
from guildbook.portfolios.pdf import portfolio_pdf
from guildbook.qualifications import services as qualifications
from guildbook.qualifications.models import Scheme
from tests.portfolios.conftest import add, png_bytes, upload


def marked_pdf(pages: int, mark: str) -> bytes:
    """A PDF whose page i says '<mark> page i'."""
    from weasyprint import HTML

    html = "".join(
        f'<p style="page-break-after: always">{mark} page {i}</p>' for i in range(1, pages + 1)
    )
    return HTML(string=html).write_pdf()


def start(person, slug):
    return qualifications.candidacy_start(
        person=person,
        scheme=Scheme.objects.get(slug=slug),
        actor=person,
        target_date=date(2027, 12, 1),
    )


def contents_numbers(reader, contents_index) -> dict[str, int]:
    text = reader.pages[contents_index].extract_text()
    found = {}
    for line in text.splitlines():
        m = re.match(r"^(.*?)[\s.]*?(\d+)$", line.strip())
        if m and m.group(1):
            found[m.group(1).strip(" .")] = int(m.group(2))
    return found


def outline_pages(reader) -> dict[str, int]:
    out = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out[item.title] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    return out


@pytest.fixture
def chartership(candidate):
    """Today's Chartership: evidence with a merged PDF and a photo, a statement citing them,
    an audit."""
    candidacy = start(candidate, "chartership-2021")
    e1 = add(
        candidate, title="Induction I ran", candidacy=candidacy, criteria=["personal-performance"]
    )
    e2 = add(
        candidate,
        kind="file",
        title="Board paper",
        candidacy=candidacy,
        criteria=["organisational-context"],
        upload=upload("board.pdf", marked_pdf(3, "BOARDPAPER")),
    )
    e3 = add(
        candidate,
        kind="file",
        title="Flipchart",
        candidacy=candidacy,
        criteria=["wider-professional-context"],
        upload=upload("flip.png", png_bytes(), "image/png"),
    )
    services.statement_save(
        candidacy=candidacy,
        text=(
            f"## Personal performance\n\nI ran it [E{e1.number}].\n\n"
            f"## Organisational context\n\nSee [E{e2.number}] and [E{e3.number}]."
        ),
        actor=candidate,
    )
    return candidacy


def test_pdf_pages_contents_bookmarks_links_and_merged_pages(chartership):
    portfolio = portfolio_load(chartership)
    pdf, pages = portfolio_pdf(portfolio)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    assert "DRAFT" in reader.pages[0].extract_text()  # no skills audits: incomplete
    # The contents (its own page after the cover) gives each section's real page number.
    numbers = contents_numbers(reader, 1)
    bookmarks = outline_pages(reader)
    for state in portfolio.sections:
        title = state.section.title
        assert numbers[title] == bookmarks[title], title
        assert reader.pages[numbers[title] - 1].extract_text().lstrip().startswith(title)
    # The board paper's three pages are merged in place, after its entry, in order.
    texts = [p.extract_text() for p in reader.pages]
    board = [i for i, t in enumerate(texts) if "BOARDPAPER page" in t]
    assert len(board) == 3 and board == list(range(board[0], board[0] + 3))
    assert [f"BOARDPAPER page {n}" in texts[i] for n, i in enumerate(board, 1)] == [True] * 3
    assert "board.pdf follows" in texts[board[0] - 1]
    assert board[0] + 1 > numbers["Evidence"]
    # Statement references are links inside the PDF (to a page, not a URL).
    statement_page = reader.pages[numbers["Evaluative statement"] - 1]
    links = [a.get_object() for a in statement_page.get("/Annots", [])]
    internal = [a for a in links if "/Dest" in a or ("/A" in a and a["/A"].get("/S") == "/GoTo")]
    assert len(internal) >= 3
    # The photo is embedded as an image.
    assert any(page.images for page in reader.pages)


def test_uploaded_section_merged_in_place_and_scheme_contents_page(candidate):
    candidacy = start(candidate, "chartership-2009")
    cv = add(candidate, kind="file", title="CV", upload=upload("cv.pdf", marked_pdf(2, "MYCV")))
    section = candidacy.scheme.sections.get(code="cv")
    services.section_file_add(candidacy=candidacy, section=section, evidence=cv, actor=candidate)
    portfolio = portfolio_load(candidacy)
    pdf, pages = portfolio_pdf(portfolio)
    reader = PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text() for p in reader.pages]
    contents_index = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    assert contents_index == 1
    numbers = contents_numbers(reader, contents_index)
    cv_start = numbers[section.title]
    assert texts[cv_start - 1].lstrip().startswith(section.title)
    assert "MYCV page 1" in texts[cv_start] and "MYCV page 2" in texts[cv_start + 1]
    # Every section after the CV is numbered past the merged pages.
    later = [s.section.title for s in portfolio.sections if s.section.order > section.order]
    assert all(numbers[t] > cv_start + 1 for t in later)
    assert f"of {pages}" in texts[-1]


def test_builder_page_places_and_removes_a_file(candidate):
    from django.test import Client
    from django.urls import reverse

    candidacy = start(candidate, "chartership-2009")
    cv = add(candidate, kind="file", title="CV", upload=upload("cv.pdf", marked_pdf(1, "CV")))
    section = candidacy.scheme.sections.get(code="cv")
    client = Client()
    client.force_login(candidate)
    client.post(
        reverse("portfolios:section_file_add", args=[candidacy.pk]),
        {"section": section.pk, "evidence": cv.pk},
    )
    page = client.get(reverse("portfolios:builder", args=[candidacy.pk])).content.decode()
    placed = candidacy.section_files.get()
    assert reverse("portfolios:section_file_remove", args=[candidacy.pk, placed.pk]) in page
    client.post(reverse("portfolios:section_file_remove", args=[candidacy.pk, placed.pk]))
    assert not candidacy.section_files.exists()


def test_the_skills_audit_section_shows_the_mentors_rating_and_reason(candidate, candidacy, mentor):
    from django.utils import timezone

    from guildbook.portfolios.models import SkillsFramework

    audit = services.audit_start(
        person=candidate,
        framework=SkillsFramework.objects.get(slug="cilip-pksb"),
        name="Start",
        taken_on=timezone.localdate(),
        actor=candidate,
    )
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    services.rating_mentor_set(
        rating=audit.ratings.get(area__code="research-skills"),
        actor=mentor,
        mentor_rating=3,
        comment="MENTORSAYS strong searcher",
    )
    pdf, _pages = portfolio_pdf(portfolio_load(candidacy))
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    [page] = [t for t in texts if "MENTORSAYS" in t]
    assert "Research skills" in page  # beside the area it is about
