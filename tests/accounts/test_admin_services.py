"""The people admin saves through the accounts services: deactivation, roles, team and
profile are checked and audited as on every other path."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse

from guildbook.accounts.models import Department, Organisation, Team, User
from guildbook.core import roles
from guildbook.core.audit import audit_trail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(email="admin@example.nhs.uk", role="administrator"))
    return client


def user_data(user, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "job_title": user.job_title,
        "team": user.team,
        "organisation": user.organisation,
        "directory_team": user.directory_team_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else value
    return data


def _save(admin_client, user, **changes):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    return admin_client.post(url, user_data(user, **changes))


def test_deactivating_in_the_admin_is_audited(admin_client):
    person = UserFactory()
    response = _save(admin_client, person, is_active=False)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert not person.is_active
    entry = audit_trail(person).get(action="person_deactivated")
    assert entry.actor.email == "admin@example.nhs.uk"
    assert _save(admin_client, person, is_active=True).status_code == 302
    assert audit_trail(person).filter(action="person_reactivated").exists()


def test_giving_the_administrator_role_in_the_admin_makes_them_staff(admin_client):
    person = UserFactory()
    group, _ = Group.objects.get_or_create(name=roles.ADMINISTRATOR)
    response = _save(admin_client, person, groups=[group.pk])
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.is_staff and person.is_superuser
    assert audit_trail(person).filter(action="role_added", data__role=roles.ADMINISTRATOR).exists()


def test_taking_a_role_away_in_the_admin_is_audited(admin_client):
    person = UserFactory(role="trainer")
    assert _save(admin_client, person, groups=[]).status_code == 302
    assert not person.groups.exists()
    assert audit_trail(person).filter(action="role_removed", data__role=roles.TRAINER).exists()


def test_profile_and_team_go_through_the_services(admin_client):
    person = UserFactory()
    org = Organisation.objects.create(name="Example NHS Trust")
    team = Team.objects.create(
        name="Library", department=Department.objects.create(name="Education", organisation=org)
    )
    response = _save(admin_client, person, name="  Ada Lovelace ", directory_team=team.pk)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.name == "Ada Lovelace" and person.directory_team == team
    actions = {e.action for e in audit_trail(person)}
    assert {"person_updated", "team_set"} <= actions


def test_a_new_address_replaces_the_sign_in_record(admin_client):
    person = UserFactory(email="old@example.nhs.uk")
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    assert _save(admin_client, person, email="New@Example.nhs.uk").status_code == 302
    person.refresh_from_db()
    assert person.email == "new@example.nhs.uk"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", flat=True)) == [
        "new@example.nhs.uk"
    ]


def test_adding_a_person_in_the_admin_uses_the_service(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Newcomer@Example.nhs.uk",
            "name": "New Comer",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(email="newcomer@example.nhs.uk")
    assert audit_trail(person).filter(action="person_created").exists()
