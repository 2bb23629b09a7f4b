from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guildbook.core"
    label = "core"
    verbose_name = "Guildbook core"

    def ready(self):
        # Each app's roles.py adds its permissions to the role registry (core/roles.py).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("roles")
