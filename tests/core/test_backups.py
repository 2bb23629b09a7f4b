"""`guildbook backup` and `guildbook restore`: a round trip through real processes on a
SQLite file, and what they say on PostgreSQL."""

import sqlite3
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.core.test_configuration import guildbook

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"GUILDBOOK_VAR_DIR={tmp_path / 'var'}\nDEBUG=true\n")
    assert guildbook(env_file, "migrate", "--no-input", "-v0").returncode == 0
    return env_file, tmp_path / "var" / "guildbook.sqlite3"


def emails(db) -> set[str]:
    with sqlite3.connect(db) as c:
        return {r[0] for r in c.execute("SELECT email FROM accounts_user")}


def run(env_file, *args) -> subprocess.CompletedProcess:
    return guildbook(env_file, *args)


def test_a_backup_restores_what_was_there(site, tmp_path):
    env_file, db = site
    assert (
        run(env_file, "createuser", "--email", "kept@example.nhs.uk", "--name", "K").returncode == 0
    )
    made = run(env_file, "backup", str(tmp_path / "b.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"Backed up to {tmp_path / 'b.sqlite3'}"
    assert (
        run(env_file, "createuser", "--email", "later@example.nhs.uk", "--name", "L").returncode
        == 0
    )
    assert emails(db) == {"kept@example.nhs.uk", "later@example.nhs.uk"}

    refused = run(env_file, "restore", str(tmp_path / "b.sqlite3"))
    assert refused.returncode == 1 and "add --yes" in refused.stderr
    restored = run(env_file, "restore", str(tmp_path / "b.sqlite3"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert emails(db) == {"kept@example.nhs.uk"}


def test_a_file_that_is_not_a_backup_is_refused(site, tmp_path):
    env_file, db = site
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    result = run(env_file, "restore", str(junk), "--yes")
    assert result.returncode == 1
    assert "is not a SQLite database" in result.stderr.strip().splitlines()[-1]
    again = run(env_file, "backup", str(db))
    assert again.returncode == 1 and "already exists" in again.stderr


@pytest.mark.django_db
def test_on_postgresql_it_prints_the_command_to_use():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(CommandError, match="pg_dump --format=custom"):
        call_command("backup")
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", "x.dump")
