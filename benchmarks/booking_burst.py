"""Booking burst: how fast Guildbook books places compared with a trivial page.

For each database (SQLite, then PostgreSQL) it:

1. makes a fresh database (a file in a temporary directory; on PostgreSQL a `guildbook_bench`
   database, dropped afterwards), migrates it and seeds it through the services: public
   courses with upcoming sessions, and people who each have an API token;
2. serves the app with `guildbook serve --bind 127.0.0.1:PORT --workers N` exactly as in
   production (DEBUG off, a SECRET_KEY, WhiteNoise, gunicorn);
3. measures, in the same run and with the same load generator and concurrency:
   * the baseline, `GET /healthz` (no database, no template);
   * the catalogue, `GET /` (anonymous, public courses with their next sessions);
   * booking, `POST /api/v1/sessions/{id}/bookings` with `Authorization: Bearer`, each request
     a different person, session by session: everyone books the same session at once, the
     worst case for its lock, as when a newsletter announces a course. The first places are
     confirmed, the rest join the waiting list, so both paths are exercised.

The load generator is a fixed number of threads, each sending one request at a time over a
new loopback connection (gunicorn's sync workers close the connection after each answer),
for a fixed time or a fixed number of requests, whichever ends first. Any answer other than
the expected status, and any socket error, is an error.

Run through `benchmarks/run.py` (`make bench`), or on its own:
`python benchmarks/booking_burst.py [--databases sqlite]`, which prints PASS or FAIL per target,
exits with status 1 when one is missed and rewrites this benchmark's section of
benchmarks/README.md (`--no-readme` leaves it alone, for trial runs).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python" if (BIN / "python").exists() else Path(sys.executable)
GUILDBOOK = BIN / "guildbook"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "guildbook_bench"

COURSES = 12
SESSIONS_PER_COURSE = 4
PEOPLE = 100
CAPACITY = 20


@dataclass
class Scenario:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    error_samples: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        # Nearest rank: the smallest value with at least p% of the samples at or below it.
        rank = max(1, -(-len(ordered) * p // 100))
        return ordered[int(rank) - 1]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "error_samples": self.error_samples[:5],
        }


@dataclass
class DatabaseRun:
    database: str
    server: str
    workers: int
    concurrency: int
    booking_via: str
    scenarios: dict[str, dict]
    notes: list[str] = field(default_factory=list)

    def ratio(self, name: str) -> float:
        base = self.scenarios["baseline"]["throughput"]
        return self.scenarios[name]["throughput"] / base if base else 0.0


# --- The load generator -------------------------------------------------------------------


def load(
    name: str,
    port: int,
    make_request,
    *,
    expect: int,
    concurrency: int,
    seconds: float,
    max_requests: int,
) -> Scenario:
    """Send requests from `concurrency` threads until `seconds` pass or `max_requests` are sent.

    `make_request(i)` returns (method, path, body, headers) for the i-th request.
    """
    lock = threading.Lock()
    counter = iter(range(max_requests))
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def next_index():
        with lock:
            return next(counter, None)

    def worker():
        local_lat, local_err = [], []
        while time.monotonic() < deadline:
            i = next_index()
            if i is None:
                break
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != expect:
                    local_err.append(f"{method} {path}: {response.status} {payload[:160]!r}")
                else:
                    local_lat.append(elapsed)
            except OSError as exc:
                local_err.append(f"{method} {path}: {exc!r}")
        with lock:
            latencies.extend(local_lat)
            errors.extend(local_err)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    return Scenario(
        name=name,
        requests=len(latencies) + len(errors),
        errors=len(errors),
        seconds=elapsed,
        latencies_ms=latencies,
        error_samples=errors[:5],
    )


# --- Database, seed data and server ---------------------------------------------------------


def base_env(var_dir: Path, database_url: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GUILDBOOK_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        GUILDBOOK_VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        # Plain HTTP on loopback: no redirect to https, no secure-only cookies.
        SECURE="false",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        # Nothing may leave the machine; mail, if any is sent at once, is dropped.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_checked(args: list[str], env: dict, what: str, timeout: int = 180) -> str:
    proc = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def pg_recreate(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def pg_bench_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"


def seed(out: Path) -> None:
    """Runs inside a subprocess with the benchmark's environment (see `main(['_seed'])`)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from guildbook.accounts.services import api_token_create, user_create
    from guildbook.training.services import course_create, session_create

    trainer = user_create(email="trainer@bench.example", name="Bench Trainer", role="trainer")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sessions = []
    for c in range(COURSES):
        course = course_create(
            actor=trainer,
            title=f"Benchmark course {c + 1}: searching the evidence",
            summary="A course for the benchmark: finding and appraising evidence.",
            description="Long enough to look like a real description. " * 5,
            visibility="public",
            default_capacity=CAPACITY,
        )
        for s in range(SESSIONS_PER_COURSE):
            starts = now + timedelta(days=7 + 7 * s + c, hours=10)
            session = session_create(
                course=course,
                starts_at=starts,
                capacity=CAPACITY,
                venue="Staff Library",
                trainers=[trainer],
                actor=trainer,
            )
            sessions.append(session.pk)
    tokens = []
    for p in range(PEOPLE):
        person = user_create(email=f"person{p}@bench.example", name=f"Person {p}")
        _, secret = api_token_create(user=person, name="benchmark")
        tokens.append(secret)
    out.write_text(json.dumps({"sessions": sessions, "tokens": tokens}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_serve_command() -> bool:
    return (ROOT / "guildbook" / "core" / "management" / "commands" / "serve.py").exists()


def start_server(env: dict, port: int, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    if has_serve_command():
        args = [str(GUILDBOOK), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        label = "guildbook serve"
    else:
        run_checked([str(GUILDBOOK), "collectstatic", "--no-input", "-v0"], env, "collectstatic")
        args = [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        label = "gunicorn config.wsgi"
    # A session of its own, so stopping it stops gunicorn's workers and nothing else.
    proc = subprocess.Popen(
        args,
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, f"{label}, {workers} workers"
        time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError(f"the server did not answer within 90 s:\n{log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def api_has_booking(port: int, token: str, session_id: int) -> bool:
    """True when POST /api/v1/sessions/{id}/bookings exists (it answers anything but 404/405)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        f"/api/v1/sessions/{session_id}/bookings",
        body=b"{}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    response.read()
    return response.status not in (404, 405)


# --- One database ---------------------------------------------------------------------------


def bench_database(
    database: str, *, workers: int, concurrency: int, seconds: float, rounds: int, work_dir: Path
) -> DatabaseRun:
    var_dir = work_dir / database
    var_dir.mkdir(parents=True, exist_ok=True)
    # Collected static files are shared between the runs: collecting takes several seconds.
    static_dir = work_dir / "static"
    static_dir.mkdir(exist_ok=True)
    with contextlib.suppress(FileExistsError):
        (var_dir / "static").symlink_to(static_dir)
    if database == "sqlite":
        url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    else:
        pg_recreate()
        url = pg_bench_url()
    env = base_env(var_dir, url)
    proc = None
    try:
        print(f"[{database}] migrating a fresh database", flush=True)
        run_checked([str(GUILDBOOK), "migrate", "--no-input", "-v0"], env, "migrate", timeout=300)
        print(f"[{database}] seeding", flush=True)
        seed_file = var_dir / "seed.json"
        run_checked(
            [str(PYTHON), str(Path(__file__).resolve()), "_seed", str(seed_file)], env, "seed"
        )
        data = json.loads(seed_file.read_text())
        port = free_port()
        proc, server = start_server(env, port, workers, var_dir / "server.log")
        print(f"[{database}] serving on 127.0.0.1:{port} ({server})", flush=True)

        sessions, tokens = data["sessions"], data["tokens"]
        # Session-major order: all people book one session, then the next, and so on.
        pairs = [(s, t) for s in sessions for t in tokens]
        notes = []
        first_session, first_token = pairs.pop(0)
        if api_has_booking(port, first_token, first_session):
            booking_via = "API: POST /api/v1/sessions/{id}/bookings"

            def booking_request(i):
                session_id, token = pairs[i]
                return (
                    "POST",
                    f"/api/v1/sessions/{session_id}/bookings",
                    b"{}",
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )

            booking_expect = 201
        else:
            raise RuntimeError(
                "POST /api/v1/sessions/{id}/bookings is missing: the booking API is required."
            )

        def fixed(path):
            return lambda i: ("GET", path, None, {})

        # Warm every worker up (imports, connections, template caches) before measuring.
        for path in ("/healthz", "/"):
            load("warm-up", port, fixed(path), expect=200, concurrency=concurrency,
                 seconds=3, max_requests=workers * 20)  # fmt: skip

        # The scenarios take turns, in short rounds, so that anything else the machine is
        # doing slows all three alike and the ratios stay fair.
        plans = [
            ("baseline", fixed("/healthz"), 200, 1_000_000),
            ("catalogue", fixed("/"), 200, 1_000_000),
            ("booking", booking_request, booking_expect, len(pairs)),
        ]
        done = {name: [] for name, *_ in plans}
        offsets = {name: 0 for name, *_ in plans}
        for _ in range(rounds):
            for name, make_request, expect, max_requests in plans:
                start = offsets[name]
                result = load(
                    name,
                    port,
                    lambda i, make=make_request, start=start: make(start + i),
                    expect=expect,
                    concurrency=concurrency,
                    seconds=seconds / rounds,
                    max_requests=max(0, max_requests - start),
                )
                offsets[name] += result.requests
                done[name].append(result)
        results = {}
        for name, parts in done.items():
            result = Scenario(
                name=name,
                requests=sum(p.requests for p in parts),
                errors=sum(p.errors for p in parts),
                seconds=sum(p.seconds for p in parts),
                latencies_ms=[x for p in parts for x in p.latencies_ms],
                error_samples=[e for p in parts for e in p.error_samples],
            )
            results[name] = result.summary()
            print(
                f"[{database}] {name:9} {result.throughput:8.1f} req/s  "
                f"p50 {result.percentile(50):6.1f} ms  p95 {result.percentile(95):6.1f} ms  "
                f"p99 {result.percentile(99):6.1f} ms  errors {result.errors}",
                flush=True,
            )
            for sample in result.error_samples[:3]:
                print(f"[{database}]   error: {sample}", flush=True)
        return DatabaseRun(
            database=database,
            server=server,
            workers=workers,
            concurrency=concurrency,
            booking_via=booking_via,
            scenarios=results,
            notes=notes,
        )
    finally:
        if proc is not None:
            stop_server(proc)
        if database == "postgres":
            with contextlib.suppress(Exception):
                pg_recreate(drop_only=True)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def run(
    databases: list[str], *, workers: int, concurrency: int, seconds: float, rounds: int = 4
) -> list[DatabaseRun]:
    work_dir = Path(tempfile.mkdtemp(prefix="guildbook-bench-"))
    runs = []
    try:
        for database in databases:
            if database == "postgres" and not postgres_available():
                print(f"[postgres] not answering at {PG_ADMIN_URL}: skipped", flush=True)
                continue
            runs.append(
                bench_database(
                    database,
                    workers=workers,
                    concurrency=concurrency,
                    seconds=seconds,
                    rounds=rounds,
                    work_dir=work_dir,
                )
            )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return runs


def default_workers() -> int:
    # gunicorn's rule of thumb for sync workers: two per core, plus one.
    return 2 * (os.cpu_count() or 1) + 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_seed"]:
        seed(Path(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--concurrency", type=int, default=0, help="default: 2 × workers")
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario, in all")
    parser.add_argument("--rounds", type=int, default=4, help="turns the scenarios take")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not rewrite this benchmark's README section"
    )
    args = parser.parse_args(argv)
    # run.py holds the targets, the table and the README writer (`make bench` uses them too).
    import run as bench

    started, t0, machine_text = datetime.now().astimezone(), time.monotonic(), bench.machine()
    runs = run(
        [d.strip() for d in args.databases.split(",") if d.strip()],
        workers=args.workers,
        concurrency=args.concurrency or 2 * args.workers,
        seconds=args.seconds,
        rounds=args.rounds,
    )
    elapsed = time.monotonic() - t0
    print(json.dumps([asdict(r) for r in runs], indent=2))
    print()
    print(bench.table(runs))
    print()
    ok = bool(runs)
    for text, passed in [c for r in runs for c in bench.checks(r)]:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
        ok = ok and passed
    if runs and not args.no_readme:
        bench.write_readme(
            runs, started=started, elapsed=elapsed, args=args, machine_text=machine_text
        )
        print(f"\nWrote {bench.README}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
