"""The organisation directory: organisations, their departments and teams, and linking people
to a team (e.g. "Acme NHS Trust → Children's services → School nursing").

People's own `team` and `organisation` stay as they typed them; `directory_team` links them to
the directory where a match is clear, so reach can be counted by team, department and
organisation (guildbook.insights).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from guildbook.accounts.models import Department, Organisation, Team, User
from guildbook.core.audit import audit_record
from guildbook.core.errors import Conflict, ServiceError

DIRECTORY_COLUMNS = ("organisation", "department", "team")


@dataclass
class DirectoryImportResult:
    organisations: int = 0
    departments: int = 0
    teams: int = 0
    people_linked: int = 0
    errors: list[str] = field(default_factory=list)


def _words(text: str) -> str:
    return " ".join((text or "").split())


def _key(text: str) -> str:
    return _words(text).casefold()


def directory_import(*, text: str, actor=None) -> DirectoryImportResult:
    """Add the organisations, departments and teams of a CSV file (header: organisation,
    department, team). All rows or none; what exists already is kept, never duplicated.
    Then link people whose typed team matches one team (`people_link_teams`)."""
    result = DirectoryImportResult()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in DIRECTORY_COLUMNS if c not in header]
    if missing:
        raise ServiceError(
            f"The header (line 1) lacks {', '.join(missing)}; the columns are "
            f"{', '.join(DIRECTORY_COLUMNS)}.",
            field="file",
        )
    index = [header.index(c) for c in DIRECTORY_COLUMNS]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            result.errors.append(
                f"line {reader.line_num}: has {len(values)} values, not {len(header)}"
            )
            continue
        names = [_words(values[i]) for i in index]
        empty = [c for c, n in zip(DIRECTORY_COLUMNS, names, strict=True) if not n]
        if empty:
            result.errors.append(f"line {reader.line_num}: {', '.join(empty)} is empty")
            continue
        if any(len(n) > 150 for n in names):
            result.errors.append(f"line {reader.line_num}: a name is longer than 150 characters")
            continue
        rows.append(names)
    if result.errors:
        return result
    with transaction.atomic():
        organisations = {_key(o.name): o for o in Organisation.objects.all()}
        departments = {(d.organisation_id, _key(d.name)): d for d in Department.objects.all()}
        teams = {(t.department_id, _key(t.name)) for t in Team.objects.all()}
        for org_name, dept_name, team_name in rows:
            org = organisations.get(_key(org_name))
            if org is None:
                org = organisations[_key(org_name)] = Organisation.objects.create(name=org_name)
                result.organisations += 1
            dept = departments.get((org.pk, _key(dept_name)))
            if dept is None:
                dept = Department.objects.create(organisation=org, name=dept_name)
                departments[(org.pk, _key(dept_name))] = dept
                result.departments += 1
            if (dept.pk, _key(team_name)) not in teams:
                Team.objects.create(department=dept, name=team_name)
                teams.add((dept.pk, _key(team_name)))
                result.teams += 1
        result.people_linked = people_link_teams(actor=actor)
    return result


def people_link_teams(*, actor=None) -> int:
    """Link people not yet linked whose typed team names exactly one team in the directory
    (ignoring case and spacing), within their typed organisation when that is in the
    directory. Returns how many were linked. A name two teams share is left alone."""
    by_name: dict[str, list[Team]] = defaultdict(list)
    for team in Team.objects.select_related("department__organisation"):
        by_name[_key(team.name)].append(team)
    links: dict[int, list[int]] = defaultdict(list)
    people = User.objects.filter(directory_team__isnull=True).exclude(team="")
    for pk, typed_team, typed_org in people.values_list("id", "team", "organisation"):
        candidates = by_name.get(_key(typed_team), [])
        if typed_org:
            same_org = [
                t for t in candidates if _key(t.department.organisation.name) == _key(typed_org)
            ]
            candidates = same_org or candidates
        if len(candidates) == 1:
            links[candidates[0].pk].append(pk)
    linked = 0
    with transaction.atomic():
        for team_id, ids in links.items():
            linked += User.objects.filter(pk__in=ids).update(directory_team_id=team_id)
        if linked and actor is not None:
            audit_record(actor=actor, action="people_linked_to_teams", subject=actor, count=linked)
    return linked


def user_set_team(*, user: User, team: Team | None, actor=None) -> User:
    """Link (or unlink) a person to a team of the directory."""
    with transaction.atomic():
        user.directory_team = team
        user.save(update_fields=["directory_team"])
        audit_record(actor=actor, action="team_set", subject=user, team=str(team) if team else "")
    return user


# --- Editing the directory (the directory page, accounts/views/directory.py) ---------------


def _name(text: str, *, what: str) -> str:
    name = _words(text)
    if not name:
        raise ServiceError(f"Give the {what} a name.", field="name")
    if len(name) > 150:
        raise ServiceError(f"The {what}'s name is longer than 150 characters.", field="name")
    return name


def _refuse_duplicate(siblings, name: str, *, what: str, where: str, exclude=None) -> None:
    """Names are unique within their parent, ignoring case and spacing."""
    taken = siblings.exclude(pk=exclude.pk) if exclude is not None else siblings
    if any(_key(n) == _key(name) for n in taken.values_list("name", flat=True)):
        raise Conflict(f"{where} already has {what} called “{name}”.", field="name")


def _rename(entry, name: str, *, siblings, what: str, where: str, action: str, actor):
    """Rename an organisation, department or team to a name its siblings do not have, and
    audit the old name. `name` is already cleaned (`_name`)."""
    with transaction.atomic():
        _refuse_duplicate(siblings, name, what=what, where=where, exclude=entry)
        old, entry.name = entry.name, name
        entry.save(update_fields=["name"])
        audit_record(actor=actor, action=action, subject=entry, was=old)
    return entry


def organisation_create(*, name: str, actor=None) -> Organisation:
    name = _name(name, what="organisation")
    with transaction.atomic():
        _refuse_duplicate(
            Organisation.objects.all(), name, what="an organisation", where="The directory"
        )
        organisation = Organisation.objects.create(name=name)
        audit_record(actor=actor, action="organisation_created", subject=organisation)
    return organisation


def organisation_rename(*, organisation: Organisation, name: str, actor=None) -> Organisation:
    return _rename(
        organisation,
        _name(name, what="organisation"),
        siblings=Organisation.objects.all(),
        what="an organisation",
        where="The directory",
        action="organisation_renamed",
        actor=actor,
    )


def department_create(*, organisation: Organisation, name: str, actor=None) -> Department:
    name = _name(name, what="department")
    with transaction.atomic():
        _refuse_duplicate(
            organisation.departments.all(), name, what="a department", where=organisation.name
        )
        department = Department.objects.create(organisation=organisation, name=name)
        audit_record(actor=actor, action="department_created", subject=department)
    return department


def department_rename(*, department: Department, name: str, actor=None) -> Department:
    name = _name(name, what="department")
    return _rename(
        department,
        name,
        siblings=Department.objects.filter(organisation_id=department.organisation_id),
        what="a department",
        where=department.organisation.name,
        action="department_renamed",
        actor=actor,
    )


def team_create(*, department: Department, name: str, actor=None) -> Team:
    name = _name(name, what="team")
    with transaction.atomic():
        _refuse_duplicate(department.teams.all(), name, what="a team", where=department.name)
        team = Team.objects.create(department=department, name=name)
        audit_record(actor=actor, action="team_created", subject=team)
    return team


def team_rename(*, team: Team, name: str, actor=None) -> Team:
    name = _name(name, what="team")
    return _rename(
        team,
        name,
        siblings=Team.objects.filter(department_id=team.department_id),
        what="a team",
        where=team.department.name,
        action="team_renamed",
        actor=actor,
    )


def team_move(*, team: Team, department: Department, actor=None) -> Team:
    """Move a team, with its people, to another department (of any organisation)."""
    with transaction.atomic():
        if department.pk == team.department_id:
            return team
        _refuse_duplicate(
            department.teams.all(),
            team.name,
            what="a team",
            where=department.name,
        )
        old = str(team.department)
        team.department = department
        team.save(update_fields=["department"])
        audit_record(actor=actor, action="team_moved", subject=team, was=old)
    return team


def _team_references():
    """Every foreign key to a team (people's, and any other app's), for a merge."""
    return [
        (rel.related_model, rel.field.name)
        for rel in Team._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.field.concrete
    ]


def team_merge(*, team: Team, into: Team, actor=None) -> Team:
    """Merge `team` into `into`: its people, and everything else that names it, move to
    `into`, and `team` is removed. All in one transaction; audited on the team kept."""
    if team.pk == into.pk:
        raise ServiceError("Choose another team to merge into.", field="into")
    with transaction.atomic():
        # Lock both rows, in id order, so two merges of the same teams cannot cross.
        locked = list(Team.objects.select_for_update().filter(pk__in=[team.pk, into.pk]))
        if len(locked) != 2:
            raise Conflict("One of the teams is no longer in the directory; reload the page.")
        moved = {}
        for model, field_name in _team_references():
            count = model._base_manager.filter(**{field_name: team}).update(**{field_name: into})
            if count:
                moved[model._meta.label] = count
        name = str(team)
        team.delete()
        audit_record(actor=actor, action="team_merged", subject=into, merged=name, moved=moved)
    return into


def team_delete(*, team: Team, actor=None) -> None:
    """Remove an empty team. A team with people is merged into another instead."""
    with transaction.atomic():
        people = User.objects.filter(directory_team=team).count()
        if people:
            raise Conflict(
                f"{team.name} has {people} {'person' if people == 1 else 'people'}: merge it "
                "into another team instead, so they keep a team.",
                field="team",
            )
        audit_record(actor=actor, action="team_deleted", subject=team, name=str(team))
        team.delete()


def people_link_typed_team(
    *, typed_team: str, typed_organisation: str, team: Team, actor=None
) -> int:
    """Link every person not yet linked who typed this team (and organisation) to `team`.
    Returns how many were linked."""
    with transaction.atomic():
        linked = User.objects.filter(
            directory_team__isnull=True, team=typed_team, organisation=typed_organisation
        ).update(directory_team=team)
        if linked:
            audit_record(
                actor=actor,
                action="people_linked_to_team",
                subject=team,
                typed=typed_team,
                count=linked,
            )
    return linked
