"""The administration site for follow-up surveys.

Templates change through the same services as the trainers' editor, so the admin cannot
edit a version that people have answered: the title and introduction save through
`template_update` (which makes a new version when needed), questions are shown read-only
with a link to the editor, and archiving and copying are actions that call the services.
Moments, invitations and responses are read-only here.

Anonymous responses show nothing that leads back to a person: no invitation, booking,
name or time; only the moment, session and version they answer, and the answers.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guildbook.core.admin import ReadOnlyMixin
from guildbook.core.errors import ServiceError
from guildbook.surveys import services
from guildbook.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)


class QuestionInline(ReadOnlyMixin, admin.TabularInline):
    model = Question
    fk_name = "template"
    fields = ["position", "text", "kind", "required", "is_impact", "condition", "answers"]
    readonly_fields = fields
    ordering = ["position"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("show_if_question", "show_if_choice")
            .prefetch_related("choices")
        )

    @admin.display(description=_("shown if"))
    def condition(self, obj):
        if not obj.show_if_question_id:
            return "—"
        return f"{obj.show_if_question.position}: {obj.show_if_choice.label}"

    @admin.display(description=_("answers to choose from"))
    def answers(self, obj):
        return "; ".join(c.label + (" ✓" if c.counts_as_impact else "") for c in obj.choices.all())


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "version",
        "is_current",
        "is_default",
        "archived",
        "question_count",
        "response_count",
    ]
    list_filter = ["is_current", "is_default", "archived"]
    search_fields = ["title"]
    readonly_fields = [
        "editor_link",
        "family",
        "version",
        "is_current",
        "is_default",
        "archived",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = ["title", "intro", *readonly_fields]
    inlines = [QuestionInline]
    actions = ["duplicate", "archive", "restore"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_questions=Count("questions", distinct=True),
                n_responses=Count("responses", distinct=True),
            )
        )

    @admin.display(description=_("questions"), ordering="n_questions")
    def question_count(self, obj):
        return obj.n_questions

    @admin.display(description=_("responses"), ordering="n_responses")
    def response_count(self, obj):
        return obj.n_responses

    @admin.display(description=_("questions are edited in"))
    def editor_link(self, obj):
        if not obj.pk:
            return _("the template editor, once the template is saved")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("surveys:manage_template", args=[obj.family]),
            _("the template editor"),
        )

    def has_change_permission(self, request, obj=None):
        # Only the current version changes; earlier ones are what people answered.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: answers and moments refer to templates

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.template_update(
                    template=obj, title=obj.title, intro=obj.intro, actor=request.user
                )
            else:
                saved = services.template_create(
                    title=obj.title, intro=obj.intro, actor=request.user
                )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        if change and saved.pk != obj.pk:
            self.message_user(
                request,
                _("People had answered version %(old)d, so this made version %(new)d.")
                % {"old": obj.version, "new": saved.version},
                messages.INFO,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    @admin.action(description=_("Make a copy of the selected templates"))
    def duplicate(self, request, queryset):
        for template in queryset.filter(is_current=True):
            services.template_duplicate(template=template, actor=request.user)
        self.message_user(request, _("Copies made."), messages.SUCCESS)

    @admin.action(description=_("Archive the selected templates"))
    def archive(self, request, queryset):
        for template in queryset.filter(is_current=True):
            try:
                services.template_archive(template=template, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, f"{template}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Bring the selected templates back from the archive"))
    def restore(self, request, queryset):
        for template in queryset.filter(is_current=True):
            services.template_restore(template=template, actor=request.user)


class ChoiceInline(ReadOnlyMixin, admin.TabularInline):
    model = Choice
    fields = ["position", "label", "counts_as_impact"]
    readonly_fields = fields
    extra = 0


@admin.register(Question)
class QuestionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: questions change in the template editor, which keeps answered versions."""

    list_display = ["text", "template", "position", "kind", "is_impact"]
    list_select_related = ["template"]
    search_fields = ["text", "template__title"]
    inlines = [ChoiceInline]

    def get_model_perms(self, request):
        return {}  # reached from a template, not listed on the admin's front page


@admin.register(SurveyMoment)
class SurveyMomentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: trainers change a course's survey moments on the course's pages."""

    list_display = [
        "course",
        "name",
        "template",
        "days_after",
        "reminder_after_days",
        "closes_after_days",
        "anonymous",
        "active",
    ]
    list_filter = ["anonymous", "active", "course"]
    list_select_related = ["course", "template"]
    search_fields = ["course__title", "name"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only. Shows whether an invitation was answered, never the answers (for an
    anonymous moment nothing joins the two)."""

    list_display = ["booking", "moment", "session", "status", "due_at", "closes_at", "answered"]
    list_filter = ["status", "moment__course"]
    list_select_related = ["booking__person", "moment__course", "session__course"]
    search_fields = ["booking__person__email", "booking__person__name"]
    # The key the links are signed over stays out of sight.
    exclude = ["key"]

    @admin.display(description=_("answered"), boolean=True)
    def answered(self, obj):
        return obj.answered_at is not None


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    fields = ["question", "choice", "number", "text"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "choice")


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only. A named response shows who answered and when; an anonymous one shows
    neither, and offers no link, filter or search that could lead to the person."""

    list_display = ["moment", "session", "template", "respondent"]
    list_filter = ["moment__course"]
    list_select_related = ["moment__course", "session__course", "template"]
    inlines = [AnswerInline]
    ordering = ["session", "id"]

    def get_fields(self, request, obj=None):
        fields = ["moment", "session", "template", "respondent"]
        if obj is not None and not obj.anonymous:
            fields.append("submitted_at")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("who answered"))
    def respondent(self, obj):
        if obj.anonymous:
            return _("Anonymous")
        return obj.invitation.booking.person.display_name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invitation__booking__person")
