"""The people commands as an administrator runs them: `guildbook <command> …` in a shell."""

import pytest
from django.core.management import ManagementUtility
from django.core.management import base as management_base

from guildbook.accounts.models import ApiToken, User
from guildbook.accounts.services import api_token_authenticate
from tests.factories import UserFactory


@pytest.fixture
def cli(db, capsys, monkeypatch):
    """Run `guildbook ARGS…` in this process, the way the console script does.

    Returns (exit code, stdout, stderr). Django closes the database connections after a
    command; inside a test transaction that would end the test's transaction, so not here.
    """
    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)

    def run(*argv):
        capsys.readouterr()
        code = 0
        try:
            ManagementUtility(["guildbook", *argv]).execute()
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_one_line_error(code, err):
    assert code != 0
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


# --- createuser -----------------------------------------------------------------------


def test_createuser_makes_a_person_with_a_role_and_team(cli):
    code, out, err = cli(
        "createuser",
        "--email",
        "Rachel.Okafor@Example.NHS.uk",
        "--name",
        "Rachel Okafor",
        "--role",
        "trainer",
        "--team",
        "Library and knowledge service",
        "--organisation",
        "Riverside NHS Trust",
    )
    assert (code, err) == (0, "")
    user = User.objects.get(email="rachel.okafor@example.nhs.uk")
    assert user.name == "Rachel Okafor"
    assert user.team == "Library and knowledge service"
    assert user.organisation == "Riverside NHS Trust"
    assert user.role_names == ["Trainer"]
    assert user.has_perm("training.run_training")
    assert not user.has_usable_password()
    assert "Rachel Okafor" in out


def test_createuser_with_a_password_can_sign_in_with_it(cli):
    code, _out, _err = cli(
        "createuser",
        "--email",
        "sam@example.nhs.uk",
        "--name",
        "Sam",
        "--password",
        "kestrel-93-lamp",
    )
    assert code == 0
    assert User.objects.get(email="sam@example.nhs.uk").check_password("kestrel-93-lamp")


def test_createuser_administrator_gets_the_admin_site(cli):
    cli("createuser", "--email", "alex@example.nhs.uk", "--name", "Alex", "--role", "administrator")
    user = User.objects.get(email="alex@example.nhs.uk")
    assert user.is_staff and user.is_superuser


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--email", "not-an-address", "--name", "X"], "not a valid e-mail"),
        (["--email", "x@example.nhs.uk", "--name", "X", "--role", "wizard"], "Unknown role"),
        (["--email", "x@example.nhs.uk", "--name", "X", "--password", "123"], "too short"),
        (["--name", "X"], "--email"),
    ],
)
def test_createuser_refuses_bad_input_in_one_line(cli, argv, words):
    code, _out, err = cli("createuser", *argv)
    assert_one_line_error(code, err)
    assert words in err
    assert not User.objects.exists()


def test_createuser_refuses_a_known_email_and_changes_nothing(cli):
    UserFactory(email="ada@example.nhs.uk", name="Ada Original")
    code, _out, err = cli("createuser", "--email", "ADA@example.nhs.uk", "--name", "Ada Copy")
    assert_one_line_error(code, err)
    assert "already exists" in err
    assert User.objects.get().name == "Ada Original"


# --- import_people --------------------------------------------------------------------


def write_csv(tmp_path, text, name="people.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_people_creates_then_updates_without_duplicates(cli, tmp_path):
    first = write_csv(
        tmp_path,
        "email,name,team,organisation,role\n"
        "jo.bloggs@example.nhs.uk,Jo Bloggs,School nursing,Riverside NHS Trust,\n"
        "kim.lee@example.nhs.uk,Kim Lee,Ward 7,Riverside NHS Trust,trainer\n",
    )
    code, out, err = cli("import_people", first)
    assert (code, err) == (0, "")
    assert out.strip() == "Imported 2 people: 2 new, 0 updated"

    second = write_csv(
        tmp_path,
        "email,name,team,organisation\n"
        "JO.BLOGGS@example.nhs.uk,Jo Bloggs,Health visiting,Riverside NHS Trust\n"
        "new.person@example.nhs.uk,New Person,Pharmacy,Riverside NHS Trust\n",
        name="again.csv",
    )
    code, out, _err = cli("import_people", second)
    assert code == 0
    assert out.strip() == "Imported 2 people: 1 new, 1 updated"
    assert User.objects.count() == 3
    assert User.objects.get(email="jo.bloggs@example.nhs.uk").team == "Health visiting"
    assert User.objects.get(email="kim.lee@example.nhs.uk").role_names == ["Trainer"]


def test_import_people_reports_every_bad_row_by_line_and_imports_none(cli, tmp_path):
    path = write_csv(
        tmp_path,
        "email,name,team\n"
        "good@example.nhs.uk,Good Person,Pharmacy\n"
        "not-an-email,Bad Address,Pharmacy\n"
        "noname@example.nhs.uk,,Pharmacy\n"
        "good@example.nhs.uk,Twice,Pharmacy\n",
    )
    code, out, err = cli("import_people", path)
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0].startswith("line 3:") and "not a valid e-mail" in lines[0]
    assert lines[1].startswith("line 4:") and "no name" in lines[1]
    assert lines[2].startswith("line 5:") and "line 2" in lines[2]
    assert "Nothing was imported: 3 rows need correcting" in lines[-1]
    assert out == ""
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "There is no file"),
        ("mail,fullname\nx@example.nhs.uk,X\n", "header row"),
    ],
)
def test_import_people_refuses_a_missing_file_or_bad_header_in_one_line(
    cli, tmp_path, content, words
):
    path = str(tmp_path / "missing.csv") if content is None else write_csv(tmp_path, content)
    code, _out, err = cli("import_people", path)
    assert_one_line_error(code, err)
    assert words in err


def test_import_people_reads_a_spreadsheet_export_with_a_byte_order_mark(cli, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffEmail,Name\r\nbom@example.nhs.uk,Bom Person\r\n".encode())
    code, out, _err = cli("import_people", str(path))
    assert code == 0, _err
    assert "1 new" in out
    assert User.objects.filter(email="bom@example.nhs.uk").exists()


# --- create_api_token -----------------------------------------------------------------


def test_create_api_token_prints_only_a_working_token(cli):
    person = UserFactory(email="kiosk@example.nhs.uk")
    code, out, err = cli("create_api_token", "--email", "Kiosk@example.nhs.uk", "--name", "Kiosk")
    assert (code, err) == (0, "")
    secret = out.strip()
    assert out == secret + "\n"
    assert " " not in secret
    assert api_token_authenticate(secret) == person
    token = ApiToken.objects.get(user=person)
    assert token.name == "Kiosk"
    assert secret not in (token.key_hash, token.prefix)


def test_create_api_token_refuses_an_unknown_email_in_one_line(cli):
    code, out, err = cli("create_api_token", "--email", "nobody@example.nhs.uk")
    assert_one_line_error(code, err)
    assert "nobody@example.nhs.uk" in err
    assert out == ""
    assert not ApiToken.objects.exists()


def test_import_people_reports_a_huge_field_by_its_line(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,name\nbig@x.example," + "x" * 1_000_000 + "\n", encoding="utf-8")
    code, _out, err = cli("import_people", str(path))
    assert code != 0 and "Traceback" not in err
    assert err.splitlines()[0].startswith("line 2: ")
    assert "Nothing was imported" in err
    assert not User.objects.filter(email="big@x.example").exists()
