from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guildbook.core"
    label = "core"
    verbose_name = "Guildbook core"

    def ready(self):
        from django.conf import settings

        from guildbook.core.proxies import networks_check

        networks_check(settings.TRUSTED_PROXIES)
