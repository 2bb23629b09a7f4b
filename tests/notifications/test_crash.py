"""Crash-safety with real processes: workers killed with SIGKILL at random moments.

Each run uses its own database (a temporary SQLite file, or its own PostgreSQL database
when the suite runs on PostgreSQL), because the worker processes cannot see the test
transaction. The SMTP server runs in this process and records every copy it accepts."""

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tests.notifications.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
GUILDBOOK = str(Path(sys.executable).parent / "guildbook")
MESSAGES = 1000
WORKERS = 3
KILLS = 12


class WorkerDatabase:
    """A throw-away database with Guildbook's schema, on the engine the suite runs on."""

    def __init__(self, tmp_path: Path, suffix: str):
        db = settings.DATABASES["default"]
        self.postgres = db["ENGINE"].endswith("postgresql")
        if self.postgres:
            base = db["TEST"].get("NAME") or f"test_{db['NAME']}"
            self.name = f"{base}_{suffix}"[:63]
            self.params = {
                k: v
                for k, v in {
                    "user": db.get("USER"),
                    "password": db.get("PASSWORD"),
                    "host": db.get("HOST"),
                    "port": db.get("PORT"),
                }.items()
                if v
            }
            auth = db.get("USER") or ""
            if db.get("PASSWORD"):
                auth += f":{db['PASSWORD']}"
            host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
            self.url = f"postgres://{auth}@{host}/{self.name}"
        else:
            self.url = f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"

    def unfinished(self) -> int:
        """Rows not yet recorded as sent (read straight from the database, not through
        Django: the test's own connection lives in a transaction of the test database)."""
        sql = "SELECT COUNT(*) FROM notifications_outboxmessage WHERE status <> 'sent'"
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.name, autocommit=True, **self.params) as conn:
                return conn.execute(sql).fetchone()[0]
        import sqlite3

        with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=10) as conn:
            return conn.execute(sql).fetchone()[0]

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
            conn.execute(sql)

    def __enter__(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def worker_env(database_url: str, smtp_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_NAME"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings",
        GUILDBOOK_TESTING="true",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_USE_SSL="false",
        # The test's mail server is a thread of this busy process: a 2-second timeout let a
        # reply it was slow to give count as a failure, and the retry send a copy no kill
        # explains. The worker requires a lease of at least twice this (8 s below).
        EMAIL_TIMEOUT="4",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, **kwargs)


def worker_pid(worker_id: str) -> int:
    return int(worker_id.split(":")[-2])


@pytest.mark.slow
def test_workers_killed_at_random_deliver_every_message(tmp_path):
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"CRASH_SEED={seed}")
    with SMTPServer() as server, WorkerDatabase(tmp_path, "outbox_crash") as database:
        sink = server.sink
        env = worker_env(database.url, server.port)
        t0 = time.monotonic()
        run([GUILDBOOK, "migrate", "--no-input", "-v", "0"], env)
        t1 = time.monotonic()
        seed_rows = ["-m", "tests.notifications.crash_tool", "seed", str(MESSAGES), "--bulk"]
        run([sys.executable, *seed_rows], env)
        t2 = time.monotonic()
        print(f"migrate {t1 - t0:.1f} s, seed {t2 - t1:.1f} s")

        def start():
            return subprocess.Popen(
                [GUILDBOOK, "worker", "--batch", "10", "--lease-seconds", "8",
                 "--max-attempts", "100", "--poll-seconds", "0.2", "-v", "0"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip

        def delivered() -> int:
            return len(set(sink.message_ids()))

        procs = [start() for _ in range(WORKERS)]
        killed: set[int] = set()
        try:
            # Kill while messages are being delivered, then let the survivors finish.
            while delivered() == 0 and time.monotonic() - t2 < 60:
                time.sleep(0.05)
            while len(killed) < KILLS and delivered() < MESSAGES:
                time.sleep(rng.uniform(0.2, 0.9))
                i = rng.randrange(WORKERS)
                procs[i].send_signal(signal.SIGKILL)
                procs[i].wait()
                killed.add(procs[i].pid)
                procs[i] = start()
            print(f"kills done at {time.monotonic() - t2:.1f} s: {delivered()} delivered")
            # Wait while there is progress (a busy machine is slow, not wrong), until every
            # message has arrived AND every row is recorded: the message a killed worker had
            # in flight may have arrived while its row still says "sending"; it is sent again
            # once the lease runs out (8 s, so a stall allows more than that).
            last, stalled_since = None, time.monotonic()
            while time.monotonic() - stalled_since < 20:
                progress = (delivered(), database.unfinished())
                if progress[0] == MESSAGES and progress[1] == 0:
                    break
                if progress != last:
                    last, stalled_since = progress, time.monotonic()
                time.sleep(0.2)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            codes = [p.wait(timeout=15) for p in procs]
        print(f"all delivered at {time.monotonic() - t2:.1f} s")
        assert codes == [0] * WORKERS, [p.stderr.read().decode()[-2000:] for p in procs]
        state = json.loads(
            run([sys.executable, "-m", "tests.notifications.crash_tool", "dump"], env).stdout
        )

    rows, attempts = state["rows"], state["attempts"]
    assert len(rows) == MESSAGES
    assert Counter(r["status"] for r in rows) == {"sent": MESSAGES}, [
        r for r in rows if r["status"] != "sent"
    ][:5]
    domain = "127.0.0.1"
    expected = {f"<outbox-{r['id']}@{domain}>" for r in rows}
    copies = Counter(sink.message_ids())
    assert set(copies) == expected  # every message arrived

    by_message = defaultdict(list)
    for a in attempts:
        for key in ("claimed_at", "lease_expires_at", "finished_at"):
            a[key] = datetime.fromisoformat(a[key]) if a[key] else None
        by_message[a["message_id"]].append(a)

    # Two workers never held the same row at once: each claim starts after the previous
    # one finished or its lease ran out, and an unfinished claim is a killed worker's.
    for message_attempts in by_message.values():
        message_attempts.sort(key=lambda a: (a["claimed_at"], a["number"]))
        for before, after in itertools.pairwise(message_attempts):
            assert after["claimed_at"] >= (before["finished_at"] or before["lease_expires_at"])
        for a in message_attempts:
            if not a["outcome"]:
                assert worker_pid(a["worker"]) in killed
        assert [a["outcome"] for a in message_attempts].count("sent") == 1

    # A copy beyond the first comes only from a claim that a killed worker never recorded:
    # the server had accepted it when the worker died, before the commit.
    outcome_of = {(a["message_id"], a["worker"], a["number"]): a["outcome"] for a in attempts}
    duplicates = 0
    for mail in sink.messages:
        row_id = int(mail["Message-ID"].removeprefix("<outbox-").split("@")[0])
        key = (row_id, mail["X-Outbox-Worker"], int(mail["X-Outbox-Attempt"]))
        outcome = outcome_of[key]
        if outcome != "sent":
            duplicates += 1
            assert outcome == "" and worker_pid(key[1]) in killed, key
    assert duplicates == sum(copies.values()) - MESSAGES
    assert duplicates <= len(killed)  # at most the one message in flight per kill
    print(f"{len(killed)} workers killed, {duplicates} messages repeated")
