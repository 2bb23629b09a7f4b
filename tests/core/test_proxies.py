"""Forwarded headers are believed only from TRUSTED_PROXIES; password lockouts are per account
and client together, so one person's wrong passwords lock nobody else out."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def account(email):
    user = UserFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(client, email, password, client_address=None):
    extra = {"HTTP_X_FORWARDED_FOR": f"{client_address}, 10.1.2.3"} if client_address else {}
    client.cookies.clear()
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_https_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    claimed = {"HTTP_X_FORWARDED_PROTO": "https"}
    assert client.get("/healthz", **claimed).status_code == 301  # not believed: redirect
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/healthz", **claimed).status_code == 200


def test_a_client_address_is_read_through_trusted_proxies_only(rf, settings):
    from guildbook.core.proxies import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.1.2.3")
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.5"
    # A client cannot add a hop in front: the nearest untrusted address counts.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="not an address")) == "127.0.0.1"


def test_wrong_passwords_lock_that_account_from_that_client_only(client, behind_proxy):
    account("pat@example.nhs.uk")
    account("lee@example.nhs.uk")
    for _ in range(5):
        sign_in(client, "pat@example.nhs.uk", "wrong wrong", "203.0.113.5")
    locked = sign_in(client, "pat@example.nhs.uk", PASSWORD, "203.0.113.5")
    assert locked.status_code != 302  # not signed in
    # Someone else behind the same proxy, even on the same client machine, still signs in.
    assert sign_in(client, "lee@example.nhs.uk", PASSWORD, "203.0.113.5").status_code == 302
    assert sign_in(client, "lee@example.nhs.uk", PASSWORD, "198.51.100.7").status_code == 302


def test_a_forged_forwarded_address_does_not_escape_a_lockout(client):
    account("pat@example.nhs.uk")
    for n in range(5):
        sign_in(client, "pat@example.nhs.uk", "wrong wrong", f"203.0.113.{n}")
    assert sign_in(client, "pat@example.nhs.uk", PASSWORD, "198.51.100.7").status_code != 302
