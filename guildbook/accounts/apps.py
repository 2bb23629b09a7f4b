from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "guildbook.accounts"
    label = "accounts"
    verbose_name = "People and sign-in"

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="guildbook-roles-sync")


def _sync_roles(sender, using="default", **kwargs):
    from guildbook.accounts.services import roles_sync

    roles_sync(using=using)
