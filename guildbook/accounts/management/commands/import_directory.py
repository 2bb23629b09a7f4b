"""`guildbook import_directory FILE.csv`: organisations, departments and teams."""

from guildbook.accounts.organisations import directory_import
from guildbook.core.management.base import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Add organisations, departments and teams from a CSV file with the header "
        "organisation,department,team (one team a row), then link people whose team matches "
        "one. All rows or none; what exists is kept. Give - to read from standard input."
    )

    def handle(self, *args, **options):
        result = directory_import(text=self.read_file(options["file"]))
        if result.errors:
            self.refuse(
                result.errors, f"Nothing was imported: {len(result.errors)} rows to correct."
            )
        self.stdout.write(
            f"Added {result.organisations} organisations, {result.departments} departments "
            f"and {result.teams} teams; linked {result.people_linked} people to their team."
        )
