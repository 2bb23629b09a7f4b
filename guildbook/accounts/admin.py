from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect

from guildbook.accounts.models import (
    ApiToken,
    Department,
    Organisation,
    Team,
    User,
    record_address,
)
from guildbook.accounts.services import user_deactivate


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if not change:
            record_address(obj)
        if deactivating:
            # Deactivated on purpose: not to be reactivated by a sign-in, and audited.
            user_deactivate(user=obj, actor=request.user)


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
