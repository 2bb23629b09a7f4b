"""`guildbook import_mentors`: all rows or none, row-level errors, the Mentor role."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guildbook.accounts.models import User
from guildbook.qualifications.models import MentorProfile
from guildbook.qualifications.services import mentors_import
from tests.factories import UserFactory

HEADER = "email,name,region,sector,specialisms,remote,capacity\n"


def test_unknown_people_become_mentors_and_known_ones_gain_the_role(db):
    known = UserFactory(email="kim@example.nhs.uk", name="Kim Known")
    result = mentors_import(
        text=HEADER
        + "new@example.nhs.uk,Nia New,North West,Health,Outreach;Cataloguing,yes,2\n"
        + "KIM@example.nhs.uk,Kim Known,London,Academic,Research support,no,1\n"
    )
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    nia = User.objects.get(email="new@example.nhs.uk")
    assert "Mentor" in nia.role_names and not nia.has_usable_password()
    assert nia.has_perm("qualifications.act_as_mentor")
    assert "Mentor" in User.objects.get(pk=known.pk).role_names
    profile = MentorProfile.objects.get(user=nia)
    assert profile.specialisms == ["Outreach", "Cataloguing"] and profile.remote
    assert MentorProfile.objects.get(user=known).capacity == 1


def test_a_bad_row_stops_the_whole_file_and_every_bad_row_is_named(db):
    result = mentors_import(
        text=HEADER
        + "ok@example.nhs.uk,Ok Person,London,Health,,yes,2\n"
        + "not-an-address,No Email,London,Health,,yes,2\n"
        + "b@example.nhs.uk,,London,Health,,maybe,lots\n"
        + "ok@example.nhs.uk,Again,London,Health,,no,1\n"
    )
    assert result.errors == [
        "line 3: “not-an-address” is not a valid e-mail address",
        "line 4: no name; remote must be yes or no, not “maybe”; capacity must be a whole "
        "number from 0 to 30",
        "line 5: the same e-mail as line 2",
    ]
    assert not MentorProfile.objects.exists()
    assert not User.objects.filter(email="ok@example.nhs.uk").exists()


def test_the_command_exits_non_zero_and_lists_the_rows(db, tmp_path, capsys):
    path = Path(tmp_path, "mentors.csv")
    path.write_text(HEADER + "x,,,,,,\n")
    with pytest.raises(CommandError):
        call_command("import_mentors", str(path))
    assert "line 2:" in capsys.readouterr().err
    path.write_text(HEADER + "a@example.nhs.uk,Ana,London,Health,Outreach,yes,3\n")
    call_command("import_mentors", str(path))
    assert "Imported 1 mentors (1 new, 0 already known)." in capsys.readouterr().out


def test_a_missing_column_is_refused(db):
    from guildbook.core.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        mentors_import(text="email,name\n")
    assert "missing: region, sector, specialisms, remote, capacity" in exc.value.message
