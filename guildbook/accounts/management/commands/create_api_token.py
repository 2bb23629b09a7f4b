"""`guildbook create_api_token --email E [--name N]` prints the token and nothing else."""

from django.core.management.base import CommandError

from guildbook.accounts.models import User, normalise_email
from guildbook.accounts.services import api_token_create
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Create a personal API token for someone and print it (only the token, so that "
        "TOKEN=$(guildbook create_api_token --email …) works). It is shown only this once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Whose token it is.")
        parser.add_argument(
            "--name", default="API token", help="What it is for, e.g. “Library website”."
        )

    def handle(self, *args, **options):
        email = normalise_email(options["email"])
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No one with the e-mail {email} has an active account.")
        _token, secret = api_token_create(user=user, name=options["name"])
        self.stdout.write(secret)
