"""`guildbook serve` as production runs it: DEBUG off, gunicorn, static files by WhiteNoise."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def guildbook_command() -> list[str]:
    script = Path(sys.executable).parent / "guildbook"
    return [str(script)] if script.exists() else [sys.executable, "-m", "guildbook.cli"]


def get(port, path, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_until_listening(proc, port, deadline_seconds=90):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"guildbook serve exited:\n{proc.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("guildbook serve did not start listening")


@pytest.fixture
def production_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TEST_DATABASE_NAME", "SECURE", "SECURE_SSL_REDIRECT", "EMAIL_BACKEND")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="x",
        GUILDBOOK_TESTING="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'guildbook.sqlite3'}",
        GUILDBOOK_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="127.0.0.1",
        # The test plays the TLS proxy, from this machine.
        TRUSTED_PROXIES="127.0.0.1",
    )
    subprocess.run(
        [*guildbook_command(), "migrate", "--no-input", "-v0"], env=env, check=True, timeout=120
    )
    return env


def test_serve_answers_pages_and_compressed_static_files_with_debug_off(production_env, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [*guildbook_command(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=production_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_listening(proc, port)
        # Behind the TLS proxy production expects; without it, the app sends people to https.
        status, headers, _ = get(port, "/")
        assert status == 301
        assert headers["Location"].startswith("https://")

        status, headers, body = get(port, "/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        page = body.decode()
        assert "Guildbook" in page
        # The manifest storage gives the stylesheet a content-hashed name.
        match = re.search(r'href="(/static/core/guildbook\.[0-9a-f]{12}\.css)"', page)
        assert match, "the page should link the hashed stylesheet"

        status, headers, body = get(
            port, match.group(1), **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers.get("Content-Encoding") == "gzip"
        assert "immutable" in headers["Cache-Control"]

        status, _, _ = get(port, "/static/core/no-such-file.css", **{"X-Forwarded-Proto": "https"})
        assert status == 404
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    assert (tmp_path / "static" / "staticfiles.json").exists()
