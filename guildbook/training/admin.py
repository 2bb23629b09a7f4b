"""The administration site for the training offer.

Content (courses, their plans and questions, categories) is edited here directly. Anything
that touches places — capacity, cancelling, bookings — goes through the services, so the
admin cannot break the capacity and waiting-list guarantees: bookings are read-only, and
sessions change through actions that call the same functions as the trainer pages.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.training import messages as training_messages
from guildbook.training import services
from guildbook.training.models import (
    AgendaItem,
    Booking,
    BookingQuestion,
    Category,
    Course,
    CourseMaterial,
    Series,
    Session,
)


class TrainersThroughService:
    """Trainers are saved by the service, not by the form: it queues the roster for each new
    trainer and voids it for anyone taken off, in the admin's transaction."""

    def save_related(self, request, form, formsets, change):
        trainers = form.cleaned_data.pop("trainers", None)
        super().save_related(request, form, formsets, change)
        if trainers is not None:
            self.set_trainers(form.instance, trainers, request.user)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "course_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_courses=Count("courses"))

    @admin.display(description="courses", ordering="n_courses")
    def course_count(self, obj):
        return obj.n_courses


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 1
    fields = ["order", "kind", "minutes", "title", "notes"]
    verbose_name = "session plan item"
    verbose_name_plural = "session plan (shown to trainers)"


class BookingQuestionInline(admin.TabularInline):
    model = BookingQuestion
    extra = 1
    fields = ["order", "text", "help_text", "kind", "choices", "required"]


class CourseMaterialInline(admin.TabularInline):
    model = CourseMaterial
    extra = 1
    fields = ["order", "title", "url", "file", "for_trainers_only"]


class CourseAdminForm(forms.ModelForm):
    """The course service's own check on the trainer's paragraphs, shown beside the field
    (the service would refuse them too)."""

    class Meta:
        model = Course
        fields = [*sorted(services.COURSE_FIELDS), "trainers"]

    def clean(self):
        data = super().clean()
        for field in ("confirmation_note", "reminder_note"):
            wrong = training_messages.note_mistakes(data.get(field) or "")
            if wrong:
                self.add_error(field, f"“{wrong[0]}” is not something Guildbook can fill in.")
        return data


