"""`make run` as a newcomer starts it: the development settings, the demo, the worker the
Makefile starts beside the server. A booking made in the browser must bring its confirmation
and calendar invite into the development mailbox (and onto the console), with links to the
address served; a restart prints the sign-in details again.

Nothing is shared with the test run: `make run` gets its own var directory (so its own
SQLite database and mailbox), on the port a developer would pass."""

import os
import re
import signal
import subprocess
import time
import urllib.request
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM_ARGS, TIMEOUT_MS, _chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PORT = 8322
BASE = f"http://127.0.0.1:{PORT}"
ACCOUNT = re.compile(
    r"^\s+(?P<role>[A-Z][a-z ]+?)\s{2,}(?P<email>\S+@\S+)\s+password: (?P<pw>\S+)$"
)
# Settings a developer's shell would not have: make run must find its own.
NOT_PASSED = (
    "DATABASE_URL",
    "TEST_DATABASE_NAME",
    "GUILDBOOK_TESTING",
    "DJANGO_SETTINGS_MODULE",
    "SITE_URL",
    "DEBUG",
    "GUILDBOOK_DEV_MAILBOX",
    "MAKEFLAGS",
    "MAKELEVEL",
)


class MakeRun:
    def __init__(self, var_dir: Path, log: Path):
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
        self.env = {k: v for k, v in self.env.items() if not k.startswith("EMAIL_")}
        self.env["GUILDBOOK_VAR_DIR"] = str(var_dir)
        self.log = log

    def __enter__(self):
        self.output = open(self.log, "w")
        self.process = subprocess.Popen(
            ["make", "run", f"PORT={PORT}"],
            cwd=ROOT,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, the worker, the server
        )
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition, what: str, seconds: float = 240):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            if self.process.poll() is not None:
                pytest.fail(f"make run stopped before {what}:\n{self.text()[-3000:]}")
            time.sleep(0.5)
        pytest.fail(f"Timed out waiting for {what}:\n{self.text()[-3000:]}")

    def wait_until_served(self):
        def up():
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        self.wait_for(up, "the server answered")

    def shell(self, code: str) -> str:
        env = {**self.env, "DEBUG": "true", "SITE_URL": BASE}
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "guildbook"), "shell", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output.close()


def accounts_in(text: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in text.splitlines():
        match = ACCOUNT.match(line)
        if match:
            found[match["role"]] = (match["email"], match["pw"])
    return found


BOOKABLE = """
from django.utils import timezone
from guildbook.accounts.models import User
from guildbook.training.models import Session
now = timezone.now()
jamie = User.objects.get(email=%r)
upcoming = Session.objects.filter(starts_at__gt=now, status="scheduled", course__status="active")
for s in upcoming.order_by("starts_at"):
    if (s.booking_opens_at() < now < s.booking_closes_at() and s.places_left > 2
            and not s.bookings.filter(person=jamie).exists()
            and not s.course.questions.filter(required=True).exists()):
        print(s.get_absolute_url()); break
"""


def test_make_run_delivers_a_bookings_confirmation_and_invite(tmp_path):
    executable = _chromium_path()
    if executable is None:
        pytest.skip("Chromium not found")
    var_dir, mailbox = tmp_path / "var", tmp_path / "var" / "mail"
    with MakeRun(var_dir, tmp_path / "first.log") as run:
        run.wait_until_served()
        printed = run.text()
        assert f"Sign in at {BASE}/accounts/login/" in printed
        accounts = accounts_in(printed)
        learner_email, learner_password = accounts["Learner"]
        session_url = run.shell(BOOKABLE % learner_email)
        assert session_url, "the demo has no session open for booking"

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(base_url=BASE, locale="en-GB")
                page.set_default_timeout(TIMEOUT_MS)
                expect.set_options(timeout=TIMEOUT_MS)
                page.goto("/accounts/login/")
                page.get_by_text("Sign in with a password instead").click()
                page.get_by_label("E-mail address", exact=True).fill(learner_email)
                page.get_by_label("Password").fill(learner_password)
                page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
                expect(
                    page.get_by_role("button", name=re.compile(r"sign out", re.I))
                ).to_be_visible()
                page.goto(session_url)
                page.get_by_role("button", name=re.compile(r"book a place", re.I)).click()
                expect(
                    page.get_by_role("region", name=re.compile(r"booking", re.I))
                ).to_contain_text(re.compile(r"place confirmed", re.I))
            finally:
                browser.close()

        def confirmation():
            for path in sorted(mailbox.glob("*.eml")) if mailbox.is_dir() else []:
                mail = message_from_bytes(path.read_bytes(), policy=policy.default)
                if mail["To"] == learner_email and "Your place is booked" in mail["Subject"]:
                    return mail
            return None

        mail = run.wait_for(confirmation, "the confirmation in the mailbox", seconds=120)
        invite = next(mail.iter_attachments())
        assert invite.get_content_type() == "text/calendar"
        calendar = invite.get_payload(decode=True).decode()
        assert "BEGIN:VEVENT" in calendar and "METHOD:REQUEST" in calendar
        text = mail.get_body(("plain",)).get_content()
        links = re.findall(r"https?://[^\s\"<>]+", text)
        assert links and all(link.startswith(BASE) for link in links), links
        assert "<outbox-" in mail["Message-ID"]
        # The console shows it too.
        run.wait_for(lambda: mail["Subject"] in run.text(), "the confirmation on the console")
        assert "Mail server unreachable" not in run.text()

    # A restart prints the sign-in details again, at the address served.
    with MakeRun(var_dir, tmp_path / "second.log") as again:
        again.wait_for(
            lambda: "Everyone else signs in" in again.text(), "the sign-in details again"
        )
        assert f"Sign in at {BASE}/accounts/login/" in again.text()
        assert accounts_in(again.text()) == accounts
