"""The portfolio PDF export against WeasyPrint rendering the same HTML alone.

An 80-page portfolio with 30 evidence files (20 PDFs merged in place, 10 photos) is built
through the services in a fresh SQLite database. Then, each in a fresh process so that its
peak memory is its own, three times each, alternating:

* export: `services.export_build` — load the portfolio, write the HTML, render it, merge the
  uploaded PDFs onto their placeholder pages, store the file;
* bare: WeasyPrint rendering the same HTML (the same placeholders, the same images) to PDF
  bytes, nothing else.

Targets: the export's median time at most 1.5 × the bare rendering's, and the export's peak
memory (the process's maximum resident set) under 500 MB. Prints PASS/FAIL, exits 1 on a
miss, and rewrites its own section of benchmarks/README.md.

    python benchmarks/portfolio_pdf.py [--no-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = Path(__file__).resolve().parent / "README.md"
HEADING = "## Portfolio PDF (`portfolio_pdf.py`)"
TIME_RATIO = 1.5
MEMORY_MB = 500
EVIDENCE_PDFS, EVIDENCE_PHOTOS, PDF_PAGES = 20, 10, 2
ROUNDS = 3


def _django(var_dir: str) -> None:
    os.environ["GUILDBOOK_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _words(n: int, seed: int) -> str:
    vocabulary = (
        "library", "search", "evidence", "patients", "nurses", "team", "reading", "list",
        "outreach", "session", "teaching", "appraisal", "learnt", "improved", "service",
        "criteria", "reflection", "skills",
    )  # fmt: skip
    return " ".join(vocabulary[(i * 7 + seed) % len(vocabulary)] for i in range(n))


def setup(var_dir: str) -> int:
    """Migrate and make the portfolio; answer the candidacy's id."""
    _django(var_dir)
    import io
    from datetime import date

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from PIL import Image, ImageDraw
    from weasyprint import HTML

    from guildbook.accounts.models import User
    from guildbook.portfolios import services
    from guildbook.portfolios.models import SkillsFramework
    from guildbook.qualifications import services as qualifications
    from guildbook.qualifications.models import Scheme

    call_command("migrate", verbosity=0)
    person = User.objects.create(email="bench@example.nhs.uk", name="Bench Candidate")
    scheme = Scheme.objects.get(slug="chartership-2021")
    candidacy = qualifications.candidacy_start(
        person=person, scheme=scheme, actor=person, target_date=date(2030, 1, 1)
    )
    codes = list(scheme.criteria.values_list("code", flat=True))
    for i in range(EVIDENCE_PDFS):
        pages = "".join(
            f"<section style='page-break-after: always'><h1>Document {i} page {p}</h1>"
            f"<p>{_words(250, i + p)}</p></section>"
            for p in range(PDF_PAGES)
        )
        content = HTML(string=f"<body>{pages}</body>").write_pdf()
        services.evidence_create(
            person=person, kind="file", title=f"Document {i}", date=date(2026, 1, 1 + i % 28),
            text=_words(120, i), upload=ContentFile(content, name=f"doc{i}.pdf"),
            candidacy=candidacy, criteria=[codes[i % len(codes)]], actor=person,
        )  # fmt: skip
    for i in range(EVIDENCE_PHOTOS):
        image = Image.new("RGB", (1600, 1200), (200 + i * 5, 220, 240))
        ImageDraw.Draw(image).rectangle((100, 100, 1500, 1100), outline="black", width=8)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        services.evidence_create(
            person=person, kind="file", title=f"Photo {i}", date=date(2026, 2, 1 + i),
            text=_words(60, i), upload=ContentFile(out.getvalue(), name=f"photo{i}.jpg"),
            candidacy=candidacy, criteria=[codes[i % len(codes)]], actor=person,
        )  # fmt: skip
    for i in range(12):
        services.evidence_create(
            person=person, kind="reflection", title=f"Reflection {i}", date=date(2026, 3, 1 + i),
            text=_words(380, i), candidacy=candidacy, criteria=[codes[i % len(codes)]],
            hours="1.5", actor=person,
        )  # fmt: skip
    pksb = SkillsFramework.objects.get(slug="cilip-pksb")
    for name in ("Start", "End"):
        audit = services.audit_start(
            person=person, framework=pksb, name=name, taken_on=date(2026, 1, 1), actor=person
        )
        for n, rating in enumerate(audit.ratings.all()):
            services.rating_set(
                rating=rating, actor=person, current=n % 4, target=min(4, n % 4 + 1),
                justification="Measured",
            )  # fmt: skip
    refs = " ".join(f"[E{n}]" for n in range(1, EVIDENCE_PDFS + EVIDENCE_PHOTOS + 13))
    services.statement_save(
        candidacy=candidacy, text=f"## Personal performance\n\n{_words(950, 3)} {refs}",
        actor=person,
    )  # fmt: skip
    return candidacy.pk


