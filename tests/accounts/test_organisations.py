"""The organisation directory: imported all or nothing, kept not duplicated, people linked to
a team where the match is clear, and reach counted by it."""

import pytest
from django.core.management import call_command

from guildbook.accounts.models import Department, Organisation, Team
from guildbook.accounts.organisations import directory_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DIRECTORY = """organisation,department,team
Acme NHS Trust,Children's services,School nursing
Acme NHS Trust,Children's services,Health visiting
Acme NHS Trust,Library and knowledge services,Library
Riverside Community Health,Therapies,Library
"""


def test_the_directory_is_imported_once_and_people_are_linked():
    nurse = UserFactory(team="school  NURSING", organisation="")
    librarian = UserFactory(team="Library", organisation="Acme NHS Trust")
    unsure = UserFactory(team="Library", organisation="Somewhere else")
    result = directory_import(text=DIRECTORY)
    assert (result.organisations, result.departments, result.teams) == (2, 3, 4)
    assert result.people_linked == 2
    nurse.refresh_from_db()
    librarian.refresh_from_db()
    unsure.refresh_from_db()
    assert str(nurse.directory_team) == "Acme NHS Trust → Children's services → School nursing"
    assert librarian.directory_team.department.organisation.name == "Acme NHS Trust"
    assert unsure.directory_team is None  # two teams called Library, neither in their trust
    assert nurse.team == "school  NURSING"  # what they typed is kept
    again = directory_import(text=DIRECTORY)
    assert (again.organisations, again.departments, again.teams, again.people_linked) == (0,) * 4
    assert (Organisation.objects.count(), Department.objects.count(), Team.objects.count()) == (
        2,
        3,
        4,
    )


def test_a_bad_row_means_nothing_is_added():
    result = directory_import(text=DIRECTORY + "Acme NHS Trust,,Wards\n")
    assert result.errors == ["line 6: department is empty"]
    assert not Organisation.objects.exists()


def test_the_command(tmp_path, capsys):
    path = tmp_path / "directory.csv"
    path.write_text(DIRECTORY)
    call_command("import_directory", str(path))
    assert "Added 2 organisations, 3 departments and 4 teams" in capsys.readouterr().out
