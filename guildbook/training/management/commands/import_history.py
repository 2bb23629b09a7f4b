"""`guildbook import_history FILE.csv`: past sessions and bookings from another system."""

from guildbook.core.management.base import CsvImportCommand
from guildbook.training.history import COLUMNS, history_import


class Command(CsvImportCommand):
    help = (
        "Import past sessions and bookings from a CSV file (UTF-8, header required, one row "
        f"a booking) with the columns {', '.join(COLUMNS)}. All rows or none; importing the "
        "same file again adds nothing. Give - to read from standard input."
    )

    def handle(self, *args, **options):
        result = history_import(text=self.read_file(options["file"]))
        if result.errors:
            n = len(result.errors)
            self.refuse(
                result.errors,
                f"Nothing was imported: {n} problem{'s' if n != 1 else ''} to correct.",
            )
        self.stdout.write(
            f"Imported {result.bookings_created} bookings on {result.sessions_created} new "
            f"sessions ({result.courses_created} new retired courses, {result.people_created} "
            f"new people); {result.already_there} rows were already there."
        )
