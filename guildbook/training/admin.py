"""The administration site for the training offer.

Every save goes through the training services, as the trainer pages' do, so the admin keeps
the same rules, audit entries and messages: a course and its plan (agenda, booking
questions, materials) through the course services; a session's new time, place or capacity
through `session_change` (people are told, reminders and survey invitations move, capacity
never drops below the places taken); a series' end and horizon through `series_update`.
Bookings are read-only, and sessions are cancelled by an action that calls the service. A
refusal is shown beside its field, or (for a change made meanwhile) as the admin's error.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q

from guildbook.core.admin import ServiceRefusalsShown
from guildbook.core.errors import ServiceError
from guildbook.core.forms import show_error
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


def _check_changes(form, data: dict, editable, check) -> None:
    """Check the fields of `editable` that the form changed with the service's `check`, as
    the service will when saving them; a refusal goes beside the field it names (or at the
    top of the form). Before _post_clean, form.instance still holds the stored values."""
    changes = {k: data.get(k) for k in editable if k in form.changed_data}
    try:
        check(form.instance, **changes)
    except ServiceError as exc:
        show_error(form, exc)


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


class PlanInlineFormSet(forms.BaseInlineFormSet):
    """A part of the course's plan, checked row by row as `course_plan_set` checks it, and
    saved by that service (in CourseAdmin.save_related), not by the formset."""

    part = ""  # agenda, questions or materials

    def clean(self):
        super().clean()
        for position, form in enumerate(self.kept_forms(), start=1):
            try:
                services.course_plan_row_check(self.part, form.instance, position)
            except ServiceError as exc:
                form.add_error(None, exc.message)

    def kept_forms(self) -> list:
        """The rows to keep, in the order the administrator gave (then as listed)."""
        kept = [
            f
            for f in self.forms
            if hasattr(f, "cleaned_data")
            and not f.cleaned_data.get("DELETE")
            and (f.instance.pk or f.has_changed())
        ]
        # A new row's order is 0 unless one was typed: it goes last.
        return sorted(kept, key=lambda f: f.cleaned_data.get("order") or float("inf"))

    def plan_rows(self) -> list[dict]:
        fields = services.PLAN_PARTS[self.part][1]
        rows = []
        for form in self.kept_forms():
            row = {key: form.cleaned_data.get(key) for key in fields}
            if form.instance.pk:
                row["id"] = form.instance.pk
            rows.append(row)
        return rows

    def save(self, commit=True):
        # The course service writes the rows; the admin's change message reads these.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


def _plan_formset(part: str):
    return type(f"{part.title()}FormSet", (PlanInlineFormSet,), {"part": part})


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    formset = _plan_formset("agenda")
    extra = 1
    fields = ["order", "kind", "minutes", "title", "notes"]
    verbose_name = "session plan item"
    verbose_name_plural = "session plan (shown to trainers)"


class BookingQuestionInline(admin.TabularInline):
    model = BookingQuestion
    formset = _plan_formset("questions")
    extra = 1
    fields = ["order", "text", "help_text", "kind", "choices", "required"]


class CourseMaterialInline(admin.TabularInline):
    model = CourseMaterial
    formset = _plan_formset("materials")
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
class CourseAdmin(ServiceRefusalsShown, TrainersThroughService, admin.ModelAdmin):
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

    def save_related(self, request, form, formsets, change):
        """The plan's parts that changed, through `course_plan_set` in one call (one
        transaction, one audit entry), after the course and its trainers."""
        super().save_related(request, form, formsets, change)
        plan = {
            fs.part: fs.plan_rows()
            for fs in formsets
            if isinstance(fs, PlanInlineFormSet) and fs.has_changed()
        }
        if plan:
            course = Course.objects.get(pk=form.instance.pk)
            services.course_plan_set(course=course, actor=request.user, **plan)


class SessionInline(admin.TabularInline):
    """The series' sessions, to read; each changes on its own page (or the trainer pages)."""

    model = Session
    extra = 0
    can_delete = False
    fields = ["starts_at", "ends_at", "venue", "capacity", "places_taken", "status", "detached"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing here is saved: the series' form writes through series_update


class SeriesAdminForm(forms.ModelForm):
    """Checks a change as `series_update` will, beside the field at fault."""

    def clean(self):
        data = super().clean()
        if not self.errors:
            _check_changes(self, data, services.SERIES_EDITABLE, services.series_update_check)
        return data


@admin.register(Series)
class SeriesAdmin(ServiceRefusalsShown, admin.ModelAdmin):
    form = SeriesAdminForm
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
    fields = [*readonly_fields, *services.SERIES_EDITABLE]
    inlines = [SessionInline]
    actions = ["extend"]

    def has_add_permission(self, request):
        return False  # series are set up on the course's trainer page

    @admin.display(description="pattern")
    def description(self, obj):
        return obj.describe()

    def save_model(self, request, obj, form, change):
        changes = {
            k: form.cleaned_data[k] for k in services.SERIES_EDITABLE if k in form.changed_data
        }
        if changes:
            services.series_update(
                series=Series.objects.get(pk=obj.pk), actor=request.user, **changes
            )
        obj.refresh_from_db()

    @admin.action(description="Schedule sessions up to each series' horizon")
    def extend(self, request, queryset):
        total = sum(len(services.series_extend(series=s, actor=request.user)) for s in queryset)
        self.message_user(request, f"{total} sessions scheduled.", messages.SUCCESS)


# What the session admin may change, each through `session_change`.
SESSION_CHANGES = ("starts_at", "ends_at", "venue", "online_link", "link_to_follow", "capacity")


class SessionAdminForm(forms.ModelForm):
    """Checks a change as `session_change` will, beside the field at fault."""

    def clean(self):
        data = super().clean()
        if self.instance.pk and not self.errors:
            _check_changes(self, data, SESSION_CHANGES, services.session_change_check)
        return data


@admin.register(Session)
class SessionAdmin(ServiceRefusalsShown, TrainersThroughService, admin.ModelAdmin):
    form = SessionAdminForm
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
        # Status changes by the cancel action; the rest is kept by the services.
        locked = [
            "places_taken",
            "status",
            "cancelled_at",
            "cancellation_reason",
            "series",
            "detached",
            "register_closed_at",
        ]
        if obj is not None:
            locked.append("course")
            if obj.is_cancelled:  # a cancelled session stays as it was
                locked += [*SESSION_CHANGES, "trainers"]
        return locked

    @admin.display(description="places taken")
    def places(self, obj):
        return f"{obj.places_taken} of {obj.capacity}"

    @admin.display(description="waiting", ordering="n_waiting")
    def waiting(self, obj):
        return obj.n_waiting

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        if change:
            # Through the service, as the trainer pages: a new time tells people and moves
            # their reminders and survey invitations, a new place tells people with a place,
            # capacity never drops below the places taken. Trainers follow in save_related.
            changes = {k: d[k] for k in SESSION_CHANGES if k in form.changed_data}
            if changes:
                services.session_change(
                    session=Session.objects.get(pk=obj.pk), actor=request.user, **changes
                )
            obj.refresh_from_db()
            return
        created = services.session_create(
            course=d["course"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            capacity=d["capacity"],
            venue=d.get("venue", ""),
            online_link=d.get("online_link", ""),
            link_to_follow=d.get("link_to_follow", False),
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

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
