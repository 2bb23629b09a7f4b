"""The evaluative statement: drafts with history, checks shared by page and API, the
mentor's comments once shared, and where each piece of evidence is cited."""

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import StatementDraft
from guildbook.portfolios.statements import statement_report
from tests.api.conftest import ApiClient, assert_error
from tests.factories import UserFactory
from tests.portfolios.conftest import add

TEXT = """\
Intro words here.

## Personal performance

I ran the induction [E1] and the audit [E9].

## Organisational context

Our service improved.
"""


@pytest.fixture
def mapped(candidate, candidacy):
    e1 = add(candidate, title="Induction", candidacy=candidacy, criteria=["personal-performance"])
    e2 = add(candidate, title="Unused", candidacy=candidacy, criteria=["personal-performance"])
    return e1, e2


def test_report_counts_and_warns(candidacy, mapped):
    report = statement_report(candidacy, TEXT, budgets={"personal-performance": 5})
    assert report.words == 17 and report.limit == 1000 and not report.over_limit
    parts = {p.code: p for p in report.criteria}
    assert parts["personal-performance"].words == 7 and parts["personal-performance"].over_budget
    assert parts["organisational-context"].words == 3
    assert report.references == [1, 9] and report.unknown_references == [9]
    assert report.unreferenced_evidence == [2]
    assert report.criteria_without_evidence == [
        "organisational-context",
        "wider-professional-context",
    ]
    assert any("over its budget of 5" in w for w in report.warnings)


def test_over_the_limit(candidate, candidacy):
    report = statement_report(candidacy, "word " * 1001)
    assert report.over_limit and "1 over the limit of 1,000" in report.warnings[0]


def test_drafts_keep_history_and_same_text_adds_nothing(candidate, candidacy):
    d1 = services.statement_save(candidacy=candidacy, text="One", actor=candidate)
    assert services.statement_save(candidacy=candidacy, text="One", actor=candidate) == d1
    d2 = services.statement_save(candidacy=candidacy, text="One two [E1]", actor=candidate)
    assert (d1.version, d2.version, d2.words) == (1, 2, 2)
    assert [d.version for d in selectors.statement_drafts(candidacy)] == [2, 1]


def test_only_the_candidate_saves(candidacy, stranger):
    with pytest.raises(NotAllowed):
        services.statement_save(candidacy=candidacy, text="x", actor=stranger)


def test_mentor_reads_and_comments_only_once_shared(candidate, candidacy, mentor):
    draft = services.statement_save(candidacy=candidacy, text="Draft", actor=candidate)
    client = Client()
    client.force_login(mentor)
    url = reverse("portfolios:statement", args=[candidacy.pk])
    assert client.get(url).status_code == 404
    with pytest.raises(NotAllowed):
        services.statement_comment(draft=draft, actor=mentor, text="Good")
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "mentor rewrites"}).status_code == 404
    client.post(
        reverse("portfolios:statement_comment", args=[candidacy.pk, 1]), {"text": "Say more"}
    )
    assert draft.comments.get().text == "Say more"
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=False)
    assert client.get(url).status_code == 404


def test_statement_page_saves_and_links_references(candidate, candidacy, mapped):
    client = Client()
    client.force_login(candidate)
    url = reverse("portfolios:statement", args=[candidacy.pk])
    response = client.post(url, {"text": TEXT, "budget-personal-performance": "100"})
    assert response.status_code == 302
    draft = StatementDraft.objects.get(candidacy=candidacy)
    assert draft.budgets == {"personal-performance": 100}
    page = client.get(url).content.decode()
    e1 = mapped[0]
    assert f'href="{reverse("portfolios:evidence", args=[e1.pk])}">[E1]</a>' in page
    assert "Not in your evidence log: E9." in page
    assert 'data-word-count-for="id_text"' in page
    evidence_page = client.get(reverse("portfolios:evidence", args=[e1.pk])).content.decode()
    assert "Cited in" in evidence_page and "Chartership" in evidence_page


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_statement_pages_404(candidacy, who):
    client = Client()
    if who == "stranger":
        client.force_login(UserFactory(email="x@example.nhs.uk"))
    response = client.get(reverse("portfolios:statement", args=[candidacy.pk]))
    assert response.status_code == (404 if who == "stranger" else 302)


def test_api_put_statement(candidate, candidacy, mapped):
    response = ApiClient(candidate).client.put(
        f"/api/v1/candidacies/{candidacy.pk}/statement",
        {"text": TEXT},
        content_type="application/json",
        headers=ApiClient(candidate).headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["words"] == 17 and body["limit"] == 1000 and body["version"] == 1
    assert body["unreferenced_evidence"] == [2]
    assert body["criteria_without_evidence"] == [
        "organisational-context",
        "wider-professional-context",
    ]


def test_api_put_statement_404_for_others(candidacy, mentor, candidate):
    services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    for user in (mentor, UserFactory(email="y@example.nhs.uk")):
        api = ApiClient(user)
        response = api.client.put(
            f"/api/v1/candidacies/{candidacy.pk}/statement",
            {"text": "x"},
            content_type="application/json",
            headers=api.headers,
        )
        assert_error(response, 404)


def test_closed_candidacy_is_read_only(candidate, candidacy):
    from guildbook.qualifications import services as qualifications

    qualifications.candidacy_withdraw(candidacy=candidacy, actor=candidate, reason="Moving on")
    candidacy.refresh_from_db()
    with pytest.raises(ServiceError):
        services.statement_save(candidacy=candidacy, text="x", actor=candidate)


def test_sharing_with_the_mentor_runs_the_confidentiality_check(candidate, candidacy, mentor):
    add(candidate, title="Note", text="Call 07700 900123", candidacy=candidacy)
    with pytest.raises(services.ConfidentialityCheck):
        services.mentor_share_set(candidacy=candidacy, actor=candidate, shared=True)
    client = Client()
    client.force_login(candidate)
    url = reverse("portfolios:share", args=[candidacy.pk])
    page = client.post(url, {"shared": "yes"})
    assert page.status_code == 200 and b"a phone number" in page.content
    client.post(url, {"shared": "yes", "confirm": "yes"})
    candidacy.mentor_share.refresh_from_db()
    assert candidacy.mentor_share.is_shared
