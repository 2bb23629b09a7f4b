"""Real-browser tests: Playwright for Python driving Debian's Chromium against a live server.

The browser is Debian's own `chromium` package, never one downloaded by `playwright install`.
Where it is missing, a developer's run reports these tests as skipped with the reason; in CI
(the `CI` environment variable is set) a missing browser is a failure, so the journey cannot
silently stop being tested.

The live server runs in a thread of the test process, so the mail it sends lands in
Django's locmem outbox (`django.core.mail.outbox`), where the tests read sign-in codes.
"""

import os
import re
import shutil
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core import mail
from django.db import connections

CHROMIUM = os.environ.get("GUILDBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous enough for a loaded two-core machine; a locator that never matches still fails.
TIMEOUT_MS = 15_000


def _chromium_path() -> str | None:
    path = Path(CHROMIUM)
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    return shutil.which("chromium")


@pytest.fixture
def playwright_browser(monkeypatch, live_server):
    """A headless Chromium for one test, closed (with its driver) before the database is reset.

    Why DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API keeps its asyncio loop marked as
    running on this thread between calls (it drives the loop from a greenlet), so Django
    believes the test's own ORM calls (fixtures, assertions, the database reset afterwards)
    run inside a coroutine and refuses them. No coroutine can interleave with those calls:
    the loop only runs while a Playwright call is waiting. The variable is set for this test
    only (monkeypatch restores it) and never affects the live server's thread, which has no
    loop. The browser lives for one test so the setting never leaks into other tests.
    """
    executable = _chromium_path()
    if executable is None:
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; a missing browser is a failure in CI.", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While the loop counts as running, Django keeps this test's database
            # connections apart from the thread's usual ones; close them now, or they outlive
            # the test and PostgreSQL cannot drop the test database at the end.
            connections.close_all()


@pytest.fixture
def new_page(playwright_browser, live_server):
    """Open a fresh browser context (its own cookies) and page: `new_page()` per person."""

    def open_page(*, user=None):
        context = playwright_browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            context.add_cookies([_session_cookie(user, live_server.url)])
        return context.new_page()

    return open_page


@pytest.fixture
def page(new_page):
    return new_page()


def _session_cookie(user, url: str) -> dict:
    """A signed-in session for `user`, as Django's test client's force_login makes one."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": store.session_key,
        "url": url,
        "httpOnly": True,
        "sameSite": "Lax",
    }


@pytest.fixture
def outbox():
    """Django's locmem outbox, emptied: the live server shares it (same process)."""
    mail.outbox = []
    return mail.outbox


# allauth's codes are upper-case letters and digits, perhaps in dashed groups: "K7QM-R2XD".
CODE_PATTERN = re.compile(r"^\s*([A-Z0-9]{2,12}(?:-[A-Z0-9]{2,12}){0,3})\s*$", re.MULTILINE)


def sign_in_code_from(message) -> str:
    """The one-time code in allauth's "sign-in code" e-mail (a line of its own)."""
    bodies = [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
    for body in bodies:
        for candidate in CODE_PATTERN.findall(body):
            if len(candidate.replace("-", "")) >= 6:
                return candidate
    raise AssertionError(f"No sign-in code in the e-mail:\n{message.body}")
