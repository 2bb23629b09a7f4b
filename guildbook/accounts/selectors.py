"""Reads about people for a page: the organisation directory as a tree, the people whose
typed team is not yet linked to one of its teams, and the people who hold a permission."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from guildbook.accounts.models import Department, Organisation, Team, User


def directory_tree():
    """Organisations with their departments and teams (each with `people`, how many are
    linked to it), in name order, in three queries whatever the directory's size."""
    teams = Team.objects.annotate(people_count=Count("people")).order_by("name")
    departments = Department.objects.order_by("name").prefetch_related(
        Prefetch("teams", queryset=teams)
    )
    return Organisation.objects.order_by("name").prefetch_related(
        Prefetch("departments", queryset=departments)
    )


def teams_for_choice():
    """Every team with its department and organisation, for a list to choose from."""
    return Team.objects.select_related("department__organisation").order_by(
        "department__organisation__name", "department__name", "name"
    )


def unlinked_typed_teams(*, limit: int = 200) -> list[dict]:
    """The teams people typed that are not linked to the directory: each typed team and
    organisation, with how many people typed it, most people first."""
    return list(
        User.objects.filter(directory_team__isnull=True)
        .exclude(team="")
        .values("team", "organisation")
        .annotate(people=Count("id"))
        .order_by("-people", "team", "organisation")[:limit]
    )


def people_with_permission(codename: str):
    """Active people who hold the permission `codename` through a role, directly, or as a
    superuser, by name: for a list to choose them from (trainers, outreach staff)."""
    return (
        User.objects.filter(
            Q(groups__permissions__codename=codename)
            | Q(user_permissions__codename=codename)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("name", "email")
    )
