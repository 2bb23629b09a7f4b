"""Sign-in limits hold across server processes: they count in the shared cache (the
database's cache table by default), not in each process's memory."""

import http.client
import re
import subprocess
from http.cookies import SimpleCookie

import pytest
from django.conf import settings

from tests.core.test_serve import free_port, guildbook_command, wait_until_listening
from tests.notifications.smtp import SMTPServer
from tests.training.test_concurrency import _postgres_database

pytestmark = pytest.mark.slow


@pytest.fixture
def two_servers(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_NAME", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="x",
        GUILDBOOK_TESTING="false",
        SECURE="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'guildbook.sqlite3'}",
        GUILDBOOK_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
    )
    drop = lambda: None  # noqa: E731
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"], drop = _postgres_database()
    run = [*guildbook_command()]
    subprocess.run([*run, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=180)
    # Once, rather than by both servers at the same time.
    subprocess.run([*run, "collectstatic", "--no-input", "-v0"], env=env, check=True, timeout=180)
    subprocess.run(
        [*run, "createuser", "--email", "pat@example.nhs.uk", "--name", "Pat Lee"],
        env=env,
        check=True,
        timeout=60,
    )
    with SMTPServer() as smtp:
        env["EMAIL_PORT"] = str(smtp.port)
        ports = [free_port(), free_port()]
        procs = [
            subprocess.Popen(
                [
                    *run,
                    "serve",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--no-collectstatic",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in ports
        ]
        try:
            for proc, port in zip(procs, ports, strict=True):
                wait_until_listening(proc, port)
            yield ports, smtp.sink
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
            drop()


def request_code(port: int, email: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/accounts/login/code/")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = SimpleCookie()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie.load(value)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = f"csrfmiddlewaretoken={token}&email={email}"
        conn.request(
            "POST",
            "/accounts/login/code/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v.value}" for k, v in cookie.items()),
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_the_code_email_limit_holds_across_two_server_processes(two_servers):
    ports, sink = two_servers
    for attempt in range(6):
        status = request_code(ports[attempt % 2], "pat@example.nhs.uk")
        assert status in (200, 302, 429)
    # The limit is three code e-mails a minute to one address, whichever server is asked.
    assert sink.count == 3
