"""The audit trail in the admin: read-only, filtered by action, kind of thing, who and when;
and what every app's admin shares: a service's refusal shown as the admin's error."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseRedirect

from guildbook.core.errors import ServiceError
from guildbook.core.models import AuditEntry


class SubjectTypeFilter(admin.SimpleListFilter):
    title = "about"
    parameter_name = "about"

    def lookups(self, request, model_admin):
        used = AuditEntry.objects.values_list("content_type", flat=True).distinct()
        return [(ct.pk, ct.name) for ct in ContentType.objects.filter(pk__in=used)]

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


class PersonFilter(admin.SimpleListFilter):
    """Everything done by or to one person: pick them by id from a person's page link
    (`?person=ID`), so the filter needs no list of everyone."""

    title = "person"
    parameter_name = "person"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            person = get_user_model().objects.filter(pk=value).first()
            if person:
                return [(value, str(person))]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        if not (value and value.isdigit()):
            return queryset
        user_type = ContentType.objects.get_for_model(get_user_model())
        return queryset.filter(actor_id=value) | queryset.filter(
            content_type=user_type, object_id=value
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "content_type", "object_id", "data"]
    list_filter = ["action", SubjectTypeFilter, PersonFilter, "at"]
    date_hierarchy = "at"
    search_fields = ["action", "actor__email", "actor__name", "=object_id"]
    list_select_related = ["actor", "content_type"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceRefusalsShown:
    """A refusal a service makes while saving (after the form's own checks passed, such as
    a change made meanwhile by someone else) is shown as the admin's error message, with
    nothing saved, rather than a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:  # the admin's transaction has rolled back
            self.message_user(request, f"Nothing was saved: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
