import os

import pytest

from tests.factories import CourseFactory, SessionFactory, UserFactory

os.environ.setdefault("GUILDBOOK_TESTING", "true")


@pytest.fixture
def person(db):
    return UserFactory(name="Ada Learner", email="ada@example.nhs.uk")


@pytest.fixture
def trainer(db):
    return UserFactory(name="Tess Trainer", email="tess@example.nhs.uk", role="trainer")


@pytest.fixture
def officer(db):
    return UserFactory(name="Sam Development", email="sam@example.nhs.uk", role="staff_development")


@pytest.fixture
def course(db):
    return CourseFactory(title="Get Tweeting", slug="get-tweeting")


@pytest.fixture
def session(course):
    return SessionFactory(course=course, capacity=2)


@pytest.fixture(params=[True, False], ids=["fast-paths", "orm-twins"])
def fast_paths(request, settings):
    """Runs a test twice: through the hand-written SQL of the hot paths (each app's sql.py)
    and through their ORM twins (`GUILDBOOK_FAST_PATHS`), so the two cannot drift apart."""
    settings.GUILDBOOK_FAST_PATHS = request.param
    return request.param


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix():
    """Gives each parallel test process (pytest-xdist) a test database of its own.
    pytest-django does this too, but knows SQLite only by Django's engine name: under ours
    it would name a file where SQLite's test database is in memory, one to a process."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    db = settings.DATABASES["default"]
    if worker and db["ENGINE"] != "guildbook.core.sqlite":
        base = db["TEST"].get("NAME") or f"test_{db['NAME']}"
        db["TEST"]["NAME"] = f"{base}_{worker}"