def measure(var_dir: str, mode: str, candidacy_id: int) -> dict:
    """One timed run in this process: its seconds, pages and peak memory."""
    _django(var_dir)
    from guildbook.portfolios import services
    from guildbook.portfolios.builder import portfolio_load
    from guildbook.portfolios.models import PortfolioExport
    from guildbook.portfolios.pdf import _fetcher, _uploads, portfolio_html, render_html_pdf
    from guildbook.qualifications.models import Candidacy

    candidacy = Candidacy.objects.select_related("person", "scheme").get(pk=candidacy_id)
    if mode == "bare":
        # The same HTML the export renders, made beforehand and not timed.
        portfolio = portfolio_load(candidacy)
        html = portfolio_html(portfolio, uploads=_uploads(portfolio))
        fetcher = _fetcher({e.pk: e for e in portfolio.evidence})
        started = time.perf_counter()
        document, _pdf = render_html_pdf(html, fetcher=fetcher)
        seconds = time.perf_counter() - started
        pages = len(document.pages)
    else:
        export = PortfolioExport.objects.create(
            person=candidacy.person, candidacy=candidacy, kind="pdf"
        )
        started = time.perf_counter()
        export = services.export_build(export_id=export.pk)
        seconds = time.perf_counter() - started
        if export.status != "done":
            raise SystemExit(f"export failed: {export.error}")
        pages = export.pages
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "pages": pages, "peak_mb": peak_mb}


def _child(var_dir: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", var_dir, *args],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_readme(text: str) -> None:
    current = README.read_text()
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _: text.rstrip() + "\n\n", current)
    else:
        current = current.rstrip() + "\n\n" + text
    README.write_text(current.rstrip() + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        var_dir, mode, *rest = args.child
        if mode == "setup":
            print(json.dumps({"candidacy": setup(var_dir)}))
        else:
            print(json.dumps(measure(var_dir, mode, int(rest[0]))))
        return 0
    started_at, t0 = datetime.now().astimezone(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="guildbook-pdf-bench-") as var_dir:
        candidacy = _child(var_dir, "setup")["candidacy"]
        runs: dict[str, list[dict]] = {"bare": [], "export": []}
        for _ in range(ROUNDS):
            for mode in ("bare", "export"):
                runs[mode].append(_child(var_dir, mode, str(candidacy)))
    bare = statistics.median(r["seconds"] for r in runs["bare"])
    export = statistics.median(r["seconds"] for r in runs["export"])
    pages = runs["export"][0]["pages"]
    peak = max(r["peak_mb"] for r in runs["export"])
    bare_peak = max(r["peak_mb"] for r in runs["bare"])
    ratio = export / bare
    checks = [
        (f"export time ≤ {TIME_RATIO} × bare rendering ({ratio:.2f} ×)", ratio <= TIME_RATIO),
        (f"export peak memory < {MEMORY_MB} MB ({peak:.0f} MB)", peak < MEMORY_MB),
    ]
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    ok = all(p for _, p in checks)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    section = f"""{HEADING}

The portfolio export against WeasyPrint rendering the same HTML alone, in the same run.
Targets: the export at most {TIME_RATIO} × the bare rendering's time, peak memory under
{MEMORY_MB} MB.

### Latest figures

Measured {started_at:%Y-%m-%d %H:%M} (local time), in {time.monotonic() - t0:.0f} s, on
{os.cpu_count()} cores (load average {load:.1f} at the end), SQLite.

| | median seconds ({ROUNDS} runs) | peak memory | pages |
|---|--:|--:|--:|
| WeasyPrint alone (the same HTML) | {bare:.2f} | {bare_peak:.0f} MB | {pages} |
| export (`export_build`) | {export:.2f} | {peak:.0f} MB | {pages} |

| target | measured | result |
|---|---|---|
| export ≤ {TIME_RATIO} × bare | {ratio:.2f} × | {"PASS" if ratio <= TIME_RATIO else "FAIL"} |
| peak memory < {MEMORY_MB} MB | {peak:.0f} MB | {"PASS" if peak < MEMORY_MB else "FAIL"} |

### Method

A fresh SQLite database, migrated, with one Chartership candidacy built through the
services: {EVIDENCE_PDFS} PDF files of {PDF_PAGES} pages (merged in place), {EVIDENCE_PHOTOS}
photos (1600 × 1200 JPEG, embedded), 12 reflections of about 380 words, two skills audits and
a statement of about 950 words referring to every entry. Each measurement runs in a fresh
process (so its peak resident memory is its own), alternating bare and export, {ROUNDS} times
each. "Bare" renders the HTML the export would render, made beforehand, with the same image
fetcher; "export" is the worker's whole job: load, HTML, render, merge with pypdf, store.

Run it with `python benchmarks/portfolio_pdf.py`; `make bench` runs it after the others.
"""
    if not args.no_readme:
        write_readme(section)
        print(f"Wrote {README}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
