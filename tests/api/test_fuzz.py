"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation is called with generated input, valid and invalid, as a trainer and as a
learner, against a small real data set. No answer may be a server error, and every answer
must match the document: a documented status, JSON, and a body of the documented schema.
The number of examples per operation is bounded so the test stays well under two minutes.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildbook.accounts.services import api_token_create
from guildbook.training import services
from guildbook.training.models import BookingQuestion
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation, per kind (valid and invalid input)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def one_connection():
    """Serve the requests on the test's own connection and transaction, as Django's test
    client does: the WSGI handler would otherwise close the connection after each one."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(trainer, person):
    """A few courses and sessions with small ids, some booked, so generated ids hit rows."""
    course = CourseFactory(title="Get Tweeting", slug="get-tweeting")
    BookingQuestion.objects.create(course=course, text="What do you hope for?")
    soon = SessionFactory(course=course, capacity=2)
    SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=40))
    past = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=3))
    services.booking_create(session=soon, person=person, actor=person)
    services.booking_create(session=soon, person=UserFactory(), actor=trainer)
    services.booking_create(
        session=past, person=person, actor=trainer, now=past.starts_at - timedelta(days=5)
    )
    CourseFactory(title="Searching PubMed")
    return {
        "trainer": api_token_create(user=trainer, name="fuzz")[1],
        "learner": api_token_create(user=person, name="fuzz")[1],
    }


def test_no_operation_answers_a_server_error_or_breaks_its_schema(world):
    with one_connection():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 14
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, world)


def _fuzz(operation, mode, tokens):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        for token in tokens.values():
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=CHECKS)

    run()
