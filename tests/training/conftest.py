# The real SMTP server fixture of the notifications tests, for training's messages.
from tests.notifications.conftest import smtp  # noqa: F401
