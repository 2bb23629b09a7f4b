"""The portfolio as one PDF: WeasyPrint draws the HTML, pypdf merges uploaded PDFs in place.
The revalidation pack is the same machinery over the pack's sections (builder.py).

How the contents page gets the PDF's own page numbers, uploads included: every page of an
uploaded PDF is given a page of its own in the HTML (an empty placeholder with an anchor),
so WeasyPrint's `target-counter()` already counts them when it numbers the contents and the
footers. After rendering, the pages holding the placeholders are found by their anchors and
each uploaded page is drawn onto its placeholder (scaled to fit), so the links, bookmarks
and page numbers WeasyPrint made stay valid. The cover is page 1.

WeasyPrint fetches nothing from the network: images of evidence are read from private
storage through `_EvidenceFetcher`, and anything else is refused.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from guildbook.portfolios.builder import Portfolio, audit_for_section
from guildbook.portfolios.models import Evidence
from guildbook.portfolios.text import render_markdown
from guildbook.training.selectors import training_record_for

FILES_HOST = "https://portfolio.invalid/evidence/"
A4 = (595.28, 841.89)
MARGIN = 42.0  # points left clear around a merged page


@dataclass
class Upload:
    """An uploaded PDF, opened once: counted for the placeholders, then merged."""

    evidence: Evidence
    reader: object  # pypdf.PdfReader over `handle`
    handle: object

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    @property
    def page_range(self) -> range:
        return range(self.pages)


def _fetcher(evidence_by_pk: dict[int, Evidence]):
    def read(url: str) -> tuple[bytes, str]:
        if url.startswith(FILES_HOST):
            pk = url[len(FILES_HOST) :]
            e = evidence_by_pk.get(int(pk)) if pk.isdigit() else None
            if e is not None and e.is_image:
                with e.file.open("rb") as f:
                    return f.read(), e.file_type
        raise ValueError(f"Not fetched while making a portfolio: {url}")

    try:  # WeasyPrint 68 and later
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # pragma: no cover - older WeasyPrint
        return lambda url: dict(zip(("string", "mime_type"), read(url), strict=True))

    class _EvidenceFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime = read(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return _EvidenceFetcher()


def portfolio_html(portfolio: Portfolio, *, uploads: dict[int, Upload]) -> str:
    """The whole portfolio as one HTML document for print."""
    candidacy = portfolio.candidacy
    number_to_anchor = {e.number: f"#E{e.number}" for e in portfolio.evidence}
    statement_html = render_markdown(
        portfolio.statement.text if portfolio.statement else "",
        reference_url=lambda n: number_to_anchor.get(n),
    )
    placed_in = {e.pk: s.section.title for s in portfolio.sections for e in s.files}
    entries = []
    for e in portfolio.evidence:
        entries.append(
            {
                "e": e,
                "html": render_markdown(e.text, reference_url=lambda n: number_to_anchor.get(n)),
                "criteria": [c.code for c in e.criteria.all()],
                "image_url": f"{FILES_HOST}{e.pk}" if e.file and e.is_image else None,
                "upload": None if e.pk in placed_in else uploads.get(e.pk),
                "placed_in": placed_in.get(e.pk),
            }
        )
    sections = []
    for state in portfolio.sections:
        item = {"state": state, "kind": state.kind}
        if state.kind in ("skills_start", "skills_end"):
            item["audit"] = audit_for_section(portfolio, state.kind)
        if state.kind == "uploaded":
            item["files"] = [{"e": e, "upload": uploads.get(e.pk)} for e in state.files]
        sections.append(item)
    record = training_record_for(candidacy.person, candidacy.person)
    attended = [b for b in record.entries if b.record_status == "attended"]
    return render_to_string(
        "portfolios/pdf/portfolio.html",
        {
            "p": portfolio,
            "candidacy": candidacy,
            "person": candidacy.person,
            "scheme": candidacy.scheme,
            "sections": sections,
            "entries": entries,
            "statement_html": statement_html,
            "attended": attended,
            # The revalidation pack's training record: the same 12 months as its CPD log.
            "attended_recently": [
                b
                for b in attended
                if timezone.localdate(b.session.starts_at) >= portfolio.cpd_since
            ],
            "cited": {e.number for e in portfolio.evidence},
            "draft": not portfolio.is_complete,
            "own_contents": not any(i["kind"] == "contents" for i in sections),
            "generated_at": timezone.now(),
            "service_name": settings.GUILDBOOK_SERVICE_NAME,
        },
    )


def _uploads(portfolio: Portfolio) -> dict[int, Upload]:
    """Every uploaded PDF the portfolio shows, opened (close them with `_close`)."""
    from pypdf import PdfReader

    seen: dict[int, Upload] = {}
    files = list(portfolio.evidence) + [e for s in portfolio.sections for e in s.files]
    try:
        for e in files:
            if e.pk not in seen and e.file and e.file_type == "application/pdf":
                handle = e.file.open("rb")
                seen[e.pk] = Upload(evidence=e, reader=None, handle=handle)
                seen[e.pk].reader = PdfReader(handle)
    except BaseException:
        _close(seen)
        raise
    return seen


def _close(uploads: dict[int, Upload]) -> None:
    for upload in uploads.values():
        upload.handle.close()


def render_html_pdf(html: str, *, fetcher=None):
    """WeasyPrint's rendering alone: (document, pdf bytes). The benchmark measures this."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=FILES_HOST, url_fetcher=fetcher or _fetcher({})).render()
    return document, document.write_pdf()


