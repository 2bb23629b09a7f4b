"""guildbook import_mentors FILE.csv: the mentor directory, all rows or none."""

from pathlib import Path

from django.core.management.base import CommandError

from guildbook.core.management.base import CsvImportCommand
from guildbook.qualifications.services import mentors_import


class Command(CsvImportCommand):
    help = (
        "Import mentors from CSV with the header email,name,region,sector,specialisms,"
        "remote,capacity (specialisms separated by ';', remote yes or no). If any row is "
        "wrong nothing is imported and every wrong row is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")

    def handle(self, *args, file, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot be read ({exc}).") from None
        result = mentors_import(text=text)
        if result.errors:
            self.refuse(
                result.errors, f"Nothing imported: {len(result.errors)} row(s) need correcting."
            )
        self.stdout.write(
            f"Imported {result.created + result.updated} mentors "
            f"({result.created} new, {result.updated} already known)."
        )
