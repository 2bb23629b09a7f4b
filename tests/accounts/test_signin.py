"""Sign-in by e-mailed code, sign-up without a password, and our templates around allauth."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from guildbook.accounts.services import user_create
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its rate-limit counters in the cache; start each test with none.
    cache.clear()
    yield
    cache.clear()


def _code_from(message) -> str:
    # The code sits on a line of its own, e.g. "RLZT-HJRP".
    body = message.body
    match = re.search(r"^\s*([A-Z0-9][A-Z0-9-]{4,}[A-Z0-9])\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def _signed_in_user(client):
    return client.get(reverse("accounts:profile")).wsgi_request.user


def test_sign_in_page_offers_a_code_before_a_password(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "<title>Sign in" in page
    assert 'class="site-header"' in page  # our layout, not allauth's bare one
    assert page.index("E-mail me a code") < page.index("Sign in with a password instead")
    assert '<label for="code-email">' in page
    assert 'action="/accounts/login/code/"' in page


def test_sign_in_by_emailed_code_and_back_to_where_i_was(client):
    # Made the way trainers and imports make people: their address counts as verified.
    person = user_create(email="ada@example.nhs.uk", name="Ada Learner")
    session = SessionFactory()
    back_to = session.get_absolute_url()

    response = client.post(
        reverse("account_request_login_code"), {"email": "Ada@Example.nhs.uk", "next": back_to}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.nhs.uk"]

    page = client.get(response["Location"]).content.decode()
    assert "Enter your sign-in code" in page
    assert "ada@example.nhs.uk" in page

    response = client.post(
        reverse("account_confirm_login_code"), {"code": _code_from(mail.outbox[0]), "next": back_to}
    )
    assert response.status_code == 302
    assert response["Location"] == back_to
    assert _signed_in_user(client) == person


def test_a_wrong_code_is_refused_and_says_so(client):
    UserFactory(email="ada@example.nhs.uk")
    client.post(reverse("account_request_login_code"), {"email": "ada@example.nhs.uk"})
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not _signed_in_user(client).is_authenticated


def test_sign_up_needs_no_password(client):
    response = client.post(
        reverse("account_signup"), {"name": "Nia Newcomer", "email": "nia@example.nhs.uk"}
    )
    assert response.status_code == 302
    person = get_user_model().objects.get(email="nia@example.nhs.uk")
    assert person.name == "Nia Newcomer"
    assert not person.has_usable_password()
    # The address is confirmed by a code, which also signs the person in.
    code = _code_from(mail.outbox[-1])
    page = client.get(response["Location"]).content.decode()
    assert "Confirm your e-mail address" in page
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    assert _signed_in_user(client) == person


def test_password_sign_in_still_works(client):
    UserFactory(email="pat@example.nhs.uk")
    user = get_user_model().objects.get(email="pat@example.nhs.uk")
    user.set_password("a long pass phrase 42")
    user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"),
        {"login": "pat@example.nhs.uk", "password": "a long pass phrase 42"},
    )
    assert response.status_code == 302
    assert _signed_in_user(client) == user


def test_a_wrong_password_opens_the_password_form_with_the_reason(client):
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.nhs.uk", "password": "nope nope"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<details class="card" open>' in page
    assert 'role="alert"' in page


@pytest.mark.parametrize(
    "name",
    ["account_signup", "account_reset_password", "account_request_login_code", "account_login"],
)
def test_account_pages_use_our_layout_and_label_every_field(client, name):
    page = client.get(reverse(name)).content.decode()
    assert 'class="site-header"' in page
    assert "narrow entrance" in page
    for input_id in re.findall(r'<input[^>]*type="(?:email|text|password)"[^>]*id="([^"]+)"', page):
        assert f'<label for="{input_id}"' in page, input_id
    assert "style=" not in page


def test_someone_added_in_the_admin_signs_in_by_code_without_a_second_confirmation(client):
    # Made outside our services (the admin's "add user", createsuperuser): the code proves
    # the address, so one code is enough.
    person = get_user_model().objects.create_user("rhys@example.nhs.uk", name="Rhys")
    client.post(reverse("account_request_login_code"), {"email": "rhys@example.nhs.uk"})
    response = client.post(
        reverse("account_confirm_login_code"), {"code": _code_from(mail.outbox[0])}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    assert _signed_in_user(client) == person


def test_sign_in_code_email_names_guildbook_and_the_service(client, settings):
    settings.GUILDBOOK_SERVICE_NAME = "Riverside Library and Knowledge Service"
    settings.SITE_URL = "http://127.0.0.1:8322"
    user_create(email="ada@example.nhs.uk", name="Ada Learner")
    mail.outbox = []
    client.post(reverse("account_request_login_code"), {"email": "ada@example.nhs.uk"})
    body = mail.outbox[0].body
    assert "Hello from Guildbook, Riverside Library and Knowledge Service" in body
    assert "testserver" not in body and "127.0.0.1" not in body.split("\n")[0]
    assert "http://127.0.0.1:8322" in body