def _merge(pdf: bytes, placements: list[tuple[int, Upload, int]]) -> bytes:
    """Draw page `i` of each evidence PDF onto the placeholder page at `index`.

    Each uploaded page becomes a form XObject (its content and resources, cloned once into
    the output) that the placeholder page draws, scaled and centred, with one `Do`. Unlike
    pypdf's `merge_transformed_page`, this never parses or rewrites either page's content
    stream, which is what made merging slow, and the placeholder page object (which
    WeasyPrint's links and bookmarks point at) stays the same object.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))

    def stream(data: bytes):
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)  # pypdf's way to make an indirect object

    for n, (index, upload, i) in enumerate(placements):
        source = upload.reader.pages[i]
        box = source.mediabox
        left, bottom = float(box.left), float(box.bottom)
        width, height = float(box.width), float(box.height)
        contents = source.get_contents()
        form = DecodedStreamObject()
        form.set_data(contents.get_data() if contents is not None else b"")
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(
                    FloatObject(v) for v in (left, bottom, left + width, bottom + height)
                ),
                NameObject("/Resources"): (
                    source["/Resources"].clone(writer)
                    if "/Resources" in source
                    else DictionaryObject()
                ),
            }
        )
        form_ref = writer._add_object(form)
        target = writer.pages[index]
        tw, th = float(target.mediabox.width), float(target.mediabox.height)
        scale = min((tw - 2 * MARGIN) / width, (th - 2 * MARGIN) / height, 1.0)
        tx = (tw - width * scale) / 2 - left * scale
        ty = (th - height * scale) / 2 - bottom * scale
        resources = target["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        name = NameObject(f"/GbUpload{n}")
        resources["/XObject"].get_object()[name] = form_ref
        existing = target["/Contents"]
        parts = (
            list(existing.get_object())
            if isinstance(existing.get_object(), ArrayObject)
            else [existing]
        )
        draw = f"q {scale:.6f} 0 0 {scale:.6f} {tx:.4f} {ty:.4f} cm {name} Do Q".encode()
        target[NameObject("/Contents")] = ArrayObject(
            [stream(b"q"), *parts, stream(b"Q"), stream(draw)]
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def portfolio_pdf(
    portfolio: Portfolio, *, progress: Callable[[int], None] = lambda p: None
) -> tuple[bytes, int]:
    """The portfolio as PDF bytes, and its number of pages."""
    uploads = _uploads(portfolio)
    try:
        progress(20)
        html = portfolio_html(portfolio, uploads=uploads)
        progress(30)
        by_pk = {e.pk: e for e in portfolio.evidence}
        for s in portfolio.sections:
            by_pk.update({e.pk: e for e in s.files})
        document, pdf = render_html_pdf(html, fetcher=_fetcher(by_pk))
        progress(75)
        placements = []
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("merge-"):
                    # merge-<place>-<evidence pk>-<page index>
                    _, _place, pk, i = anchor.split("-")
                    placements.append((index, uploads[int(pk)], int(i)))
        if placements:
            pdf = _merge(pdf, sorted(placements, key=lambda p: p[0]))
        progress(95)
        return pdf, len(document.pages)
    finally:
        _close(uploads)
