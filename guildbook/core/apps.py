from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "guildbook.core"
    label = "core"
    verbose_name = "Guildbook core"

    def ready(self):
        # Each app's roles.py adds its permissions to the role registry (core/roles.py).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("roles")

        # Each app's privacy.py adds its part of a person's data (core/privacy.py).
        from guildbook.core import privacy

        privacy.register_apps()
        from django.conf import settings

        from guildbook.core.proxies import networks_check

        networks_check(settings.TRUSTED_PROXIES)
        post_migrate.connect(_cache_table_create, sender=self)


def _cache_table_create(*, using, verbosity=0, **kwargs):
    """`guildbook migrate` also creates the database cache's table (a no-op when it exists,
    or when CACHE_URL names another cache), so the shared cache needs no step of its own."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
