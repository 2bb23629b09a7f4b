"""Assessor links: signed, time-limited, revocable, read-only; and the URL × role walk of
every address of the portfolios app."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from guildbook.portfolios import services
from guildbook.portfolios.models import AssessorLink, PortfolioExport
from tests.factories import UserFactory
from tests.portfolios.conftest import add, pdf_bytes, upload


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def link(candidate, candidacy):
    add(
        candidate,
        kind="file",
        title="Letter",
        candidacy=candidacy,
        upload=upload("l.pdf", pdf_bytes()),
    )
    return services.assessor_link_create(
        candidacy=candidacy, actor=candidate, label="Assessor", days=7
    )


def urls_of(link, evidence):
    token = services.assessor_link_token(link)
    return [
        reverse("portfolios:assessor", args=[token]),
        reverse("portfolios:assessor_file", args=[token, evidence.pk]),
    ]


def test_assessor_sees_the_portfolio_and_files_without_an_account(link, candidate):
    evidence = candidate.evidence.get()
    page, file = (client_for().get(u) for u in urls_of(link, evidence))
    assert page.status_code == 200 and b"Letter" in page.content
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"


def test_expired_revoked_and_tampered_links_are_404(link, candidate):
    evidence = candidate.evidence.get()
    urls = urls_of(link, evidence)
    AssessorLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [client_for().get(u).status_code for u in urls] == [404, 404]
    AssessorLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client_for().get(urls[0]).status_code == 200
    services.assessor_link_revoke(link=link, actor=candidate)
    assert [client_for().get(u).status_code for u in urls] == [404, 404]
    assert (
        client_for()
        .get(reverse("portfolios:assessor", args=["x" + urls[0].split("/")[2]]))
        .status_code
        == 404
    )


def test_a_file_outside_the_portfolio_is_404_through_the_link(link, candidate):
    elsewhere = add(candidate, kind="file", title="Private", upload=upload("p.pdf", pdf_bytes()))
    token = services.assessor_link_token(link)
    assert (
        client_for()
        .get(reverse("portfolios:assessor_file", args=[token, elsewhere.pk]))
        .status_code
        == 404
    )


def test_making_a_link_runs_the_confidentiality_check(candidate, candidacy):
    add(candidate, title="Note", text="Postcode LS1 4AP", candidacy=candidacy)
    with pytest.raises(services.ConfidentialityCheck):
        services.assessor_link_create(candidacy=candidacy, actor=candidate, label="A")
    page = client_for(candidate).post(
        reverse("portfolios:assessor_links", args=[candidacy.pk]), {"label": "A", "days": "7"}
    )
    assert b"a postcode" in page.content and not AssessorLink.objects.exists()
    client_for(candidate).post(
        reverse("portfolios:assessor_links", args=[candidacy.pk]),
        {"label": "A", "days": "7", "confirm": "yes"},
    )
    assert AssessorLink.objects.get().label == "A"


# --- The URL × role walk ------------------------------------------------------------------


@pytest.fixture
def scene(candidate, candidacy, mentor, link, django_capture_on_commit_callbacks):
    """Everything the app has an address for, owned by the candidate."""
    from guildbook.portfolios.models import SkillsFramework

    evidence = candidate.evidence.get()
    audit = services.audit_start(
        person=candidate,
        framework=SkillsFramework.objects.get(slug="cilip-pksb"),
        name="Start",
        taken_on=timezone.localdate(),
        actor=candidate,
    )
    rating = audit.ratings.first()
    services.statement_save(candidacy=candidacy, text="Words [E1]", actor=candidate)
    export = PortfolioExport.objects.create(person=candidate, candidacy=candidacy, status="done")
    export.file.save("exports/test.pdf", ContentFile(pdf_bytes()))
    from guildbook.qualifications.models import Section

    section = Section.objects.create(
        scheme=candidacy.scheme, code="cv", title="CV", required=False, order=99
    )
    placed = services.section_file_add(
        candidacy=candidacy, section=section, evidence=evidence, actor=candidate
    )
    return {
        "evidence": evidence,
        "audit": audit,
        "rating": rating,
        "export": export,
        "section": section,
        "placed": placed,
        "candidacy": candidacy,
        "link": link,
    }


def _addresses(s):
    c, e = s["candidacy"].pk, s["evidence"].pk
    return [
        ("get", reverse("portfolios:evidence", args=[e])),
        ("get", reverse("portfolios:evidence_edit", args=[e])),
        ("get", reverse("portfolios:evidence_delete", args=[e])),
        ("get", reverse("portfolios:evidence_file", args=[e])),
        ("post", reverse("portfolios:evidence_save_reflection", args=[e])),
        ("get", reverse("portfolios:skills_audit", args=[s["audit"].pk])),
        ("post", reverse("portfolios:skills_gap_goal", args=[s["rating"].pk])),
        ("get", reverse("portfolios:mentor_skills", args=[c])),
        ("get", reverse("portfolios:mentor_skills_audit", args=[c, s["audit"].pk])),
        ("post", reverse("portfolios:mentor_skills_audit", args=[c, s["audit"].pk])),
        ("get", reverse("portfolios:statement", args=[c])),
        ("post", reverse("portfolios:statement_comment", args=[c, 1])),
        ("post", reverse("portfolios:share", args=[c])),
        ("get", reverse("portfolios:builder", args=[c])),
        ("post", reverse("portfolios:section_file_add", args=[c])),
        ("post", reverse("portfolios:section_file_remove", args=[c, s["placed"].pk])),
        ("post", reverse("portfolios:export", args=[c])),
        ("post", reverse("portfolios:revalidation_pack", args=[c])),
        ("get", reverse("portfolios:export_status", args=[s["export"].pk])),
        ("get", reverse("portfolios:export_download", args=[s["export"].pk])),
        ("get", reverse("portfolios:assessor_links", args=[c])),
        ("post", reverse("portfolios:assessor_link_revoke", args=[c, s["link"].pk])),
    ]


# Addresses a mentor may open once the candidate shares the portfolio with them.
MENTOR_READS = {"statement", "builder", "statement_comment", "mentor_skills", "mentor_skills_audit"}


@pytest.mark.parametrize(
    "role", ["learner", "trainer", "staff_development", "administrator", "other_mentor", "mentor"]
)
def test_everyone_but_the_candidate_gets_404(scene, role, mentor):
    if role == "mentor":
        user = mentor  # the candidate's own mentor, before anything is shared
    elif role == "other_mentor":
        from guildbook.qualifications import services as qualifications

        user = UserFactory(email="om@example.nhs.uk")
        qualifications.mentor_profile_save(user=user, actor=user)
    else:
        user = UserFactory(email=f"{role}@example.nhs.uk", role=None if role == "learner" else role)
    client = client_for(user)
    for method, url in _addresses(scene):
        assert getattr(client, method)(url).status_code == 404, (role, method, url)
    assert AssessorLink.objects.get().revoked_at is None


def test_the_shared_mentor_reads_and_comments_but_nothing_else(scene, candidate, mentor):
    services.mentor_share_set(candidacy=scene["candidacy"], actor=candidate, shared=True)
    client = client_for(mentor)
    for method, url in _addresses(scene):
        status = getattr(client, method)(url).status_code
        c = scene["candidacy"].pk
        readable = any(
            url == reverse(f"portfolios:{n}", args=args)
            for n, args in (
                ("statement", [c]),
                ("builder", [c]),
                ("statement_comment", [c, 1]),
                ("mentor_skills", [c]),
                ("mentor_skills_audit", [c, scene["audit"].pk]),
            )
        )
        assert (status != 404) == readable, (method, url, status)


def test_anonymous_is_sent_to_sign_in_everywhere(scene):
    for method, url in _addresses(scene):
        response = getattr(client_for(), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_candidate_opens_every_page(scene, candidate):
    client = client_for(candidate)
    for method, url in _addresses(scene):
        if method == "get" and "/skills/" not in url:
            assert client.get(url).status_code == 200, url
    # The mentor's view of their audits sends the candidate to their own.
    c, audit = scene["candidacy"].pk, scene["audit"].pk
    mine = client.get(reverse("portfolios:mentor_skills_audit", args=[c, audit]))
    assert mine["Location"] == reverse("portfolios:skills_audit", args=[audit])
    assert client.get(reverse("portfolios:mentor_skills", args=[c]))["Location"] == reverse(
        "portfolios:skills"
    )


def test_every_address_of_the_app_is_in_the_walk(scene):
    from tests.walker import url_params

    walked = {resolve(url.split("?")[0]).url_name for _method, url in _addresses(scene)}
    # Pages with nothing of anyone else's in their address, and the assessor's token pages
    # (walked above with live, expired, revoked and changed tokens).
    own_or_token = {
        "evidence_log",
        "evidence_add",
        "skills",
        "export_everything",
        "assessor",
        "assessor_file",
    }
    assert set(url_params("portfolios")) - own_or_token == walked
