"""Settings for `guildbook worker` processes started by the tests: the test settings plus
the test app that declares the test message kinds."""

from config.test_settings import *  # noqa: F403
from config.test_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.notifications.testapp"]
