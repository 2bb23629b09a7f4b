"""Scheme files: parsed safely, checked, loaded whole or not at all, versioned."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guildbook.qualifications import selectors, services
from guildbook.qualifications.models import Criterion, Scheme
from guildbook.qualifications.schemes import (
    SchemeFileError,
    scheme_import,
    scheme_parse,
    shipped_files,
)
from tests.factories import UserFactory

GOOD = """\
code: nursing-revalidation
version: "2024"
name: Nursing revalidation
fees:
  enrolment: 0
  submission: 0
mentor: none
rules:
  practice_hours: 450
  cpd_hours: 35
criteria:
  - code: practice-hours
    title: 450 practice hours in three years
  - code: cpd
    title: 35 hours of CPD
sections:
  - code: reflective-accounts
    title: Five written reflective accounts
    word_limit: 500
steps:
  - code: hours
    title: Practice hours logged
    due: 50
  - code: confirmation
    title: Confirmation
"""


def test_every_shipped_file_is_valid():
    names = [p.name for p in shipped_files()]
    assert len(names) == 6
    for path in shipped_files():
        scheme_parse(text=path.read_text(), name=path.name)


def test_an_organisations_own_scheme_loads_without_code(db):
    result = scheme_import(text=GOOD, name="nursing.yaml")
    assert result.created and result.scheme.slug == "nursing-revalidation-2024"
    assert result.scheme.rules == {"practice_hours": 450, "cpd_hours": 35}
    assert list(result.scheme.criteria.values_list("code", flat=True)) == ["practice-hours", "cpd"]
    assert result.scheme.sections.get().word_limit == 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("    due: 50", "    due: 150"), "nursing.yaml, line 23, field steps.0.due"),
        (GOOD.replace('version: "2024"\n', ""), "nursing.yaml, line 1, field version"),
        (
            GOOD.replace("  - code: cpd\n", "  - code: CPD hours\n"),
            "line 14, field criteria.1.code",
        ),
        (GOOD.replace("mentor: none", "mentor: sometimes"), "line 7, field mentor"),
        (GOOD.replace("  enrolment: 0", "  enrolment: -5"), "line 5, field fees.enrolment"),
        (GOOD.replace("  enrolment: 0", "  membership: 4000"), "line 5, field fees.membership"),
        (GOOD + "colour: blue\n", "line 26, field colour"),
        (
            GOOD.replace("- code: cpd", "- code: practice-hours"),
            "line 14, field criteria.1.code: the code “practice-hours” appears twice",
        ),
        (GOOD.replace("name: Nursing", "name: [Nursing"), "nursing.yaml, line"),
        ("- just\n- a list\n", "nursing.yaml, line 1: a scheme file is a mapping"),
        ("!!python/object:os.system {}\n", "nursing.yaml, line 1: not valid YAML"),
    ],
)
def test_a_malformed_file_is_refused_naming_file_line_and_field(db, text, expected):
    before = (Scheme.objects.count(), Criterion.objects.count())
    with pytest.raises(SchemeFileError) as exc:
        scheme_import(text=text, name="nursing.yaml")
    assert expected in exc.value.message, exc.value.message
    assert (Scheme.objects.count(), Criterion.objects.count()) == before


def test_reimporting_the_same_version_changes_nothing(db):
    first = scheme_import(text=GOOD, name="nursing.yaml")
    again = scheme_import(text=GOOD, name="nursing.yaml")
    assert not again.created and again.scheme.pk == first.scheme.pk
    assert "already loaded: nothing changed" in again.message
    with pytest.raises(SchemeFileError) as exc:
        scheme_import(text=GOOD.replace("35 hours", "40 hours"), name="nursing.yaml")
    assert exc.value.code == "version_exists"


def test_a_new_version_never_changes_existing_candidacies(db):
    person = UserFactory()
    old = scheme_import(text=GOOD, name="nursing.yaml").scheme
    candidacy = services.candidacy_start(person=person, scheme=old, actor=person)
    new_text = GOOD.replace('version: "2024"', 'version: "2025"').replace("35 hours", "40 hours")
    new = scheme_import(text=new_text, name="nursing-2025.yaml").scheme
    candidacy.refresh_from_db()
    assert candidacy.scheme_id == old.pk
    assert [c.title for c in old.criteria.all()][1] == "35 hours of CPD"
    assert [c.title for c in new.criteria.all()][1] == "40 hours of CPD"
    assert selectors.journey(candidacy).steps[0].title == "Practice hours logged"


def test_the_command_loads_says_so_and_exits_zero_when_nothing_changed(db, tmp_path, capsys):
    path = Path(tmp_path, "nursing.yaml")
    path.write_text(GOOD)
    call_command("import_scheme", str(path))
    assert "Loaded Nursing revalidation, version 2024." in capsys.readouterr().out
    call_command("import_scheme", str(path))
    assert "already loaded: nothing changed" in capsys.readouterr().out
    path.write_text(GOOD.replace("    due: 50", "    due: 150"))
    with pytest.raises(CommandError) as exc:
        call_command("import_scheme", str(path))
    assert "nursing.yaml, line 23, field steps.0.due" in str(exc.value)


def test_the_cli_exits_non_zero_on_a_bad_file(db, tmp_path):
    import subprocess
    import sys

    path = Path(tmp_path, "bad.yaml")
    path.write_text("code: x\n")
    done = subprocess.run(
        [sys.executable, "-m", "guildbook.cli", "import_scheme", str(path)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"},
    )
    assert done.returncode != 0
    assert "bad.yaml, line 1, field version" in done.stderr


def test_admin_upload_uses_the_same_loader(db, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = UserFactory(role="admin")
    client.force_login(admin)
    upload = SimpleUploadedFile("nursing.yaml", GOOD.encode(), content_type="application/yaml")
    response = client.post("/admin/qualifications/scheme/upload/", {"file": upload})
    assert response.status_code == 302
    assert Scheme.objects.filter(slug="nursing-revalidation-2024").exists()
    bad = SimpleUploadedFile("bad.yaml", b"code: x\n", content_type="application/yaml")
    response = client.post("/admin/qualifications/scheme/upload/", {"file": bad})
    assert response.status_code == 200
    assert "bad.yaml, line 1, field version" in response.content.decode()


def test_reading_links_to_the_catalogue_and_the_course(db, settings):
    from tests.factories import CourseFactory

    settings.QUALIFICATIONS_CATALOGUE_URL = "https://cat.example.org/find?q={id}"
    course = CourseFactory(title="Building your portfolio", slug="building-your-portfolio")
    items = selectors.reading_for(Scheme.objects.get(slug="chartership-2009"))
    assert items[0].reading.author == "Margaret Watson"
    assert items[0].catalogue_url == (
        "https://cat.example.org/find?q=Building+Your+Portfolio+Margaret+Watson"
    )
    assert items[0].course == course
