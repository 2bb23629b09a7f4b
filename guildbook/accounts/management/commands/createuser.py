"""`guildbook createuser --email E --name N [--role R] [--password P] [--team T] …`"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from guildbook.accounts.models import User
from guildbook.accounts.services import user_create
from guildbook.core.management.base import GuildbookCommand


class Command(GuildbookCommand):
    help = (
        "Add a person. Without --password they sign in with a code sent by e-mail. "
        "Roles: learner, trainer, mentor, staff_development, administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Their e-mail address (their identity).")
        parser.add_argument("--name", required=True, help="Their full name.")
        parser.add_argument(
            "--role",
            default="",
            help="learner (the default), trainer, mentor, staff_development or administrator.",
        )
        parser.add_argument("--password", default="", help="Optional: a password to sign in with.")
        parser.add_argument("--team", default="", help="Team or department.")
        parser.add_argument("--organisation", default="", help="Organisation.")
        parser.add_argument("--job-title", default="", help="Job title.")

    def handle(self, *args, **options):
        password = options["password"] or None
        if password:
            # The same checks the sign-up page applies, so the command is no back door to a
            # weak password. The person is not saved yet, so check against an unsaved copy.
            candidate = User(email=options["email"], name=options["name"])
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        user = user_create(
            email=options["email"],
            name=options["name"],
            job_title=options["job_title"],
            team=options["team"],
            organisation=options["organisation"],
            role=options["role"] or None,
            password=password,
        )
        self.stdout.write(
            f"Created {user.display_name} <{user.email}> ({', '.join(user.role_names)})."
        )
