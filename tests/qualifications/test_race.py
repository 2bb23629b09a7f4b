"""Two candidates' requests for a mentor's last place, accepted at the same moment from two
threads with their own database connections: exactly one is accepted, the other is told
`mentor_full`, and the mentor's count never passes the capacity. Runs in a process of its
own on a real file database (SQLite) or a database of its own (PostgreSQL), because the
test database of the suite's SQLite run lives in memory and cannot be shared by threads."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.training.test_concurrency import _postgres_database

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_two_acceptances_for_the_last_place_one_wins(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GUILDBOOK_TESTING"}
    env.update(
        GUILDBOOK_TESTING="true",
        DJANGO_SETTINGS_MODULE="config.settings",
        GUILDBOOK_VAR_DIR=str(tmp_path),
        AXES_ENABLED="false",
    )
    drop = None
    if connection.vendor == "postgresql":
        url, drop = _postgres_database()
        env["DATABASE_URL"] = url
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.qualifications.race_script", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        if drop:
            drop()
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["vendor"] == connection.vendor
    for outcome in report["outcomes"]:
        assert outcome == {"results": ["accepted", "mentor_full"], "mentees": 1, "accepted": 1}
    assert settings.DATABASES  # the suite's own database was not touched
