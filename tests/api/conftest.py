import json

import pytest
from django.test import Client

from guildbook.accounts.services import api_token_create


class ApiClient:
    """Real HTTP requests through Django's test client, with a personal API token."""

    def __init__(self, user=None, token: str | None = None):
        self.user = user
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, token = api_token_create(user=user, name="tests")
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url, data=None, *, raw: str | None = None):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return self.client.post(url, body, content_type="application/json", headers=self.headers)

    def request(self, method, url):
        return getattr(self.client, method.lower())(url, headers=self.headers)


@pytest.fixture
def api_as():
    return ApiClient


@pytest.fixture
def learner_api(person):
    return ApiClient(person)


@pytest.fixture
def trainer_api(trainer):
    return ApiClient(trainer)


@pytest.fixture
def anonymous_api():
    return ApiClient()


def assert_error(response, status, code=None, field=...):
    """Every error is JSON with exactly the documented keys (plus `errors` on 422s)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"detail", "field", "code"} <= set(body)
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    if field is not ...:
        assert body["field"] == field, body
    return body
