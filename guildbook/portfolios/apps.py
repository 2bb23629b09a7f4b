from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "guildbook.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"

    def ready(self):
        # Training tells us, once a register mark has committed, that someone attended (a
        # draft entry for their log) or did not (an untouched draft is withdrawn).
        from guildbook.portfolios import receivers  # noqa: F401
