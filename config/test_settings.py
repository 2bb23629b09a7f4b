"""Settings for the test suite: the normal settings with GUILDBOOK_TESTING on."""

import os

os.environ["GUILDBOOK_TESTING"] = "true"

from config.settings import *  # noqa: F403
