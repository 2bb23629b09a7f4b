from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "guildbook.api"
    label = "api"
    verbose_name = "JSON API"
