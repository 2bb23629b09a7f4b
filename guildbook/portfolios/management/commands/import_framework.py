"""`guildbook import_framework FILE.yaml`: load a skills framework (all of it or nothing)."""

from guildbook.core.management.base import GuildbookCommand
from guildbook.portfolios.frameworks import framework_import_file


class Command(GuildbookCommand):
    help = (
        "Load a skills framework from a YAML file (see docs/subsystems/portfolios.md). A file "
        "with a mistake is refused with the file, line and field, and nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The framework file (YAML, UTF-8).")

    def handle(self, *args, **options):
        result = framework_import_file(path=options["file"])
        self.stdout.write(result.message)
