from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "guildbook.insights"
    verbose_name = "Insights"
