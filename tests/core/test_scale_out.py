"""Scale-out, proved on PostgreSQL: two `guildbook serve` and two `guildbook worker` processes
on one database. 200 people book a 20-place session through both servers at once, ten of
those with places cancel through both servers at once, and then: exactly 20 places, the
waiting list in order, every message sent exactly once to a real SMTP server, and no
message delivered (or attempted) twice."""

import subprocess
import time
from collections import Counter

import psycopg
import pytest
from django.conf import settings

from tests.notifications.smtp import SMTPServer
from tests.training.test_concurrency import (
    BIN,
    ROOT,
    LiveApp,
    _free_port,
    _postgres_database,
    _wait_until_serving,
    all_at_once,
    check_invariants,
)

pytestmark = pytest.mark.slow

PEOPLE, PLACES, CANCELLING = 200, 20, 10


def _query(url: str, sql: str):
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def cluster(tmp_path):
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("several servers and workers share one database on PostgreSQL")
    url, drop = _postgres_database()
    procs = []
    with SMTPServer() as smtp:
        env = {
            "PATH": __import__("os").environ["PATH"],
            "HOME": "/tmp",
            "DATABASE_URL": url,
            "GUILDBOOK_TESTING": "true",
            "GUILDBOOK_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "5",
        }
        try:
            subprocess.run(
                [str(BIN / "guildbook"), "migrate", "--no-input", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=300,
            )
            servers = []
            for n in range(2):
                port = _free_port()
                log = tmp_path / f"server{n}.log"
                with log.open("wb") as out:
                    procs.append(
                        subprocess.Popen(
                            [
                                *(str(BIN / "guildbook"), "serve", "--bind", f"127.0.0.1:{port}"),
                                *("--workers", "2", "--threads", "4", "--no-collectstatic"),
                            ],
                            cwd=ROOT,
                            env=env,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                        )
                    )
                servers.append(LiveApp(env, port, log))
            for n in range(2):
                with (tmp_path / f"worker{n}.log").open("wb") as out:
                    procs.append(
                        subprocess.Popen(
                            [str(BIN / "guildbook"), "worker", "--poll-seconds", "0.2"],
                            cwd=ROOT,
                            env=env,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                        )
                    )
            for server, proc in zip(servers, procs[:2], strict=True):
                _wait_until_serving(server.port, proc, server.log)
            yield url, servers, smtp.sink
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            drop()


def wait_until_sent(url: str, deadline_seconds: float = 120) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        (left,) = _query(
            url,
            "SELECT count(*) FROM notifications_outboxmessage "
            "WHERE status IN ('pending', 'sending') AND due_at <= now()",
        )[0]
        if left == 0:
            return
        time.sleep(0.5)
    pytest.fail("the workers did not send every due message")


def test_two_servers_and_two_workers_on_one_database(cluster):
    url, servers, sink = cluster
    (group,) = servers[0].setup("scale", [{"capacity": PLACES, "people": PEOPLE}])
    path = f"/api/v1/sessions/{group['session']}/bookings"
    calls = [
        lambda p=p, s=servers[n % 2]: s.post(path, p["token"])
        for n, p in enumerate(group["people"])
    ]

    results, _seconds = all_at_once(calls)

    assert [code for code, _ in results] == [201] * PEOPLE
    by_person = {p["token"]: body for p, (_, body) in zip(group["people"], results, strict=True)}
    placed = [p for p in group["people"] if by_person[p["token"]]["status"] == "confirmed"]
    assert len(placed) == PLACES
    state = servers[0].state(group["session"])
    queue_before = [b["person_id"] for b in state["bookings"] if b["status"] == "waiting"]

    # Ten people with places cancel at once, through both servers.
    leaving = placed[:CANCELLING]
    calls = [
        lambda p=p, s=servers[n % 2]: s.post(
            f"/api/v1/bookings/{by_person[p['token']]['id']}/cancel", p["token"]
        )
        for n, p in enumerate(leaving)
    ]
    results, _seconds = all_at_once(calls)
    assert [code for code, _ in results] == [200] * CANCELLING

    state = servers[1].state(group["session"])
    check_invariants(state)
    assert state["places_taken"] == PLACES
    confirmed = {b["person_id"] for b in state["bookings"] if b["status"] == "confirmed"}
    waiting = [b["person_id"] for b in state["bookings"] if b["status"] == "waiting"]
    # The first ten in the queue got the places; the rest wait in the same order.
    assert set(queue_before[:CANCELLING]) <= confirmed
    assert waiting == queue_before[CANCELLING:]

    wait_until_sent(url)
    time.sleep(1)  # let a last delivery in flight land at the SMTP server
    sent = _query(url, "SELECT id FROM notifications_outboxmessage WHERE status = 'sent'")
    attempts = Counter(
        row[0] for row in _query(url, "SELECT message_id FROM notifications_deliveryattempt")
    )
    ids = sink.message_ids()
    # Every message sent exactly once: one arrival per sent row, no Message-ID twice, and no
    # row claimed by both workers.
    assert len(ids) == len(set(ids)) == len(sent)
    assert len(sent) >= PEOPLE + CANCELLING * 2  # a confirmation or waiting-list e-mail each
    assert set(attempts.values()) == {1}
    assert set(attempts) == {row[0] for row in sent}
