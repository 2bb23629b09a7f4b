from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guildbook.accounts.models import ApiToken, User
from guildbook.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


def test_a_token_gives_its_person_as_the_orm_reads_them(person):
    person.last_login = timezone.now() - timedelta(days=2)
    person.is_staff = True
    person.save()
    _, secret = api_token_create(user=person)

    user = api_token_authenticate(secret)

    expected = User.objects.get(pk=person.pk)
    for field in User._meta.concrete_fields:
        got, want = getattr(user, field.attname), getattr(expected, field.attname)
        assert got == want, field.name
        assert type(got) is type(want), field.name  # booleans as bool, times aware
    assert user.is_active is True and user.is_staff is True and user.is_superuser is False
    assert timezone.is_aware(user.last_login) and timezone.is_aware(user.date_joined)
    assert user._state.adding is False and user._state.db == "default"
    assert user.has_perm("training.run_training") is False


def test_a_tokens_last_use_is_written_at_most_once_a_minute(person):
    token, secret = api_token_create(user=person)
    now = timezone.now()

    with CaptureQueriesContext(connection) as first:
        assert api_token_authenticate(secret) == person
    token.refresh_from_db()
    assert token.last_used_at >= now
    with CaptureQueriesContext(connection) as again:
        assert api_token_authenticate(secret) == person

    assert len(again) == 1  # the look-up only
    assert len(first) > len(again)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - timedelta(seconds=61))
    assert api_token_authenticate(secret) == person
    token.refresh_from_db()
    assert token.last_used_at > now - timedelta(seconds=61)


def test_revoked_unknown_and_deactivated_tokens_give_nobody(person):
    token, secret = api_token_create(user=person)
    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_token_authenticate("not-a-token") is None
    person.is_active = False
    person.save()
    assert api_token_authenticate(secret) is None
    person.is_active = True
    person.save()
    assert api_token_authenticate(secret) == person
    api_token_revoke(token=token, actor=person)
    assert api_token_authenticate(secret) is None
