"""Settings for `guildbook worker` processes started by the tests: the test settings plus
the test app that declares the test message kinds, and a back-off in seconds rather than
minutes, so that an SMTP time-out on a busy machine is retried within the crash test's
stall window instead of a minute later (what is checked does not change)."""

from config.test_settings import *  # noqa: F403
from config.test_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.notifications.testapp"]

OUTBOX_RETRY_BASE_SECONDS = 1
OUTBOX_RETRY_MAX_SECONDS = 4
