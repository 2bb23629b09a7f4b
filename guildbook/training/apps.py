from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "guildbook.training"
    label = "training"
    verbose_name = "Training offer"
