"""The admin: frameworks (read-mostly: load them from files), courses' skills areas, and a
read-only view of evidence for support. Writes go through the services where they matter."""

from django.contrib import admin

from guildbook.portfolios import services
from guildbook.portfolios.models import CourseSkillsArea, Evidence, SkillsArea, SkillsFramework


class SkillsAreaInline(admin.TabularInline):
    model = SkillsArea
    extra = 0
    fields = ["position", "code", "name"]
    readonly_fields = fields
    can_delete = False


@admin.register(SkillsFramework)
class SkillsFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "slug"]
    readonly_fields = ["slug", "name", "version", "description", "labels"]
    inlines = [SkillsAreaInline]

    def has_add_permission(self, request):
        # Frameworks come from data files: `guildbook import_framework FILE`.
        return False


@admin.register(CourseSkillsArea)
class CourseSkillsAreaAdmin(admin.ModelAdmin):
    list_display = ["course", "area"]
    list_select_related = ["course", "area"]
    autocomplete_fields = ["course"]
    list_filter = ["area"]

    def save_model(self, request, obj, form, change):
        areas = [*SkillsArea.objects.filter(course_links__course=obj.course), obj.area]
        services.course_areas_set(course=obj.course, areas=set(areas), actor=request.user)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["person", "number", "kind", "title", "date", "is_draft"]
    list_select_related = ["person"]
    search_fields = ["title", "person__email"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
