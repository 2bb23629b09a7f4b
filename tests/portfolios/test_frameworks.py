"""Skills frameworks as data files: the shipped PKSB, precise refusals, nothing half-loaded."""

import pytest
from django.core.management import CommandError, call_command

from guildbook.portfolios.frameworks import FrameworkFileError, framework_import
from guildbook.portfolios.models import SkillsArea, SkillsFramework

GOOD = """\
slug: nursing-skills
name: Nursing skills
version: "1"
labels: [Nothing, Some, Fair, Good, Great]
areas:
  - code: care
    name: Care
  - code: records
    name: Records
"""


def test_pksb_is_loaded_by_migrate_with_twelve_areas(db):
    pksb = SkillsFramework.objects.get(slug="cilip-pksb")
    assert pksb.areas.count() == 12
    assert pksb.label(0) == "None" and pksb.label(4) == "Expert"
    assert "Research skills" in pksb.areas.values_list("name", flat=True)


def test_import_and_again_changes_nothing(db, tmp_path, capsys):
    path = tmp_path / "nursing.yaml"
    path.write_text(GOOD)
    call_command("import_framework", str(path))
    assert "Loaded Nursing skills, version 1: 2 areas." in capsys.readouterr().out
    call_command("import_framework", str(path))
    assert "nothing changed" in capsys.readouterr().out
    assert SkillsArea.objects.filter(framework__slug="nursing-skills").count() == 2


def test_new_version_keeps_areas_by_code(db):
    framework_import(text=GOOD, name="n.yaml")
    care = SkillsArea.objects.get(code="care", framework__slug="nursing-skills")
    framework_import(
        text=GOOD.replace('"1"', '"2"').replace("name: Care", "name: Patient care"), name="n.yaml"
    )
    care.refresh_from_db()
    assert care.name == "Patient care"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("  - code: records\n", "  - code: Records!\n"),
            "n.yaml, line 8, field areas.1.code",
        ),
        (
            GOOD.replace("[Nothing, Some, Fair, Good, Great]", "[Low, High]"),
            "n.yaml, line 4, field labels: give 5",
        ),
        # YAML reads a bare No as false: the message points at the very label.
        (
            GOOD.replace("[Nothing,", "[No,"),
            "n.yaml, line 4, field labels.0: Input should be a valid string",
        ),
        (GOOD.replace('version: "1"\n', ""), "field version: Field required"),
        (
            GOOD.replace("code: records", "code: care"),
            "line 6, field areas: the area code “care” appears twice",
        ),
        (GOOD + "colour: blue\n", "n.yaml, line 10, field colour"),
        ("areas: [", "n.yaml, line 1: not valid YAML"),
        ("- just a list", "a framework file is a mapping"),
    ],
)
def test_bad_files_are_refused_precisely_and_nothing_is_loaded(db, text, message):
    with pytest.raises(FrameworkFileError) as refused:
        framework_import(text=text, name="n.yaml")
    assert message in refused.value.message
    assert not SkillsFramework.objects.filter(slug="nursing-skills").exists()


def test_command_refusal_is_one_line(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\n")
    with pytest.raises(CommandError, match=r"bad.yaml, line 1, field slug"):
        call_command("import_framework", str(path))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_framework", str(tmp_path / "missing.yaml"))
