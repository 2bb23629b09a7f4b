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
