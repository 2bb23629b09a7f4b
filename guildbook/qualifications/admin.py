"""Admin: schemes are read-only here (they come from files) with an upload page that calls
the same loader as `guildbook import_scheme`; the rest is for looking things up."""

from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from guildbook.core.admin import ReadOnlyMixin
from guildbook.core.errors import ServiceError
from guildbook.qualifications import forms, models
from guildbook.qualifications.schemes import scheme_import


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class CriterionInline(ReadOnlyInline):
    model = models.Criterion
    fields = ["code", "title"]


class SectionInline(ReadOnlyInline):
    model = models.Section
    fields = ["code", "title", "required", "word_limit", "page_limit", "source"]


class StepInline(ReadOnlyInline):
    model = models.JourneyStep
    fields = ["code", "title", "due_share"]


@admin.register(models.Scheme)
class SchemeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "version", "slug", "enrolment_fee", "submission_fee", "open"]
    list_filter = ["code", "open"]
    inlines = [CriterionInline, SectionInline, StepInline]
    change_list_template = "admin/qualifications/scheme/change_list.html"

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload),
                name="qualifications_scheme_upload",
            ),
            *super().get_urls(),
        ]

    def upload(self, request):
        if not request.user.has_perm("qualifications.manage_schemes"):
            return redirect("admin:qualifications_scheme_changelist")
        form = forms.SchemeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8")
                result = scheme_import(text=text, name=upload.name, actor=request.user)
            except UnicodeDecodeError:
                form.add_error("file", f"{upload.name}: not a UTF-8 text file.")
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, result.message)
                return redirect("admin:qualifications_scheme_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Upload a scheme",
        }
        return render(request, "admin/qualifications/scheme/upload.html", context)


@admin.register(models.Candidacy)
class CandidacyAdmin(admin.ModelAdmin):
    list_display = ["person", "scheme", "status", "started_on", "target_date"]
    list_filter = ["status", "scheme"]
    search_fields = ["person__email", "person__name"]
    readonly_fields = ["person", "scheme", "status", "withdrawn_at", "started_on"]

    def has_add_permission(self, request):
        # A candidacy starts through candidacy_start, which also makes its plan.
        return False


@admin.register(models.MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "sector", "region", "remote", "capacity", "mentees", "listed"]
    list_filter = ["sector", "region", "remote", "listed"]
    search_fields = ["user__email", "user__name"]
    readonly_fields = ["user", "mentees"]


@admin.register(models.FundingRequest)
class FundingRequestAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "fee", "amount", "status", "team", "created_at"]
    list_filter = ["status", "fee"]
    readonly_fields = ["candidacy", "fee", "amount", "status", "decided_by", "decided_at"]
