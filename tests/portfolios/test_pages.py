"""The evidence log's pages: adding from a phone, the private file view, and others' changes
refused (the URL × role walk of every page is test_url_walk.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from guildbook.portfolios.models import Evidence
from tests.factories import UserFactory
from tests.portfolios.conftest import ELF, add, pdf_bytes, png_bytes, stored_files, upload


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_add_a_photo_from_a_phone(candidate, private_root):
    page = client_for(candidate).get(reverse("portfolios:evidence_add"))
    assert b'accept="image/*"' in page.content and b"capture=" in page.content
    # The date field starts at today, written as people write it (any browser's language).
    from django.utils import timezone

    today = timezone.localdate()
    assert f'value="{today.day} {today:%B %Y}"'.encode() in page.content
    response = client_for(candidate).post(
        reverse("portfolios:evidence_add"),
        {
            "kind": "file",
            "title": "Flipchart from the team meeting",
            "date": "2026-11-30",
            "photo": upload("IMG_1234.png", png_bytes(), "image/png"),
        },
    )
    evidence = Evidence.objects.get(person=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolios:evidence", args=[evidence.pk])
    assert evidence.number == 1 and evidence.file_type == "image/png"
    assert len(stored_files(private_root)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", ELF, b"is not a PDF, a picture"),
        ("empty.pdf", b"", b"empty"),
        ("big.pdf", pdf_bytes() + b"%" * (1024 * 1024), b"the largest allowed is"),
    ],
)
def test_refused_upload_says_why_and_stores_nothing(
    candidate, private_root, name, content, message
):
    response = client_for(candidate).post(
        reverse("portfolios:evidence_add"),
        {"kind": "file", "title": "x", "date": "2026-11-30", "file": upload(name, content)},
    )
    assert response.status_code == 200
    assert message in response.content
    assert not Evidence.objects.exists()
    assert stored_files(private_root) == []


def test_a_path_in_the_name_is_never_used_as_a_path(candidate, private_root):
    client_for(candidate).post(
        reverse("portfolios:evidence_add"),
        {
            "kind": "file",
            "title": "x",
            "date": "2026-11-30",
            "file": upload("../../../etc/passwd.pdf", pdf_bytes()),
        },
    )
    (path,) = stored_files(private_root)
    assert path.is_relative_to(private_root) and "passwd" not in str(path)


def test_file_is_served_to_its_owner_only(candidate, stranger):
    e = add(candidate, kind="file", upload=upload("cv.pdf", pdf_bytes()))
    url = reverse("portfolios:evidence_file", args=[e.pk])
    ok = client_for(candidate).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert b"".join(ok.streaming_content).startswith(b"%PDF")
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to sign in, learning nothing


def test_markdown_is_shown_safely(candidate):
    e = add(candidate, text="**Learnt** <script>alert(1)</script>")
    page = client_for(candidate).get(reverse("portfolios:evidence", args=[e.pk]))
    assert b"<strong>Learnt</strong>" in page.content
    assert b"<script>alert(1)" not in page.content


@pytest.mark.parametrize("role", [None, "trainer", "staff_development", "administrator"])
def test_others_cannot_delete_an_entry_or_save_to_it(candidate, role):
    """The GET pages are in the URL walk (test_url_walk.py); these are the changes."""
    entry = add(candidate, kind="file", upload=upload("cv.pdf", pdf_bytes()))
    client = client_for(UserFactory(email=f"other-{role}@example.nhs.uk", role=role))
    for name in ("evidence_delete", "evidence_save_reflection"):
        url = reverse(f"portfolios:{name}", args=[entry.pk])
        assert client.post(url).status_code == 404, (role, url)
    assert Evidence.objects.filter(pk=entry.pk).exists()
    # No follow-up answer to save, for the owner either: nothing to do.
    reflection = reverse("portfolios:evidence_save_reflection", args=[entry.pk])
    assert client_for(candidate).post(reflection).status_code == 404


def test_log_query_count_does_not_grow(candidate, django_assert_max_num_queries):
    client = client_for(candidate)
    for i in range(3):
        add(candidate, title=f"E {i}")
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("portfolios:evidence_log"))
    for i in range(30):
        add(candidate, title=f"More {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("portfolios:evidence_log"))


def test_add_with_criteria_of_one_qualification(candidate, candidacy):
    client = client_for(candidate)
    page = client.get(reverse("portfolios:evidence_add"))
    assert f"{candidacy.pk}:personal-performance".encode() in page.content
    client.post(
        reverse("portfolios:evidence_add"),
        {
            "kind": "reflection",
            "title": "Ran the induction",
            "date": "2026-11-30",
            "criteria": [
                f"{candidacy.pk}:personal-performance",
                f"{candidacy.pk}:organisational-context",
            ],
        },
    )
    e = Evidence.objects.get(person=candidate)
    assert e.candidacy == candidacy
    assert sorted(c.code for c in e.criteria.all()) == [
        "organisational-context",
        "personal-performance",
    ]
