"""`guildbook import_people FILE.csv`: columns email, name, team, organisation, role."""

from guildbook.accounts.services import people_import
from guildbook.core.management.base import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Import people from a CSV file with a header row: email, name and optionally team, "
        "organisation, role. All rows or none; people already known are updated. "
        "Give - to read from standard input."
    )

    def handle(self, *args, **options):
        result = people_import(text=self.read_file(options["file"]))
        if result.errors:
            rows = len(result.errors)
            self.refuse(
                result.errors,
                f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} "
                f"{'need' if rows != 1 else 'needs'} correcting.",
            )
        total = result.created + result.updated
        self.stdout.write(
            f"Imported {total} {'person' if total == 1 else 'people'}: "
            f"{result.created} new, {result.updated} updated"
        )
