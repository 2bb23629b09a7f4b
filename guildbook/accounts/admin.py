"""The administration site for people. A person's details, access, roles and team are
saved through the accounts services, so the same checks and audit entries happen as on
every other path (deactivation is audited, stops their e-mail and releases their places to
come; the page says how many)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect

from guildbook.accounts import hooks, organisations, services
from guildbook.accounts.models import (
    ApiToken,
    Department,
    Organisation,
    Team,
    User,
)
from guildbook.core.admin import ServiceRefusalsShown


@admin.register(User)
class UserAdmin(ServiceRefusalsShown, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "team", "organisation", "is_staff", "is_active"]
    search_fields = ["email", "name", "team", "organisation"]
    list_filter = ["is_staff", "is_active", "awaiting_first_sign_in", "groups"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "job_title", "team", "organisation", "directory_team"]}),
        (
            "Roles",
            {
                "fields": [
                    "is_active",
                    "awaiting_first_sign_in",
                    "is_staff",
                    "is_superuser",
                    "groups",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})
    ]
    filter_horizontal = ["groups", "user_permissions"]
    autocomplete_fields = ["directory_team"]
    actions = ["erase"]

    @admin.action(description="Erase the selected person (asks to confirm)")
    def erase(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Erase one person at a time.", level="error")
            return None
        return redirect("accounts:erase", queryset.get().pk)

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        if not change:
            created = services.user_create(
                email=d["email"],
                name=d.get("name") or "",
                password=d.get("password1") or None,
                actor=request.user,
            )
            obj.pk, obj._state.adding = created.pk, False
            obj.refresh_from_db()
            return
        user = User.objects.get(pk=obj.pk)
        fields = {k: d[k] for k in form.changed_data if k in services.USER_FIELDS}
        if fields:
            user = services.user_update(user=user, actor=request.user, **fields)
            if hasattr(user, "released"):
                self.message_user(request, _deactivated_words(user), fail_silently=True)
        if "directory_team" in form.changed_data:
            organisations.user_set_team(user=user, team=d["directory_team"], actor=request.user)

    def save_related(self, request, form, formsets, change):
        # Groups (roles) through the service; other many-to-many fields as the form has them.
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is not None and "groups" in form.changed_data:
            services.user_groups_set(user=form.instance, groups=groups, actor=request.user)


def _deactivated_words(user: User) -> str:
    """What deactivating `user` released, for the page that did it."""
    released = hooks.released_words(user.released)
    return f"{user.display_name} is deactivated: {released or 'nothing to come was held'}."


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["user__email", "name", "prefix"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name", "organisation__name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    search_fields = ["name", "department__name", "department__organisation__name"]
