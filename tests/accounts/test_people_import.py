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


# --- Hostile files: refused by line, never a traceback or a database error ----------------


def test_a_field_over_the_csv_readers_limit_is_a_line_numbered_error():
    text = "email,name\nok@x.example,Ok\nbig@x.example," + "x" * 1_000_000 + "\n"
    result = people_import(text=text)
    assert len(result.errors) == 1 and result.errors[0].startswith("line 3:")
    assert not User.objects.filter(email="ok@x.example").exists()


def test_a_nul_character_is_refused_with_its_line():
    result = people_import(text="email,name,team\nok@x.example,Ok,Lib\x00rary\n")
    assert result.errors == ["line 2: the team contains a null character"]
    result = people_import(text="email,name\nok@x.example,O\x00k\n")
    assert result.errors == ["line 2: the name contains a null character"]
    assert not User.objects.exists()


def test_an_email_over_254_characters_is_refused():
    local = "a" * 64
    email = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 63}.example"
    assert len(email) > 254
    result = people_import(text=f"email,name\n{email},Long\n")
    assert len(result.errors) == 1 and result.errors[0].startswith("line 2: ")
    assert "254" in result.errors[0]
    assert not User.objects.exists()


def test_names_and_teams_over_150_characters_are_refused_on_every_database():
    result = people_import(text="email,name\nlong@x.example," + "n" * 100_000 + "\n")
    assert result.errors == ["line 2: the name is longer than 150 characters"]
    result = people_import(text="email,name,organisation\nlong@x.example,Ok," + "o" * 151 + "\n")
    assert result.errors == ["line 2: the organisation is longer than 150 characters"]
    assert not User.objects.exists()
    people_import(text="email,name\nlong@x.example," + "n" * 150 + "\n")
    assert len(User.objects.get().name) == 150
