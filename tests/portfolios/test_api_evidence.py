"""POST/GET/DELETE /api/v1/evidence, JSON and multipart."""

import pytest
from django.test import Client

from guildbook.accounts.services import api_token_create
from guildbook.portfolios.models import Evidence
from tests.api.conftest import ApiClient, assert_error
from tests.portfolios.conftest import ELF, add, pdf_bytes, stored_files, upload

URL = "/api/v1/evidence"


def multipart(user, data):
    _, token = api_token_create(user=user, name="tests")
    return Client().post(URL, data, headers={"Authorization": f"Bearer {token}"})


def test_add_json_with_criteria(candidate, candidacy):
    api = ApiClient(candidate)
    response = api.post(
        URL,
        {
            "kind": "reflection",
            "title": "Ran the induction",
            "date": "2026-11-20",
            "text": "It went well.",
            "criteria": ["personal-performance"],
            "candidacy": candidacy.pk,
            "hours": 1.5,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["label"] == "E1"
    assert body["criteria"] == ["personal-performance"]
    assert body["candidacy"] == candidacy.pk and body["hours"] == "1.50"
    assert (
        api.post(
            URL,
            {"kind": "link", "title": "Blog", "date": "2026-11-21", "url": "https://example.org"},
        ).json()["number"]
        == 2
    )


def test_add_multipart_with_a_file(candidate, private_root):
    response = multipart(
        candidate,
        {
            "kind": "file",
            "title": "CV",
            "date": "2026-11-20",
            "file": upload("cv.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["file"] == {
        "name": "cv.pdf",
        "type": "application/pdf",
        "size": len(pdf_bytes()),
    }
    assert len(stored_files(private_root)) == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [(ELF, "file_type"), (pdf_bytes() + b"%" * (1024 * 1024), "file_size")],
)
def test_refused_upload_is_422_with_a_code_and_stores_nothing(
    candidate, private_root, content, code
):
    response = multipart(
        candidate,
        {"kind": "file", "title": "x", "date": "2026-11-20", "file": upload("x.pdf", content)},
    )
    assert_error(response, 422, code, field="file")
    assert not Evidence.objects.exists() and stored_files(private_root) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "poem", "title": "x", "date": "2026-11-20"}, "kind"),
        ({"kind": "reflection", "title": "x", "date": "20/11/2026"}, "date"),
        (
            {"kind": "reflection", "title": "x", "date": "2026-11-20", "criteria": ["nope"]},
            "candidacy",
        ),
    ],
)
def test_bad_fields_are_422(candidate, body, field):
    assert_error(ApiClient(candidate).post(URL, body), 422, field=field)


def test_unknown_criterion_names_the_scheme_codes(candidate, candidacy):
    response = ApiClient(candidate).post(
        URL,
        {
            "kind": "reflection",
            "title": "x",
            "date": "2026-11-20",
            "criteria": ["nope"],
            "candidacy": candidacy.pk,
        },
    )
    assert_error(response, 422, field="criteria")
    assert "personal-performance" in response.json()["detail"]


def test_someone_elses_candidacy_is_refused(candidacy, stranger):
    response = ApiClient(stranger).post(
        URL, {"kind": "reflection", "title": "x", "date": "2026-11-20", "candidacy": candidacy.pk}
    )
    assert_error(response, 422, field="candidacy")


def test_list_is_own_only_and_delete_is_404_for_others(candidate, stranger):
    mine = add(candidate)
    add(stranger)
    listed = ApiClient(candidate).get(URL).json()
    assert [e["id"] for e in listed] == [mine.pk]
    assert_error(ApiClient(stranger).request("DELETE", f"{URL}/{mine.pk}"), 404)
    assert ApiClient(candidate).request("DELETE", f"{URL}/{mine.pk}").status_code == 204
    assert not Evidence.objects.filter(pk=mine.pk).exists()


def test_anonymous_is_401(db):
    assert_error(ApiClient().get(URL), 401)
