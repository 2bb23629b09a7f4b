"""The organisation directory page, for administrators and staff development officers:
browse organisation → department → team, add and rename, move and merge teams, remove an
empty one, and link people whose typed team matched no team. Every change is one service
call (accounts.organisations)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from guildbook.accounts import organisations, selectors
from guildbook.accounts.models import Department, Organisation, Team
from guildbook.accounts.roles import directory_editor_required
from guildbook.core.errors import ServiceError


def _pk(request, key: str) -> int:
    try:
        return int(request.POST.get(key, ""))
    except ValueError:
        raise ServiceError("Choose from the list.", field=key) from None


def _get(model, request, key: str):
    return get_object_or_404(model, pk=_pk(request, key))


def _named(request, actor, service, **chosen):
    """Call a directory service that takes a typed name: `chosen` maps each of its other
    arguments to the model whose entry the form chose under that key (a 404 if it is gone)."""
    entries = {key: _get(model, request, key) for key, model in chosen.items()}
    return service(**entries, name=request.POST.get("name", ""), actor=actor)


def _organisation_add(request, actor):
    o = _named(request, actor, organisations.organisation_create)
    return f"{o.name} is in the directory.", f"org-{o.pk}"


def _organisation_rename(request, actor):
    o = _named(request, actor, organisations.organisation_rename, organisation=Organisation)
    return f"Renamed to {o.name}.", f"org-{o.pk}"


def _department_add(request, actor):
    d = _named(request, actor, organisations.department_create, organisation=Organisation)
    return f"{d.name} added to {d.organisation.name}.", f"dept-{d.pk}"


def _department_rename(request, actor):
    d = _named(request, actor, organisations.department_rename, department=Department)
    return f"Renamed to {d.name}.", f"dept-{d.pk}"


def _team_add(request, actor):
    t = _named(request, actor, organisations.team_create, department=Department)
    return f"{t.name} added to {t.department.name}.", f"team-{t.pk}"


def _team_rename(request, actor):
    t = _named(request, actor, organisations.team_rename, team=Team)
    return f"Renamed to {t.name}.", f"team-{t.pk}"


def _team_move(request, actor):
    t = organisations.team_move(
        team=_get(Team, request, "team"),
        department=_get(Department, request, "department"),
        actor=actor,
    )
    return f"{t.name} is now in {t.department}.", f"team-{t.pk}"


def _team_merge(request, actor):
    team = _get(Team, request, "team")
    name = team.name
    into = organisations.team_merge(team=team, into=_get(Team, request, "into"), actor=actor)
    return f"{name} is merged into {into.name}; its people moved with it.", f"team-{into.pk}"


def _team_delete(request, actor):
    team = _get(Team, request, "team")
    name = team.name
    organisations.team_delete(team=team, actor=actor)
    return f"{name} is removed from the directory.", f"dept-{team.department_id}"


def _people_link(request, actor):
    team = _get(Team, request, "team")
    linked = organisations.people_link_typed_team(
        typed_team=request.POST.get("typed_team", ""),
        typed_organisation=request.POST.get("typed_organisation", ""),
        team=team,
        actor=actor,
    )
    who = "person" if linked == 1 else "people"
    return f"{linked} {who} linked to {team.name}.", "unlinked"


ACTIONS = {
    "organisation_add": _organisation_add,
    "organisation_rename": _organisation_rename,
    "department_add": _department_add,
    "department_rename": _department_rename,
    "team_add": _team_add,
    "team_rename": _team_rename,
    "team_move": _team_move,
    "team_merge": _team_merge,
    "team_delete": _team_delete,
    "people_link": _people_link,
}


# The one "Merge teams" form: its fields, in order, and their labels.
MERGE_FIELDS = {"team": "Merge this team", "into": "into"}


@directory_editor_required
def directory(request):
    problem, merge_problem, status = "", None, 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        action = ACTIONS.get(name)
        if action is None:
            problem, status = "That change is not one this page makes.", 400
        else:
            try:
                done, anchor = action(request, request.user)
            except ServiceError as exc:
                status = 400
                if name == "team_merge" and exc.field in MERGE_FIELDS:
                    merge_problem = exc  # shown beside its field, the teams chosen kept
                else:
                    problem = exc.message
            else:
                messages.success(request, done)
                return redirect(f"{request.path}#{anchor}")
    tree = list(selectors.directory_tree())
    departments = [d for o in tree for d in o.departments.all()]
    return render(
        request,
        "accounts/directory.html",
        {
            "tree": tree,
            "departments": departments,
            "every_team": list(selectors.teams_for_choice()),
            "unlinked": selectors.unlinked_typed_teams(),
            "problem": problem,
            "merge_fields": [
                {
                    "key": key,
                    "label": label,
                    # Kept after a refusal; a team's "Merge … into another team" link
                    # (?team=) starts the form on that team.
                    "chosen": (request.POST if merge_problem else request.GET).get(key, ""),
                    "error": merge_problem.message
                    if merge_problem and merge_problem.field == key
                    else "",
                }
                for key, label in MERGE_FIELDS.items()
            ],
        },
        status=status,
    )
