"""`guildbook backup [PATH]`: a consistent copy of the SQLite database, taken while running."""

from pathlib import Path

from django.utils import timezone

from guildbook.core import backups
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Back up the SQLite database while Guildbook runs (default: var/backups/). "
        "On PostgreSQL, prints the pg_dump command to use instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write the backup (a new file).")

    def handle(self, *args, path, **options):
        target = Path(path) if path else backups.default_backup_path(timezone.localtime())
        written = backups.backup_create(path=target)
        self.stdout.write(f"Backed up to {written}")
