from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "guildbook.training"
    label = "training"
    verbose_name = "Training offer"

    def ready(self):
        # Deactivating an account releases what the person held (accounts/hooks.py).
        from guildbook.accounts import hooks
        from guildbook.training.services.people import RELEASED_WORDS, person_places_release

        hooks.on_person_deactivated(person_places_release, words=RELEASED_WORDS)
