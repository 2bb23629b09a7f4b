"""guildbook import_scheme FILE: add a qualification scheme (or a new version of one)."""

from django.core.management.base import CommandError

from guildbook.core.errors import ServiceError
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
        try:
            result = scheme_import_file(path=file)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(result.message)
