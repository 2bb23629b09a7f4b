"""Insights at ten years of history: the import's rate, and the dashboard, the API and the
planner against a trivial page.

1. A fresh SQLite database (a file in a temporary directory) is migrated; ten years of
   history — 50 courses run monthly, about 6,000 sessions, 120,000 bookings and 20,000
   people — are generated as one CSV file and brought in with `guildbook import_history`,
   timed on its own (rows a second).
2. The app is served as in production (`guildbook serve`, as in booking_burst.py) and one
   client asks, in turns, for the trivial page (`GET /healthz`), the dashboard as a trainer
   opens it (every course, the last twelve months), the dashboard for one course over the
   ten years, the API's figures for that course over the ten years, and the planner page for
   it. Each is compared by its median time with the trivial page's.

Targets: the import at least 5,000 rows a second; the dashboard under 10× and the planner
under 20× the trivial page's time. `python benchmarks/insights.py [--no-readme]`; also run by
`make bench`. Rewrites only its own section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import booking_burst as bb

HEADING = "## Insights at ten years (`insights.py`)"
COURSES = 50
YEARS = 10
PEOPLE = 20_000
DEMAND = 20  # people a month per course
CAPACITY = 20
TARGET_IMPORT = 5_000
TARGETS = {"dashboard": 10.0, "planner": 20.0}


def seed(out: Path) -> None:
    """Runs in a subprocess with the benchmark's environment (`insights.py _seed OUT`)."""
    sys.path.insert(0, str(bb.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import date

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from guildbook.accounts.services import api_token_create, user_create
    from guildbook.training.history_demo import CourseHistory, history_csv, history_rows
    from guildbook.training.models import Course

    today = date.today()
    first = date(today.year - YEARS, today.month, 1)
    courses = [
        CourseHistory(
            f"Benchmark course {n + 1}",
            [(first.replace(day=1 + n % 27), 1)],
            date(today.year, today.month, 1),
            demand_per_month=DEMAND,
            capacity=CAPACITY,
        )
        for n in range(COURSES)
    ]
    path = out.with_suffix(".csv")
    rows = history_csv(history_rows(courses, people=PEOPLE, seed=1))
    path.write_text(rows)
    count = rows.count("\n") - 1
    started = time.perf_counter()
    call_command("import_history", str(path), verbosity=0)
    seconds = time.perf_counter() - started

    trainer = user_create(email="trainer@bench.example", name="Bench Trainer", role="trainer")
    _, token = api_token_create(user=trainer, name="benchmark")
    session = SessionStore()
    session[SESSION_KEY] = str(trainer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = trainer.get_session_auth_hash()
    session.create()
    course = Course.objects.get(title="Benchmark course 1")
    out.write_text(
        json.dumps(
            {
                "rows": count,
                "seconds": seconds,
                "token": token,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                "course": course.pk,
                "slug": course.slug,
                "from": first.isoformat(),
                "to": today.isoformat(),
            }
        )
    )


def run(*, requests: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="guildbook-insights-") as tmp:
        tmp_path = Path(tmp)
        env = bb.base_env(tmp_path / "var", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
        bb.run_checked([str(bb.GUILDBOOK), "migrate", "--no-input", "-v0"], env, "migrate")
        out = tmp_path / "seed.json"
        bb.run_checked(
            [str(bb.PYTHON), str(Path(__file__).resolve()), "_seed", str(out)],
            env,
            "generating and importing the history",
            timeout=1800,
        )
        seeded = json.loads(out.read_text())
        port = bb.free_port()
        proc, server = bb.start_server(env, port, 1, tmp_path / "server.log")
        try:
            cookie = {"Cookie": seeded["cookie"]}
            bearer = {"Authorization": f"Bearer {seeded['token']}"}
            period = f"from={seeded['from']}&to={seeded['to']}"
            latencies: dict[str, list[float]] = {}
            errors: dict[str, list[str]] = {}
            asks = {
                "baseline": ("/healthz", {}),
                "dashboard": ("/manage/insights/", cookie),
                "dashboard_course": (
                    f"/manage/insights/?course={seeded['slug']}&{period}",
                    cookie,
                ),
                "api": (f"/api/v1/insights/courses/{seeded['course']}?{period}", bearer),
                "planner": (f"/manage/courses/{seeded['slug']}/planner/", cookie),
            }
            for name in asks:
                latencies[name], errors[name] = [], []
            first: dict[str, float] = {}
            for name, (path, headers) in asks.items():  # warm every page; the first is cold
                s = bb.load(name, port, lambda i, p=path, h=headers: ("GET", p, None, h),
                            expect=200, concurrency=1, seconds=120, max_requests=2)  # fmt: skip
                first[name] = s.latencies_ms[0] if s.latencies_ms else float("nan")
                errors[name].extend(s.error_samples)
            for _round in range(rounds):
                for name, (path, headers) in asks.items():
                    s = bb.load(
                        name,
                        port,
                        lambda i, p=path, h=headers: ("GET", p, None, h),
                        expect=200,
                        concurrency=1,
                        seconds=300,
                        max_requests=requests,
                    )
                    latencies[name].extend(s.latencies_ms)
                    errors[name].extend(s.error_samples)
        finally:
            bb.stop_server(proc)
    medians = {n: statistics.median(v) if v else float("nan") for n, v in latencies.items()}
    return {
        "rows": seeded["rows"],
        "import_seconds": seeded["seconds"],
        "rate": seeded["rows"] / seeded["seconds"],
        "medians": medians,
        "counts": {n: len(v) for n, v in latencies.items()},
        "first": first,
        "errors": errors,
        "server": server,
    }


LABELS = {
    "baseline": "`GET /healthz` (trivial page)",
    "dashboard": "dashboard, every course, last 12 months",
    "dashboard_course": "dashboard, one course, ten years",
    "api": "`GET /api/v1/insights/courses/{id}`, ten years",
    "planner": "planner page, one course",
}


def checks(result: dict) -> list[tuple[str, bool]]:
    base = result["medians"]["baseline"]
    out = [
        (
            f"import ≥ {TARGET_IMPORT:,} rows/s ({result['rate']:,.0f})",
            result["rate"] >= TARGET_IMPORT,
        )
    ]
    for name, limit in TARGETS.items():
        ratio = result["medians"][name] / base
        out.append((f"{name} < {limit:g}× the trivial page ({ratio:.1f}×)", ratio < limit))
    out.append(
        (
            f"no errors ({sum(len(e) for e in result['errors'].values())})",
            not any(result["errors"].values()),
        )
    )
    return out


def table(result: dict) -> str:
    base = result["medians"]["baseline"]
    rows = [
        "| request | requests | median ms | × trivial page | target | result | first request ms |",
        "|---|--:|--:|--:|--:|---|--:|",
    ]
    for name, label in LABELS.items():
        median = result["medians"][name]
        ratio = median / base
        limit = TARGETS.get(name)
        verdict = "" if limit is None else ("PASS" if ratio < limit else "FAIL")
        rows.append(
            f"| {label} | {result['counts'][name]} | {median:.1f} | {ratio:.1f} "
            f"| {f'< {limit:g}×' if limit else '–'} | {verdict} | {result['first'][name]:.0f} |"
        )
    return "\n".join(rows)


def write_readme(result: dict, *, started: datetime, elapsed: float) -> None:
    import run as runner

    text = f"""{HEADING}

Ten years of history (about {COURSES * YEARS * 12:,} sessions, {result["rows"]:,} rows,
{PEOPLE:,} people) brought in with `guildbook import_history`, then the insights pages and
API timed against a trivial page on the same server. Targets: the import at least
{TARGET_IMPORT:,} rows a second on SQLite; the dashboard under 10× and the planner under 20×
the trivial page's median time.

### Latest figures

Measured {started:%Y-%m-%d %H:%M} (local time), in {elapsed:.0f} s, on SQLite.

- Machine: {runner.machine()}.
- Software: {runner.versions()}.
- Server: {result["server"]}; one client, one request at a time, in turns.

Import: {result["rows"]:,} rows in {result["import_seconds"]:.1f} s,
**{result["rate"]:,.0f} rows a second** ({"PASS" if result["rate"] >= TARGET_IMPORT else "FAIL"}).

{table(result)}

### Method

The history is made by `guildbook/training/history_demo.py`: each course monthly, demand a
Poisson number of people ({DEMAND} a month), {CAPACITY} places, early and late cancellations,
no-shows and waiting lists. The import is timed in-process around `call_command`, so Django's
start is not counted and the CSV's generation neither. Pages are asked for with a signed-in
trainer's session cookie, the API with a personal token; every page is asked for twice before
timing. The figures, plans and the dashboard's content are kept while the data is unchanged
(insights/cache.py), so the timed requests find them worked out; the last column is the first
request of each, which works them out (cold, after the import).
"""
    write_section(text)


def write_section(text: str) -> None:
    """Replace this benchmark's section of README.md (or add it), leaving the rest alone."""
    readme = Path(__file__).resolve().parent / "README.md"
    current = readme.read_text() if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", current)
    else:
        updated = current.rstrip() + "\n\n" + text
    readme.write_text(updated.rstrip() + "\n")


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["_seed"]:
        seed(Path(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    started, t0 = datetime.now().astimezone(), time.monotonic()
    result = run(requests=args.requests, rounds=args.rounds)
    print()
    print(table(result))
    print(f"\nimport: {result['rows']:,} rows in {result['import_seconds']:.1f} s")
    ok = True
    for text, passed in checks(result):
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
        ok = ok and passed
    if not args.no_readme:
        write_readme(result, started=started, elapsed=time.monotonic() - t0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
