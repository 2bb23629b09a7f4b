"""People: e-mail is the identity. Roles are groups (see guildbook.core.roles)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from guildbook.core import roles


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def record_address(user) -> None:
    """Give a person made outside sign-up allauth's record of their address, unverified.

    Without it allauth, after a correct sign-in code, would ask them to confirm the address
    again; with it, the code itself verifies the address. (Sign-up makes its own record.)
    """
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user).exists():
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalise_email(email))

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalise_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        record_address(user)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Organisation(models.Model):
    """The organisation directory: organisation → department → team (organisations.py)."""

    name = models.CharField(max_length=150, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="department_unique_in_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.name}"


class Team(models.Model):
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["department__organisation__name", "department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_unique_in_department")
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.name}"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    team = models.CharField("team or department", max_length=150, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    # The person's team in the directory, when known; `team` and `organisation` stay as typed.
    directory_team = models.ForeignKey(
        "Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    is_active = models.BooleanField(default=True)
    # Brought in by the history import and never signed in: inactive, but their first
    # sign-in by e-mailed code activates them (user_activate_on_sign_in). A person an
    # administrator deactivated has this cleared, so they stay unable to sign in.
    awaiting_first_sign_in = models.BooleanField(
        "activated by their first sign-in",
        default=False,
        help_text="Imported and never signed in: signing in with an e-mailed code activates "
        "them. Untick, with “active” unticked, to keep them from signing in.",
    )
    is_staff = models.BooleanField(
        "admin access", default=False, help_text="Can sign in to the administration site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def first_name(self) -> str:
        return (self.name.split() or [self.email.split("@")[0]])[0]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def role_names(self) -> list[str]:
        names = [g.name for g in self.groups.all()]
        return names or [roles.LEARNER]


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the prefix identifies it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