@admin.register(Course)
class CourseAdmin(TrainersThroughService, admin.ModelAdmin):
    list_display = ["title", "category", "level", "delivery", "visibility", "status"]
    list_filter = ["status", "visibility", "level", "delivery", "category"]
    search_fields = ["title", "summary", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["trainers"]
    readonly_fields = ["invitation_token", "created_at", "updated_at"]
    list_select_related = ["category"]
    inlines = [AgendaItemInline, BookingQuestionInline, CourseMaterialInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "learning_outcomes"]}),
        (
            "Catalogue",
            {"fields": ["level", "duration_minutes", "audience", "category", "tags", "delivery"]},
        ),
        ("Who can see it", {"fields": ["visibility", "invitation_token", "status"]}),
        (
            "Booking rules",
            {
                "fields": [
                    "default_capacity",
                    "booking_opens_days",
                    "booking_closes_hours",
                    "interest_head_start_days",
                    "late_cancellation_hours",
                    "waiting_list_enabled",
                    "waiting_list_mode",
                ]
            },
        ),
        ("Messages", {"fields": ["reminder_hours", "confirmation_note", "reminder_note"]}),
        ("Trainers", {"fields": ["trainers"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    form = CourseAdminForm

    def save_model(self, request, obj, form, change):
        """Through course_create / course_update, as the trainer pages save a course: a new
        reminder time moves the reminders, a new booking window moves "tell me when booking
        opens", and the checks are the same. Trainers follow in save_related."""
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.COURSE_FIELDS
        }
        if change:
            course = Course.objects.get(pk=obj.pk)
            services.course_update(course=course, actor=request.user, **fields)
        else:
            fields = {
                name: value
                for name, value in form.cleaned_data.items()
                if name in services.COURSE_FIELDS
            }
            course = services.course_create(actor=request.user, **fields)
            obj.pk = course.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def set_trainers(self, course, trainers, actor):
        services.course_trainers_set(course=course, trainers=trainers, actor=actor)


class SessionInline(admin.TabularInline):
    """The series' sessions, to read; they change on the trainer pages."""

    model = Session
    extra = 0
    can_delete = False
    fields = ["starts_at", "ends_at", "venue", "capacity", "places_taken", "status", "detached"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["course", "description", "starts_on", "ends_on", "capacity"]
    list_filter = ["frequency", "course"]
    search_fields = ["course__title"]
    list_select_related = ["course"]
    readonly_fields = [
        "course",
        "frequency",
        "interval",
        "weekday",
        "week_of_month",
        "start_time",
        "duration_minutes",
        "starts_on",
        "capacity",
        "created_by",
        "created_at",
    ]
    fields = [*readonly_fields, "ends_on", "generate_months_ahead"]
    inlines = [SessionInline]
    actions = ["extend"]

    def has_add_permission(self, request):
        return False  # series are set up on the course's trainer page

    @admin.display(description="pattern")
    def description(self, obj):
        return obj.describe()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="series_updated",
            subject=obj,
            fields=sorted(form.changed_data),
            via="admin",
        )

    @admin.action(description="Schedule sessions up to each series' horizon")
    def extend(self, request, queryset):
        total = sum(len(services.series_extend(series=s, actor=request.user)) for s in queryset)
        self.message_user(request, f"{total} sessions scheduled.", messages.SUCCESS)


PLACE_FIELDS = ("venue", "online_link")


@admin.register(Session)
class SessionAdmin(TrainersThroughService, admin.ModelAdmin):
    list_display = [
        "course",
        "starts_at",
        "venue",
        "places",
        "waiting",
        "status",
    ]
    list_filter = ["status", ("starts_at", admin.DateFieldListFilter), "course"]
    search_fields = ["course__title", "venue"]
    date_hierarchy = "starts_at"
    list_select_related = ["course"]
    filter_horizontal = ["trainers"]
    actions = ["cancel_sessions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_waiting=Count("bookings", filter=Q(bookings__status="waiting")))
        )

    def get_readonly_fields(self, request, obj=None):
        # Times, capacity and status change through the services (trainer pages), which keep
        # places, the waiting list and people's messages right.
        locked = ["places_taken", "status", "cancelled_at", "cancellation_reason", "series"]
        if obj is not None:
            locked += ["course", "starts_at", "ends_at", "capacity", "detached"]
        return locked

    @admin.display(description="places taken")
    def places(self, obj):
        return f"{obj.places_taken} of {obj.capacity}"

    @admin.display(description="waiting", ordering="n_waiting")
    def waiting(self, obj):
        return obj.n_waiting

    def save_model(self, request, obj, form, change):
        if change:
            # A new venue or link goes through the service, which tells the people with a
            # place; trainers are saved in save_related. Only the other fields saved here.
            place = {k: form.cleaned_data[k] for k in PLACE_FIELDS if k in form.changed_data}
            if place:
                services.session_update(
                    session=Session.objects.get(pk=obj.pk), actor=request.user, **place
                )
            rest = [k for k in form.changed_data if k not in PLACE_FIELDS and k != "trainers"]
            if rest:
                obj.save(update_fields=[*rest, "updated_at"])
                audit_record(
                    actor=request.user,
                    action="session_updated",
                    subject=obj,
                    changes={k: str(form.cleaned_data.get(k)) for k in rest},
                    via="admin",
                )
            return
        d = form.cleaned_data
        created = services.session_create(
            course=d["course"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            capacity=d["capacity"],
            venue=d.get("venue", ""),
            online_link=d.get("online_link", ""),
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.places_taken = created.places_taken
        obj.created_at = created.created_at

    def set_trainers(self, session, trainers, actor):
        services.session_trainers_set(session=session, trainers=trainers, actor=actor)

    @admin.action(description="Cancel the selected sessions (their bookings end)")
    def cancel_sessions(self, request, queryset):
        done = 0
        for session in queryset.filter(status=Session.Status.SCHEDULED):
            try:
                services.session_cancel(session=session, actor=request.user, reason="")
            except ServiceError as exc:
                self.message_user(request, f"{session}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} sessions cancelled.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: bookings and the training record refer to sessions


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: places change through the booking services only."""

    list_display = [
        "person",
        "session",
        "status",
        "attendance",
        "late_cancellation",
        "created_at",
    ]
    list_filter = [
        "status",
        "attendance",
        "ending",
        "late_cancellation",
        "arrived_late",
        "session__course",
    ]
    search_fields = ["person__email", "person__name", "session__course__title"]
    list_select_related = ["person", "session__course"]
    date_hierarchy = "created_at"
    actions = ["remove_bookings"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Booking._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Remove the selected people from their sessions")
    def remove_bookings(self, request, queryset):
        done = 0
        for booking in queryset.filter(status__in=Booking.ACTIVE):
            try:
                services.booking_remove(booking=booking, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, f"{booking}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} bookings removed.", messages.SUCCESS)
