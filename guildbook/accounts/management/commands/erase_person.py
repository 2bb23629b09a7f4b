"""`guildbook erase_person EMAIL --yes`: erase a person (see docs/subsystems/privacy.md)."""

from django.core.management.base import CommandError

from guildbook.accounts import privacy
from guildbook.accounts.models import User, normalise_email
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = "Erase a person: their identity leaves every table; counts stay. Cannot be undone."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's e-mail address.")
        parser.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")

    def handle(self, *args, email, yes, **options):
        person = User.objects.filter(email=normalise_email(email)).first()
        if person is None:
            raise CommandError(f"No one has the address {email}.")
        if not yes:
            raise CommandError("Erasing cannot be undone: add --yes to confirm.")
        privacy.person_erase(person=person, actor=None)
        self.stdout.write(f"Erased {email}.")
