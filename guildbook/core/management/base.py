"""The base of Guildbook's own management commands.

People run these from a shell and from scripts, so a refusal is one line on stderr and a
non-zero exit: a ServiceError becomes a CommandError (which Django prints as one line), and
a mistyped option says what is wrong without printing the whole usage.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from guildbook.core.errors import ServiceError


class GuildbookCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:

            def error(message, parser=parser):
                parser.exit(2, f"Error: {message} (see “{parser.prog} --help”).\n")

            parser.error = error
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc


class CsvImportCommand(GuildbookCommand):
    """A command that imports one CSV file, all rows or none: it reads the file (or standard
    input for -) as UTF-8, and a file with wrong rows is refused with a line a row."""

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")

    def read_file(self, path: str) -> str:
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

    def refuse(self, errors, summary: str) -> None:
        """Each wrong row on stderr, then the summary as the command's error."""
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(summary)
