"""Settings from `.env`: the example works copied unchanged, empty means the default, the file
is read before anything is decided, and a dangerous MEDIA_ROOT is refused."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.core.test_serve import guildbook_command

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'engine': s.DATABASES['default']['ENGINE'], 'db': str(s.DATABASES['default']['NAME']),"
    "'age': s.DATABASES['default']['CONN_MAX_AGE'], 'media': str(s.MEDIA_ROOT),"
    "'static': str(s.STATIC_ROOT), 'csrf': s.CSRF_TRUSTED_ORIGINS, 'cache': s.CACHES['default'],"
    "'proxies': s.TRUSTED_PROXIES}))"
)


def guildbook(env_file: Path, *args, **extra_env):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    env.update(GUILDBOOK_ENV_FILE=str(env_file), DJANGO_SETTINGS_MODULE="config.settings")
    env.update(extra_env)
    return subprocess.run(
        [*guildbook_command(), *args], env=env, capture_output=True, text=True, timeout=180
    )


def settings_from(env_file: Path, **extra_env) -> dict:
    result = guildbook(env_file, "shell", "-c", SHOW, **extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_example_copied_unchanged_works(tmp_path):
    env_file = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", env_file)
    var = tmp_path / "var"
    # Only the place for data differs from the copy, so this test writes nothing of the project's.
    shown = settings_from(env_file, GUILDBOOK_VAR_DIR=str(var))
    assert shown["engine"] == "guildbook.core.sqlite"
    assert shown["db"] == str(var / "guildbook.sqlite3")
    assert shown["age"] == 600
    assert shown["media"] == str(var / "media")
    assert shown["csrf"] == ["https://training.example.nhs.uk"]
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert shown["proxies"] == []
    migrated = guildbook(env_file, "migrate", "--no-input", "-v0", GUILDBOOK_VAR_DIR=str(var))
    assert migrated.returncode == 0, migrated.stderr
    assert (var / "guildbook.sqlite3").exists()


def test_the_data_directory_named_in_the_env_file_is_used(tmp_path):
    var = tmp_path / "elsewhere"
    env_file = tmp_path / ".env"
    env_file.write_text(f"GUILDBOOK_VAR_DIR={var}\nCONN_MAX_AGE=\n")
    shown = settings_from(env_file)
    assert shown["db"] == str(var / "guildbook.sqlite3")
    assert shown["static"] == str(var / "static")
    assert shown["media"] == str(var / "media")


@pytest.mark.parametrize("value", [".", "media", "  ", "/"])
def test_a_media_root_that_is_not_a_directory_of_its_own_is_refused(tmp_path, value):
    env_file = tmp_path / ".env"
    env_file.write_text(f"GUILDBOOK_VAR_DIR={tmp_path}\n")
    result = guildbook(env_file, "check", MEDIA_ROOT=value)
    assert result.returncode != 0
    assert "MEDIA_ROOT must be the absolute path of a directory for uploads alone" in result.stderr
