from django.contrib import admin, messages

from guildbook.notifications.models import DeliveryAttempt, OutboxMessage
from guildbook.notifications.services import outbox_retry


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "worker", "claimed_at", "finished_at", "outcome", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "address_shown",
        "status",
        "due_at",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "due_at"]
    search_fields = ["to_address", "recipient__email", "dedupe_key", "subject"]
    date_hierarchy = "due_at"
    list_select_related = ["recipient"]
    actions = ["retry"]
    inlines = [DeliveryAttemptInline]
    readonly_fields = [
        "kind",
        "content_type",
        "object_id",
        "recipient",
        "to_address",
        "dedupe_key",
        "context",
        "due_at",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "claimed_by",
        "last_error",
        "subject",
        "sent_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # messages are queued by the services that make them due

    @admin.display(description="to")
    def address_shown(self, obj):
        return obj.address

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    # Only for people who may change the outbox: seeing it is not enough to send again.
    @admin.action(description="Send again (failed or pending messages)", permissions=["change"])
    def retry(self, request, queryset):
        count = outbox_retry(messages=queryset, actor=request.user)
        self.message_user(
            request,
            f"{count} message{'s' if count != 1 else ''} will be sent again by the worker.",
            messages.SUCCESS,
        )
