"""`guildbook import_history FILE.csv`: past sessions and bookings from another system."""

import sys

from django.core.management.base import CommandError

from guildbook.core.management.base import GuildbookCommand
from guildbook.training.history import COLUMNS, history_import


class Command(GuildbookCommand):
    help = (
        "Import past sessions and bookings from a CSV file (UTF-8, header required, one row "
        f"a booking) with the columns {', '.join(COLUMNS)}. All rows or none; importing the "
        "same file again adds nothing. Give - to read from standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")

    def handle(self, *args, **options):
        result = history_import(text=self._read(options["file"]))
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            n = len(result.errors)
            raise CommandError(
                f"Nothing was imported: {n} problem{'s' if n != 1 else ''} to correct."
            )
        self.stdout.write(
            f"Imported {result.bookings_created} bookings on {result.sessions_created} new "
            f"sessions ({result.courses_created} new retired courses, {result.people_created} "
            f"new people); {result.already_there} rows were already there."
        )

    def _read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                return f.read()
        except FileNotFoundError:
            raise CommandError(f"There is no file {path}.") from None
        except IsADirectoryError:
            raise CommandError(f"{path} is a folder, not a CSV file.") from None
        except PermissionError:
            raise CommandError(f"{path} cannot be read (permission denied).") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text; save it as “CSV UTF-8”.") from None
