"""`make bench`: run the benchmarks, print PASS/FAIL per target, write benchmarks/README.md.

Exits with 1 when a target is missed, so a regression is noticed.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking_burst

README = Path(__file__).resolve().parent / "README.md"

# Throughput as a share of the baseline's, and no errors at all.
TARGETS = {"booking": 0.25, "catalogue": 0.50}


def checks(run: booking_burst.DatabaseRun) -> list[tuple[str, bool]]:
    results = []
    for name, share in TARGETS.items():
        ratio = run.ratio(name)
        results.append(
            (f"{run.database}: {name} ≥ {share:.0%} of baseline ({ratio:.1%})", ratio >= share)
        )
    errors = sum(s["errors"] for s in run.scenarios.values())
    results.append((f"{run.database}: zero errors ({errors})", errors == 0))
    return results


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return f"{os.cpu_count()} cores{f' ({cpu})' if cpu else ''}, {platform.system()}{load}"


def versions() -> str:
    out = subprocess.run(
        [str(booking_burst.PYTHON), "-c", "import django, sys; print(sys.version.split()[0], "
         "django.get_version())"],
        capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    pg = ""
    try:
        import psycopg

        with psycopg.connect(booking_burst.PG_ADMIN_URL, connect_timeout=3) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:
        pg = "not available"
    import sqlite3

    py, dj = [*out, "?", "?"][:2]
    return f"Python {py}, Django {dj}, SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}"


def table(runs: list[booking_burst.DatabaseRun]) -> str:
    rows = [
        "| database | request | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| share of baseline | target | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    labels = {
        "baseline": "`GET /healthz`",
        "catalogue": "`GET /` (catalogue)",
        "booking": "`POST /api/v1/sessions/{id}/bookings`",
    }
    for run in runs:
        for name in ("baseline", "catalogue", "booking"):
            s = run.scenarios[name]
            target = TARGETS.get(name)
            ratio = run.ratio(name)
            if target is None:
                verdict = "PASS" if s["errors"] == 0 else "FAIL"
                target_text = "no errors"
            else:
                verdict = "PASS" if ratio >= target and s["errors"] == 0 else "FAIL"
                target_text = f"≥ {target:.0%}"
            rows.append(
                f"| {run.database} | {labels[name]} | {s['requests']} | {s['errors']} "
                f"| {s['throughput']:.1f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} "
                f"| {s['p99_ms']:.1f} | {ratio:.1%} | {target_text} | {verdict} |"
            )
    return "\n".join(rows)


INTRO = """# Benchmarks

`make bench` runs `benchmarks/run.py`: the booking burst, outbox delivery, insights at ten
years of history, then the portfolio PDF (`BENCH_ARGS="--only delivery"` runs one of them:
booking, delivery, insights or portfolio). Each also runs on its own
(`python benchmarks/<name>.py`), prints PASS or FAIL per target, exits with status 1 when a
target is missed, and rewrites only its own section of this file with the latest figures.
"""
HEADING = "## Booking burst (`booking_burst.py`)"


def write_section(text: str) -> None:
    """Replace this benchmark's section of README.md (or add it), leaving the rest alone."""
    current = README.read_text() if README.exists() else INTRO
    current = re.sub(r"\A# Benchmarks\n.*?(?=^## |\Z)", lambda _: INTRO + "\n", current,
                     flags=re.S | re.M)  # fmt: skip
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", current)
    else:
        updated = current.rstrip() + "\n\n" + text
    README.write_text(updated.rstrip() + "\n")


