"""The base of Guildbook's own management commands.

People run these from a shell and from scripts, so a refusal is one line on stderr and a
non-zero exit: a ServiceError becomes a CommandError (which Django prints as one line), and
a mistyped option says what is wrong without printing the whole usage.
"""

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
