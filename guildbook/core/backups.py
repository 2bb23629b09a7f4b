"""Backing up and restoring the database.

SQLite: SQLite's online backup API copies the database page by page while Guildbook keeps
running, so a backup is always consistent (a plain file copy of a WAL database may not be).
PostgreSQL: its own tools do this better than Guildbook could; `backup` and `restore` say
which command to run.
"""

import shlex
import sqlite3
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from guildbook.core.errors import ServiceError


def _postgres_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"postgresql://{user}{host}{port}/{db['NAME']}"


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def default_backup_path(now: datetime) -> Path:
    return Path(settings.VAR_DIR) / "backups" / f"guildbook-{now:%Y%m%d-%H%M%S}.sqlite3"


def backup_create(*, path: Path) -> Path:
    """Copy the live SQLite database to `path` (which must not exist yet)."""
    if not _is_sqlite():
        name = f"guildbook-{datetime.now():%Y%m%d-%H%M%S}.dump"
        command = f"pg_dump --format=custom --file={name} {shlex.quote(_postgres_url())}"
        raise ServiceError(
            f"On PostgreSQL use pg_dump (the password from PGPASSWORD or ~/.pgpass): {command}"
        )
    if path.exists():
        raise ServiceError(f"{path} already exists; choose a new name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        with target:
            connection.connection.backup(target)
    finally:
        target.close()
    return path


def _check_backup(path: Path) -> None:
    if not path.is_file():
        raise ServiceError(f"There is no file at {path}.")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = source.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        finally:
            source.close()
    except sqlite3.DatabaseError:
        raise ServiceError(f"{path} is not a SQLite database.") from None
    if result != "ok":
        raise ServiceError(f"{path} is damaged: {result}.")
    if not {"django_migrations", "accounts_user"} <= tables:
        raise ServiceError(f"{path} is not a Guildbook backup.")


def backup_restore(*, path: Path) -> None:
    """Replace the live SQLite database with the backup at `path`. Stop the servers and
    workers first: they would otherwise keep writing to what they had open."""
    if not _is_sqlite():
        command = f"pg_restore --clean --if-exists --dbname={shlex.quote(_postgres_url())} FILE"
        raise ServiceError(f"On PostgreSQL use pg_restore: {command}")
    _check_backup(path)
    connections.close_all()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connections.close_all()
