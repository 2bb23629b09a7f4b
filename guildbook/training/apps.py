from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "guildbook.training"
    label = "training"
    verbose_name = "Training offer"

    def ready(self):
        from guildbook.training import privacy

        privacy.register()
