from django.apps import AppConfig


class NotificationsTestAppConfig(AppConfig):
    """Installed only in worker processes started by the tests (see worker_settings.py), so
    the kinds below reach `guildbook worker` the same way a real app's kinds do."""

    name = "tests.notifications.testapp"
    label = "notifications_testapp"
