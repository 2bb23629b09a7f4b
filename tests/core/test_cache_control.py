"""Personal pages and every API answer tell browsers and proxies not to keep them."""

import pytest
from django.urls import reverse

from guildbook.training import messages, services

pytestmark = pytest.mark.django_db


def assert_not_kept(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]
    assert "public" not in directives


@pytest.mark.parametrize(
    "name", ["training:my_bookings", "training:my_record", "accounts:profile", "training:catalogue"]
)
def test_pages_for_a_signed_in_person(client, person, name):
    client.force_login(person)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_not_kept(response)


def test_a_record_download(client, person):
    client.force_login(person)
    assert_not_kept(client.get(reverse("training:my_record_csv")))


def test_a_page_reached_by_a_personal_link(client, session, person):
    booking = services.booking_create(session=session, person=person, actor=person)
    token = messages.booking_link_token(booking, "coming")
    response = client.get(reverse("training:booking_link_coming", args=[token]))
    assert response.status_code == 200
    assert_not_kept(response)


def test_api_answers_and_errors(person):
    from tests.api.conftest import ApiClient

    api = ApiClient(person)
    assert_not_kept(api.get("/api/v1/me/bookings"))
    assert_not_kept(api.get("/api/v1/courses"))
    assert_not_kept(ApiClient().get("/api/v1/me/bookings"))  # 401 too


def test_the_anonymous_catalogue_is_left_cacheable(client):
    response = client.get(reverse("training:catalogue"))
    assert "no-store" not in response.get("Cache-Control", "")
