"""People brought in by the history import: inactive until their first sign-in by e-mailed
code, which activates them with their history in place; a person an administrator
deactivated stays unable to sign in and is sent nothing."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from guildbook.accounts.models import User
from guildbook.accounts.services import user_activate_on_sign_in, user_deactivate
from guildbook.core.models import AuditEntry
from guildbook.notifications.models import OutboxMessage
from guildbook.training.history import COLUMNS, history_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = "2024-03-05T10:00:00+00:00,2024-03-05T11:30:00+00:00"
HISTORY = (
    ",".join(COLUMNS)
    + "\n"
    + f"Get Tweeting,{S},3,ada@x.example,Ada,School nursing,2024-02-01T09:00:00+00:00,"
    "attended,,\n"
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _code_from(message) -> str:
    match = re.search(r"^\s*([A-Z0-9][A-Z0-9-]{4,}[A-Z0-9])\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def _sign_in_with_code(client, email: str):
    client.post(reverse("account_request_login_code"), {"email": email})
    codes = [m for m in mail.outbox if m.to == [email] and "code" in m.subject.lower()]
    if not codes:
        return None
    return client.post(reverse("account_confirm_login_code"), {"code": _code_from(codes[-1])})


def _signed_in_user(client):
    return client.get(reverse("accounts:profile")).wsgi_request.user


def test_an_imported_person_signs_in_with_a_code_and_finds_their_history(client):
    assert history_import(text=HISTORY).errors == []
    ada = User.objects.get(email="ada@x.example")
    assert not ada.is_active and ada.awaiting_first_sign_in

    response = _sign_in_with_code(client, "ada@x.example")
    assert response is not None and response.status_code == 302
    ada.refresh_from_db()
    assert ada.is_active and not ada.awaiting_first_sign_in
    assert _signed_in_user(client) == ada
    assert AuditEntry.objects.filter(action="person_activated", object_id=ada.pk).count() == 1
    record = client.get(reverse("training:my_record")).content.decode()
    assert "Get Tweeting" in record
    assert "5 March 2024" in record


def test_a_deactivated_person_gets_no_code_and_cannot_sign_in(client):
    assert history_import(text=HISTORY).errors == []
    ada = User.objects.get(email="ada@x.example")
    user_deactivate(user=ada, actor=UserFactory(is_superuser=True))
    assert not ada.awaiting_first_sign_in

    assert _sign_in_with_code(client, "ada@x.example") is None
    assert not _signed_in_user(client).is_authenticated
    ada.refresh_from_db()
    assert not ada.is_active
    # Signing in is not how a deactivated person comes back, whatever the caller.
    assert user_activate_on_sign_in(user=ada) is False
    ada.refresh_from_db()
    assert not ada.is_active
    assert not OutboxMessage.objects.filter(recipient=ada).exists()


def test_deactivating_an_active_person_keeps_them_out(client):
    pat = UserFactory(email="pat@x.example")
    user_deactivate(user=pat, actor=None)
    assert _sign_in_with_code(client, "pat@x.example") is None
    assert not _signed_in_user(client).is_authenticated
    assert AuditEntry.objects.filter(action="person_deactivated", object_id=pat.pk).exists()


def test_a_repeat_import_does_not_deactivate_an_activated_person(client):
    history_import(text=HISTORY)
    _sign_in_with_code(client, "ada@x.example")
    later = HISTORY + HISTORY.splitlines()[1].replace("2024-03-05", "2024-05-07") + "\n"
    result = history_import(text=later)
    assert result.errors == [] and result.people_created == 0
    assert result.bookings_created == 1 and result.already_there == 1
    ada = User.objects.get(email="ada@x.example")
    assert ada.is_active and not ada.awaiting_first_sign_in


def test_activation_happens_once():
    history_import(text=HISTORY)
    ada = User.objects.get(email="ada@x.example")
    assert user_activate_on_sign_in(user=ada) is True
    assert user_activate_on_sign_in(user=ada) is False
    assert AuditEntry.objects.filter(action="person_activated", object_id=ada.pk).count() == 1


def test_unticking_active_in_the_admin_is_a_deactivation(rf):
    from django.contrib import admin

    from guildbook.accounts.admin import UserAdmin

    history_import(text=HISTORY)
    ada = User.objects.get(email="ada@x.example")
    ada.is_active = True
    ada.save(update_fields=["is_active"])
    administrator = UserFactory(role="administrator")
    request = rf.post("/")
    request.user = administrator
    ada.is_active = False
    form = type("Form", (), {"changed_data": ["is_active"], "cleaned_data": {"is_active": False}})()
    UserAdmin(User, admin.site).save_model(request, ada, form, change=True)
    ada.refresh_from_db()
    assert not ada.is_active and not ada.awaiting_first_sign_in
    entry = AuditEntry.objects.get(action="person_deactivated", object_id=ada.pk)
    assert entry.actor == administrator
