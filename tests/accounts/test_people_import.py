"""people_import: all or nothing, updates rather than duplicates, and leaves alone what the
file does not mention."""

import pytest

from guildbook.accounts.models import User
from guildbook.accounts.services import people_import
from guildbook.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_file_without_a_column_leaves_that_field_alone():
    people_import(text="email,name,team,organisation\nada@x.example,Ada,Library,Riverside\n")
    people_import(text="email,name\nada@x.example,Ada Lovelace\n")
    ada = User.objects.get(email="ada@x.example")
    assert (ada.name, ada.team, ada.organisation) == ("Ada Lovelace", "Library", "Riverside")


def test_an_empty_cell_in_a_present_column_clears_the_field():
    people_import(text="email,name,team\nada@x.example,Ada,Library\n")
    people_import(text="email,name,team\nada@x.example,Ada,\n")
    assert User.objects.get(email="ada@x.example").team == ""


def test_reimporting_a_role_someone_has_records_nothing_new():
    text = "email,name,role\ntess@x.example,Tess,trainer\n"
    people_import(text=text)
    before = AuditEntry.objects.filter(action="role_added").count()
    result = people_import(text=text)
    assert result.updated == 1
    assert AuditEntry.objects.filter(action="role_added").count() == before


def test_a_bad_row_means_nothing_is_written():
    result = people_import(text="email,name\nok@x.example,Ok\nnot-an-email,Bad\n")
    assert result.errors == ["line 3: “not-an-email” is not a valid e-mail address"]
    assert not User.objects.filter(email="ok@x.example").exists()
