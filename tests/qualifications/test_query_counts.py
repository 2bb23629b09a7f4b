"""The dashboard, the mentor directory and the funding queue read in a fixed number of
queries, whatever the amount of data (1× and 10×)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guildbook.qualifications import services
from guildbook.qualifications.models import Scheme
from tests.factories import UserFactory
from tests.qualifications.conftest import mentor


def _grow(n: int, *, candidate, officer):
    """n candidacies (each with a mentor, a meeting and a funding request) and n mentors."""
    slugs = ["certification-2021", "chartership-2021", "fellowship-2021", "chartership-2009"]
    for i in range(n):
        m = mentor(
            f"m{i}-{candidate.pk}@example.nhs.uk",
            name=f"Mentor {i}",
            capacity=3,
            specialisms=[f"Topic {i}", "Outreach"],
        )
        person = UserFactory()
        for who in (candidate, person):
            scheme = Scheme.objects.get(slug=slugs[i % len(slugs)])
            if who.candidacies.filter(scheme=scheme, status="active").exists():
                scheme = (
                    Scheme.objects.exclude(pk__in=who.candidacies.values("scheme"))
                    .exclude(code="revalidation")
                    .first()
                )
            c = services.candidacy_start(person=who, scheme=scheme, actor=who)
            r = services.mentor_request_create(candidacy=c, mentor=m, actor=who)
            services.mentor_request_accept(request=r, actor=m.user)
            fee = "enrolment" if scheme.enrolment_fee else None
            if fee:
                services.funding_request_create(
                    candidacy=c, fee=fee, justification="x", actor=who, attach_record=False
                )
            if who == candidate:
                services.candidacy_withdraw(candidacy=c, actor=who)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_read_in_the_same_number_of_queries_at_1x_and_10x(db):
    candidate = UserFactory(name="Cara Candidate")
    officer = UserFactory(name="Sam Officer", role="sdo")
    _grow(1, candidate=candidate, officer=officer)
    as_candidate, as_officer = Client(), Client()
    as_candidate.force_login(candidate)
    as_officer.force_login(officer)
    pages = {
        "dashboard": (as_candidate, reverse("qualifications:home")),
        "directory": (as_candidate, reverse("qualifications:directory")),
        "queue": (as_officer, reverse("qualifications:funding_queue")),
    }
    small = {name: _count(c, url) for name, (c, url) in pages.items()}
    _grow(9, candidate=candidate, officer=officer)
    large = {name: _count(c, url) for name, (c, url) in pages.items()}
    assert large == small, (small, large)