def write_readme(runs, *, started: datetime, elapsed: float, args, machine_text: str) -> None:
    servers = "; ".join(f"{r.database}: {r.server}" for r in runs)
    text = f"""{HEADING}

How fast Guildbook takes bookings and shows the catalogue, as a share of what the same
server does for a trivial page. Targets: booking at least 25% of the baseline's
throughput, the catalogue at least 50%, and no errors.

### Latest figures

Measured {started:%Y-%m-%d %H:%M} (local time), in {elapsed:.0f} s.

- Machine: {machine_text}.
- Software: {versions()}.
- Server: {servers}.
- Load: {runs[0].concurrency if runs else "-"} client threads, {args.seconds:g} s per request
  type in {args.rounds} rounds.

{table(runs)}

The share is each request type's throughput divided by the baseline's in the same run on the
same database. Latencies are per request, from opening the connection to the last byte.

### Method

For each database, SQLite and then PostgreSQL:

1. A fresh database (a file in a temporary directory; on PostgreSQL a `guildbook_bench`
   database, dropped afterwards) is migrated and seeded through the services:
   {booking_burst.COURSES} public courses with {booking_burst.SESSIONS_PER_COURSE} upcoming
   sessions each ({booking_burst.CAPACITY} places), and {booking_burst.PEOPLE} people, each with
   an API token.
2. The app is served as in production: `guildbook serve --bind 127.0.0.1:PORT --workers N`
   (gunicorn sync workers, WhiteNoise), `DEBUG=false`, a random `SECRET_KEY`, plain HTTP on
   loopback (`SECURE=false`), mail to a dummy backend.
3. A load generator in Python (`threading` and `http.client`, no external tools) runs a
   fixed number of threads, each sending one request at a time on a new connection, for a
   fixed time or number of requests. The three request types take turns in short rounds,
   so background load on the machine slows them alike. Every worker is warmed up first.
   * baseline: `GET /healthz`, which answers "ok" without touching the database;
   * catalogue: `GET /`, anonymous, every course with its next sessions;
   * booking: `POST /api/v1/sessions/{{id}}/bookings` with a Bearer token, each request a
     different person, session by session — everyone books the same session at once, the
     worst case for the session's lock. The first {booking_burst.CAPACITY} get places, the
     rest join the waiting list, so both paths are measured.
4. Any answer other than the expected one (200, or 201 for a booking) and any socket error
   counts as an error.

The load generator shares the machine with the server, so the absolute figures understate
what a dedicated server does; the shares are the figures to compare between runs.

Run one database with `python benchmarks/booking_burst.py --databases sqlite`; see `--help`
for the number of workers, client threads and seconds.
"""
    write_section(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=booking_burst.default_workers())
    parser.add_argument("--concurrency", type=int, default=0, help="default: 2 × workers")
    parser.add_argument("--seconds", type=float, default=10.0, help="per request type")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    parser.add_argument(
        "--only",
        choices=["booking", "delivery", "insights", "portfolio"],
        help="run one benchmark (default: all)",
    )
    args = parser.parse_args(argv)

    def wanted(name: str) -> bool:
        return args.only in (None, name)

    ok = True
    if wanted("booking"):
        ok = run_booking_burst(args)
    if wanted("delivery"):
        # Outbox delivery (notifications): rewrites only its own README section.
        import delivery

        delivery_args = ["--databases", args.databases]
        delivery_args += ["--no-readme"] if args.no_readme else []
        ok = delivery.main(delivery_args) == 0 and ok
    if wanted("insights"):
        # Insights at ten years of history (SQLite): its own README section too.
        import insights

        ok = insights.main(["--no-readme"] if args.no_readme else []) == 0 and ok
    if wanted("portfolio"):
        # The portfolio PDF export (portfolios): its own README section too.
        import portfolio_pdf

        ok = portfolio_pdf.main(["--no-readme"] if args.no_readme else []) == 0 and ok
    return 0 if ok else 1


def run_booking_burst(args) -> bool:
    started, t0, machine_text = datetime.now().astimezone(), time.monotonic(), machine()
    runs = booking_burst.run(
        [d.strip() for d in args.databases.split(",") if d.strip()],
        workers=args.workers,
        concurrency=args.concurrency or 2 * args.workers,
        seconds=args.seconds,
        rounds=args.rounds,
    )
    elapsed = time.monotonic() - t0
    print()
    print(table(runs))
    print()
    ok = bool(runs)
    for text, passed in [c for run in runs for c in checks(run)]:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
        ok = ok and passed
    if not runs:
        print("FAIL  no database could be benchmarked")
    if runs and not args.no_readme:
        write_readme(runs, started=started, elapsed=elapsed, args=args, machine_text=machine_text)
        print(f"\nWrote {README}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
