from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "guildbook.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Each app declares its message kinds in its own `messages.py`; importing those
        # modules registers the kinds (see guildbook.notifications.kinds). Notifications
        # itself never imports a domain app.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("messages")
