from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guildbook.core"
    label = "core"
    verbose_name = "Guildbook core"
