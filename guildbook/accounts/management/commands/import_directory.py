"""`guildbook import_directory FILE.csv`: organisations, departments and teams."""

from django.core.management.base import CommandError

from guildbook.accounts.management.commands.import_people import Command as PeopleCommand
from guildbook.accounts.organisations import directory_import
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Add organisations, departments and teams from a CSV file with the header "
        "organisation,department,team (one team a row), then link people whose team matches "
        "one. All rows or none; what exists is kept. Give - to read from standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")

    def handle(self, *args, **options):
        result = directory_import(text=PeopleCommand._read(self, options["file"]))
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(result.errors)} rows to correct.")
        self.stdout.write(
            f"Added {result.organisations} organisations, {result.departments} departments "
            f"and {result.teams} teams; linked {result.people_linked} people to their team."
        )
