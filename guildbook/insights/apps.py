from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "guildbook.insights"
    verbose_name = "Insights"

    def ready(self):
        # What followed an outreach visit, as a panel of the entry's page in training.
        from guildbook.insights.outreach import what_followed
        from guildbook.training import outreach

        outreach.register_panel(what_followed)
