"""`guildbook restore PATH --yes`: put a backup back in place of the SQLite database."""

from pathlib import Path

from django.core.management.base import CommandError

from guildbook.core import backups
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Replace the SQLite database with a backup made by `guildbook backup`. Stop the "
        "server and worker first. On PostgreSQL, prints the pg_restore command instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: everything since the backup is lost."
        )

    def handle(self, *args, path, yes, **options):
        if not yes and backups.connection.vendor == "sqlite":
            raise CommandError("Restoring loses everything since the backup: add --yes.")
        backups.backup_restore(path=Path(path))
        self.stdout.write(f"Restored from {path}. Run `guildbook migrate` if it is older.")
