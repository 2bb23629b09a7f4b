"""`guildbook import_people FILE.csv`: columns email, name, team, organisation, role."""

import sys

from django.core.management.base import CommandError

from guildbook.accounts.services import people_import
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Import people from a CSV file with a header row: email, name and optionally team, "
        "organisation, role. All rows or none; people already known are updated. "
        "Give - to read from standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")

    def handle(self, *args, **options):
        text = self._read(options["file"])
        result = people_import(text=text)
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            rows = len(result.errors)
            raise CommandError(
                f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} "
                f"{'need' if rows != 1 else 'needs'} correcting."
            )
        total = result.created + result.updated
        self.stdout.write(
            f"Imported {total} {'person' if total == 1 else 'people'}: "
            f"{result.created} new, {result.updated} updated"
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
