from pathlib import Path

import pytest

import tests.notifications.testapp.messages  # noqa: F401  (registers the test kinds)
from tests.notifications.smtp import SMTPServer

TESTAPP_TEMPLATES = Path(__file__).parent / "testapp" / "templates"


@pytest.fixture(autouse=True)
def _testapp_templates(settings):
    # The test app is not installed in the test run itself; its templates are added here.
    engine = {**settings.TEMPLATES[0], "DIRS": [TESTAPP_TEMPLATES]}
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free loopback port; Django's mail goes to it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield server.sink
