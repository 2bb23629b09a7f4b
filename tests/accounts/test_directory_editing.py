"""Editing the organisation directory: the services (names unique within their parent,
moves, merges that carry people with them, no removing a team with people) and the page,
which only administrators and staff development officers may open."""

import re

import pytest

from guildbook.accounts import organisations as org
from guildbook.accounts.models import Department, Organisation, Team, User
from guildbook.core.errors import Conflict, ServiceError
from guildbook.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/manage/directory/"


@pytest.fixture
def acme():
    trust = org.organisation_create(name="Acme NHS Trust")
    children = org.department_create(organisation=trust, name="Children's services")
    library = org.department_create(organisation=trust, name="Library and knowledge services")
    nursing = org.team_create(department=children, name="School nursing")
    visiting = org.team_create(department=children, name="Health visiting")
    return {"trust": trust, "children": children, "library": library, "nursing": nursing,
            "visiting": visiting}  # fmt: skip


def test_names_are_unique_within_their_parent_ignoring_case_and_spacing(acme):
    with pytest.raises(Conflict) as err:
        org.team_create(department=acme["children"], name="school   NURSING")
    assert err.value.message == "Children's services already has a team called “school NURSING”."
    assert err.value.field == "name"
    # The same name in another department is another team.
    org.team_create(department=acme["library"], name="School nursing")
    with pytest.raises(Conflict):
        org.department_create(organisation=acme["trust"], name="children's services")
    with pytest.raises(Conflict):
        org.organisation_create(name=" acme nhs trust ")
    with pytest.raises(ServiceError, match="Give the team a name"):
        org.team_create(department=acme["children"], name="   ")
    with pytest.raises(Conflict):
        org.team_rename(team=acme["visiting"], name="School Nursing")
    assert org.team_rename(team=acme["nursing"], name="School Nursing").name == "School Nursing"


def test_renaming_keeps_people_and_is_audited(acme):
    person = UserFactory(directory_team=acme["nursing"])
    org.team_rename(team=acme["nursing"], name="School nurses", actor=person)
    org.department_rename(department=acme["children"], name="Children and families")
    org.organisation_rename(organisation=acme["trust"], name="Acme Hospitals")
    person.refresh_from_db()
    assert str(person.directory_team) == "Acme Hospitals → Children and families → School nurses"
    assert AuditEntry.objects.filter(action="team_renamed", data__was="School nursing").exists()


def test_a_team_moves_to_another_department_unless_the_name_is_taken_there(acme):
    person = UserFactory(directory_team=acme["nursing"])
    org.team_move(team=acme["nursing"], department=acme["library"])
    person.refresh_from_db()
    assert person.directory_team.department == acme["library"]
    org.team_create(department=acme["children"], name="School nursing")
    with pytest.raises(Conflict):
        org.team_move(team=acme["nursing"], department=acme["children"])
    assert Team.objects.get(pk=acme["nursing"].pk).department == acme["library"]


def test_a_merge_moves_the_people_and_removes_the_team(acme):
    a, b = (
        UserFactory(directory_team=acme["visiting"]),
        UserFactory(directory_team=acme["visiting"]),
    )
    stays = UserFactory(directory_team=acme["nursing"])
    org.team_merge(team=acme["visiting"], into=acme["nursing"])
    assert not Team.objects.filter(pk=acme["visiting"].pk).exists()
    assert set(User.objects.filter(directory_team=acme["nursing"])) == {a, b, stays}
    entry = AuditEntry.objects.get(action="team_merged")
    assert entry.data["moved"] == {"accounts.User": 2}
    with pytest.raises(ServiceError, match="another team"):
        org.team_merge(team=acme["nursing"], into=acme["nursing"])


def test_a_team_with_people_is_not_removed_but_an_empty_one_is(acme):
    UserFactory(directory_team=acme["nursing"])
    with pytest.raises(Conflict) as err:
        org.team_delete(team=acme["nursing"])
    assert "has 1 person: merge it into another team instead" in err.value.message
    assert Team.objects.filter(pk=acme["nursing"].pk).exists()
    org.team_delete(team=acme["visiting"])
    assert not Team.objects.filter(pk=acme["visiting"].pk).exists()


def test_people_whose_typed_team_matched_nothing_are_linked_together(acme):
    from guildbook.accounts.selectors import unlinked_typed_teams

    nurses = [UserFactory(team="School nurses", organisation="Acme") for _ in range(3)]
    other = UserFactory(team="School nurses", organisation="Elsewhere")
    linked_already = UserFactory(
        team="School nurses", organisation="Acme", directory_team=acme["visiting"]
    )
    assert unlinked_typed_teams()[0] == {
        "team": "School nurses",
        "organisation": "Acme",
        "people": 3,
    }
    n = org.people_link_typed_team(
        typed_team="School nurses", typed_organisation="Acme", team=acme["nursing"]
    )
    assert n == 3
    assert all(User.objects.get(pk=p.pk).directory_team == acme["nursing"] for p in nurses)
    assert User.objects.get(pk=other.pk).directory_team is None
    assert User.objects.get(pk=linked_already.pk).directory_team == acme["visiting"]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_only_administrators_and_officers_may_open_the_page(client, person, trainer, officer):
    assert client.get(URL).status_code == 302  # to sign in
    for someone in (person, trainer):
        client.force_login(someone)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"action": "organisation_add", "name": "X"}).status_code == 404
    assert not Organisation.objects.exists()
    for someone in (officer, UserFactory(role="administrator")):
        client.force_login(someone)
        assert client.get(URL).status_code == 200


