"""guildbook import_scheme FILE: add a qualification scheme (or a new version of one)."""

from guildbook.core.management.base import GuildbookCommand
from guildbook.qualifications.schemes import scheme_import_file


class Command(GuildbookCommand):
    help = (
        "Load a qualification scheme from a YAML file. Loading a version already there "
        "changes nothing; a new version never changes existing candidacies."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the scheme's YAML file")

    def handle(self, *args, file, **options):
        result = scheme_import_file(path=file)
        self.stdout.write(result.message)
