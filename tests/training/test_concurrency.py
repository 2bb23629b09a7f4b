"""Real concurrency: many people booking the same session at the same moment, over HTTP,
against the app served as in production (`guildbook serve`, 4 processes × 8 threads).

The server gets a database of its own: a temporary SQLite file, or — when the suite runs on
PostgreSQL (DATABASE_URL) — a database created on that server for this module and dropped
afterwards. Requests go to the JSON API with each person's API token, released together
from a thread pool. The outcome is read back from the database.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS, THREADS = 4, 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_database():
    """Create a fresh database on the suite's PostgreSQL server; return (url, drop)."""
    import psycopg

    db = settings.DATABASES["default"]
    name = f"test_gb_concurrency_{os.getpid()}"
    params = {
        "host": db.get("HOST") or "localhost",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = params["user"] or ""
    if params["password"]:
        auth += f":{params['password']}"
    url = f"postgres://{auth}@{params['host']}:{params['port']}/{name}"

    def drop():
        with psycopg.connect(**params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


class LiveApp:
    def __init__(self, base_env: dict, port: int, log: Path):
        self.env, self.port, self.log = base_env, port, log

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "python"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def setup(self, prefix: str, groups: list[dict]) -> list[dict]:
        spec = json.dumps({"prefix": prefix, "groups": groups})
        return json.loads(self.run("-m", "tests.training.live_app", "setup", spec))["groups"]

    def state(self, session_id: int) -> dict:
        return json.loads(self.run("-m", "tests.training.live_app", "state", str(session_id)))

    def post(self, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(
                "POST",
                path,
                body=json.dumps(body or {}),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            data = json.loads(raw)
        except ValueError:
            data = {"raw": raw[:500].decode(errors="replace")}
        return response.status, data

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        url, drop = _postgres_database()
    else:
        url, drop = f"sqlite:///{tmp / 'guildbook.sqlite3'}", (lambda: None)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TEST_DATABASE_NAME", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"}
    }
    env |= {
        "DATABASE_URL": url,
        "GUILDBOOK_TESTING": "true",
        "GUILDBOOK_VAR_DIR": str(tmp / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    port = _free_port()
    log = tmp / "server.log"
    app = LiveApp(env, port, log)
    server = None
    try:
        subprocess.run(
            [str(BIN / "guildbook"), "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    str(BIN / "guildbook"),
                    "serve",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(WORKERS),
                    "--threads",
                    str(THREADS),
                    "--no-collectstatic",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_serving(port, server, log)
        yield app
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        drop()


def _wait_until_serving(port: int, server: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if server.poll() is not None:
            pytest.fail(f"guildbook serve exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("guildbook serve did not start answering within a minute")


def all_at_once(calls) -> tuple[list, float]:
    """Run the calls from a thread pool, released together; (results in order, seconds)."""
    gate = threading.Barrier(len(calls) + 1)

    def run(call):
        gate.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        gate.wait()
        started = time.perf_counter()
        results = [f.result() for f in futures]
        elapsed = time.perf_counter() - started
    return results, elapsed


def report(what: str, seconds: float, outcome: dict) -> None:
    backend = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    sys.stderr.write(f"\n[concurrency] {backend}: {what}: {seconds:.2f} s, {outcome}\n")


def check_invariants(state: dict) -> None:
    active = [b for b in state["bookings"] if b["status"] in ("confirmed", "waiting")]
    confirmed = [b for b in active if b["status"] == "confirmed"]
    waiting = [b for b in active if b["status"] == "waiting"]
    people = [b["person_id"] for b in active]
    assert len(people) == len(set(people)), "a person holds two active bookings"
    assert state["places_taken"] == len(confirmed) <= state["capacity"]
    if state["places_taken"] < state["capacity"]:
        assert waiting == [], "a place is free while people wait"
    # Nobody was promoted past someone who joined the waiting list before them.
    promoted = [b["waiting_since"] for b in confirmed if b["waiting_since"]]
    if promoted and waiting:
        assert max(promoted) < min(b["waiting_since"] for b in waiting)


def test_200_people_book_a_20_place_session_at_once(live_app):
    (group,) = live_app.setup("burst", [{"capacity": 20, "people": 200}])
    path = f"/api/v1/sessions/{group['session']}/bookings"
    calls = [lambda p=p: live_app.post(path, p["token"]) for p in group["people"]]

    results, seconds = all_at_once(calls)

    codes = [code for code, _ in results]
    assert not [c for c in codes if c >= 500], live_app.log_tail()
    assert codes == [201] * 200, {c: codes.count(c) for c in set(codes)}
    confirmed = [body for _, body in results if body["status"] == "confirmed"]
    waiting = [body for _, body in results if body["status"] == "waiting"]
    assert len(confirmed) == 20
    assert all(body["waiting_list_position"] is None for body in confirmed)
    assert sorted(body["waiting_list_position"] for body in waiting) == list(range(1, 181))

    state = live_app.state(group["session"])
    check_invariants(state)
    assert state["places_taken"] == 20
    queue = [b["id"] for b in state["bookings"] if b["status"] == "waiting"]
    assert len(queue) == 180
    # The position each person was told is their place in the queue as stored.
    told = {body["id"]: body["waiting_list_position"] for body in waiting}
    assert [told[pk] for pk in queue] == list(range(1, 181))
    report("200 bookings for 20 places", seconds, {"confirmed": 20, "waiting": 180, "5xx": 0})


def test_20_identical_requests_by_one_person_make_one_booking(live_app):
    (group,) = live_app.setup("same", [{"capacity": 20, "people": 1}])
    person = group["people"][0]
    path = f"/api/v1/sessions/{group['session']}/bookings"

    results, seconds = all_at_once([lambda: live_app.post(path, person["token"])] * 20)

    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * 19, live_app.log_tail()
    assert all(body["code"] == "already_booked" for code, body in results if code == 409)
    state = live_app.state(group["session"])
    check_invariants(state)
    assert [b["status"] for b in state["bookings"]] == ["confirmed"]
    assert state["places_taken"] == 1
    report("20 identical requests", seconds, {"201": 1, "409": 19})


def test_cancelling_and_booking_at_once_keeps_the_invariants(live_app):
    # 20 places taken and 20 waiting; then, all at once, the 20 with places cancel, the
    # first 10 on the waiting list leave it, and 40 newcomers book.
    regulars, newcomers = live_app.setup(
        "churn",
        [{"capacity": 20, "people": 40, "prebook": 40}, {"capacity": 1, "people": 40}],
    )
    session = regulars["session"]
    holders, leavers, stayers = (
        regulars["people"][:20],
        regulars["people"][20:30],
        regulars["people"][30:],
    )
    book_path = f"/api/v1/sessions/{session}/bookings"
    calls = [
        *(
            lambda p=p: live_app.post(f"/api/v1/bookings/{p['booking']}/cancel", p["token"])
            for p in holders + leavers
        ),
        *(lambda p=p: live_app.post(book_path, p["token"]) for p in newcomers["people"]),
    ]

    results, seconds = all_at_once(calls)

    codes = [code for code, _ in results]
    assert not [c for c in codes if c >= 500], live_app.log_tail()
    assert codes == [200] * 30 + [201] * 40, {c: codes.count(c) for c in set(codes)}
    state = live_app.state(session)
    check_invariants(state)
    status = {b["person_id"]: b["status"] for b in state["bookings"]}
    assert {status[p["id"]] for p in holders + leavers} == {"cancelled"}
    # The ten who stayed on the waiting list were ahead of every newcomer.
    assert {status[p["id"]] for p in stayers} == {"confirmed"}
    new = [status[p["id"]] for p in newcomers["people"]]
    assert new.count("confirmed") == 10
    assert new.count("waiting") == 30
    assert state["places_taken"] == 20
    report("30 cancellations and 40 bookings", seconds, {"confirmed": 20, "waiting": 30})