def test_the_page_builds_and_edits_the_tree(officer_client, acme):
    UserFactory(team="School nurses", organisation="Acme")
    page = officer_client.get(URL).content.decode()
    assert "Children&#x27;s services" in page and "Health visiting" in page
    assert "School nurses" in page  # not linked yet

    def post(**data):
        return officer_client.post(URL, data)

    response = post(action="team_add", department=acme["library"].pk, name="Outreach")
    assert response.status_code == 302
    outreach = Team.objects.get(name="Outreach")
    assert response["Location"] == f"{URL}#team-{outreach.pk}"
    assert (
        "Outreach added to Library and knowledge services."
        in officer_client.get(URL).content.decode()
    )
    response = post(action="team_add", department=acme["library"].pk, name="outreach")
    assert response.status_code == 400
    assert "already has a team called" in response.content.decode()
    unchosen = post(action="people_link", typed_team="School nurses", typed_organisation="Acme")
    assert unchosen.status_code == 400 and "Choose from the list." in unchosen.content.decode()
    assert post(action="team_merge", team=acme["nursing"].pk).status_code == 400
    assert post(action="people_link", typed_team="School nurses", typed_organisation="Acme",
                team=acme["nursing"].pk).status_code == 302  # fmt: skip
    assert post(action="team_delete", team=acme["nursing"].pk).status_code == 400
    assert post(action="team_merge", team=acme["nursing"].pk, into=outreach.pk).status_code == 302
    assert User.objects.get(team="School nurses").directory_team == outreach
    assert (
        post(action="team_move", team=outreach.pk, department=acme["children"].pk).status_code
        == 302
    )
    assert (
        str(Team.objects.get(pk=outreach.pk)) == "Acme NHS Trust → Children's services → Outreach"
    )
    assert post(action="team_rename", team=999999, name="X").status_code == 404
    assert post(action="team_rename", team="x", name="X").status_code == 400
    assert post(action="nonsense").status_code == 400
    assert post(action="organisation_add", name="Riverside").status_code == 302
    assert Department.objects.count() == 2


def test_one_merge_form_refuses_beside_its_field_and_merges(officer_client, acme):
    page = officer_client.get(URL).content.decode()
    assert page.count('name="action" value="team_merge"') == 1
    assert '<label for="merge-team">Merge this team</label>' in page
    assert '<label for="merge-into">into</label>' in page
    visiting = acme["visiting"].pk
    assert f'href="?team={visiting}#merge-heading"' in page
    started = officer_client.get(URL, {"team": visiting}).content.decode()
    chosen = re.search('<select id="merge-team".*?</select>', started).group()
    assert f'<option value="{visiting}" selected>' in chosen

    nothing = officer_client.post(URL, {"action": "team_merge", "team": "", "into": ""})
    assert nothing.status_code == 400
    body = nothing.content.decode()
    assert (
        '<p class="errorlist" id="merge-team-error" role="alert">Choose from the list.</p>' in body
    )
    assert 'id="problem"' not in body  # beside the field, not at the top

    nursing = acme["nursing"].pk
    twice = officer_client.post(URL, {"action": "team_merge", "team": nursing, "into": nursing})
    assert twice.status_code == 400
    body = twice.content.decode()
    assert 'id="merge-into-error" role="alert">Choose another team to merge into.</p>' in body
    assert 'aria-invalid="true"' in body
    for key in ("team", "into"):  # the choices are kept
        chosen = re.search(f'<select id="merge-{key}".*?</select>', body).group()
        assert f'<option value="{nursing}" selected>' in chosen
    assert Team.objects.filter(pk=nursing).exists()

    merged = officer_client.post(
        URL, {"action": "team_merge", "team": acme["visiting"].pk, "into": nursing}
    )
    assert merged.status_code == 302 and merged["Location"] == f"{URL}#team-{nursing}"
    assert not Team.objects.filter(pk=acme["visiting"].pk).exists()


def test_the_page_grows_with_the_teams_not_their_square(officer_client, acme):
    def options_with(teams):
        for n in range(Team.objects.count(), teams):
            org.team_create(department=acme["library"], name=f"Team {n}")
        return officer_client.get(URL).content.decode().count("<option")

    five, twenty = options_with(5), options_with(20)
    # Each team adds a fixed number of options (its own move select's departments, and one
    # in each list of every team): fifteen more teams add fifteen times that, not 20² − 5².
    per_team = (twenty - five) / 15
    assert per_team == int(per_team) and per_team <= 5
    assert options_with(21) - twenty == per_team
