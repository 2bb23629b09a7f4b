"""Forms for trainers: courses and their session plan, sessions, series, bookings.

Forms only check the shape of what was typed; the rules live in services.py, whose
ServiceErrors the views put back beside the field they name.
"""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from guildbook.accounts.selectors import people_with_permission
from guildbook.core.forms import BritishDateField
from guildbook.training.models import (
    AgendaItem,
    BookingQuestion,
    Course,
    CourseMaterial,
    Series,
    Session,
)
from guildbook.training.recurrence import ORDINALS, WEEKDAY_NAMES

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def trainer_choices():
    """People who may run training: the trainer role's permission, or administrators."""
    return people_with_permission("run_training")


class TrainerField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Trainers")
        super().__init__(queryset=trainer_choices(), **kwargs)

    def label_from_instance(self, obj):
        return obj.display_name


# --- Courses --------------------------------------------------------------------------


REQUIRED_FIELD_TEMPLATE = "training/manage/_field.html"


class MarksRequired:
    """Fields rendered with the word "required" beside the label of each required one (not
    only a sign), and `aria-required` on it where a formset leaves out `required`."""

    def mark_required(self):
        for field in self.fields.values():
            field.template_name = REQUIRED_FIELD_TEMPLATE
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["aria-required"] = "true"


class CourseForm(MarksRequired, forms.ModelForm):
    trainers = TrainerField(help_text="Who runs this course. Sessions can have their own.")

    class Meta:
        model = Course
        fields = [
            "title",
            "summary",
            "description",
            "learning_outcomes",
            "level",
            "duration_minutes",
            "audience",
            "category",
            "tags",
            "delivery",
            "visibility",
            "status",
            "default_capacity",
            "booking_opens_days",
            "booking_closes_hours",
            "interest_head_start_days",
            "late_cancellation_hours",
            "waiting_list_enabled",
            "waiting_list_mode",
            "trainers",
            "reminder_hours",
            "confirmation_note",
            "reminder_note",
        ]
        labels = {
            "duration_minutes": "Length in minutes",
            "default_capacity": "Places per session",
            "booking_opens_days": "Booking opens (days before)",
            "booking_closes_hours": "Booking closes (hours before)",
            "interest_head_start_days": "Head start for people waiting for a date (days)",
            "late_cancellation_hours": "Late cancellation (hours before)",
            "waiting_list_enabled": "Keep a waiting list when a session is full",
            "waiting_list_mode": "When a place comes free",
            "audience": "Who it is for",
            "reminder_hours": "Reminder (hours before)",
            "confirmation_note": "Your paragraph in the confirmation e-mail",
            "reminder_note": "Your paragraph in the reminder e-mail",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
            "waiting_list_mode": forms.RadioSelect,
            "confirmation_note": forms.Textarea(attrs={"rows": 3}),
            "reminder_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = "No category"
        # Blank means the usual two days, so forms and scripts that predate it still work.
        self.fields["reminder_hours"].required = False
        self.fields["interest_head_start_days"].required = False
        self.fields["waiting_list_mode"].required = False  # blank: automatic, as before
        if not self.instance.pk:
            self.fields["status"].widget = forms.HiddenInput()
        self.mark_required()

    def clean_waiting_list_mode(self):
        return self.cleaned_data.get("waiting_list_mode") or Course.WaitingListMode.AUTOMATIC

    def clean_reminder_hours(self):
        value = self.cleaned_data.get("reminder_hours")
        return Course._meta.get_field("reminder_hours").default if value is None else value

    def clean_interest_head_start_days(self):
        value = self.cleaned_data.get("interest_head_start_days")
        return (
            Course._meta.get_field("interest_head_start_days").default if value is None else value
        )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("trainers", None)
        return data


class PlanRowForm(MarksRequired, forms.ModelForm):
    """One row of a course's plan. Its position (ORDER) is a hidden field that the page's
    move buttons set: a row nobody filled in stays "unchanged", and so is left out, whatever
    position it was given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_required()

    def has_changed(self):
        return any(name != "ORDER" for name in self.changed_data)

    @property
    def title_value(self) -> str:
        """What the row is called in the page's announcements ("Moved “Introductions” up")."""
        name = "text" if "text" in self.fields else "title"
        return (self[name].value() or "").strip()


class AgendaItemForm(PlanRowForm):
    class Meta:
        model = AgendaItem
        fields = ["kind", "minutes", "title", "notes"]
        labels = {"kind": "Type", "minutes": "Minutes", "notes": "Notes for the trainer"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


QUESTION_FIELDS = ["text", "help_text", "kind", "choices", "required", "asks_if_new", "new_answer"]


class BookingQuestionForm(PlanRowForm):
    class Meta:
        model = BookingQuestion
        fields = QUESTION_FIELDS
        labels = {
            "text": "Question",
            "kind": "Answer type",
            "required": "An answer is needed",
            "asks_if_new": "This asks if they are new to the library",
            "new_answer": "The answer that means new",
        }
        help_texts = {
            "asks_if_new": "One question a course; insights counts the people who said new.",
            "new_answer": "Yes (the default) or no; or one of the choices, as written.",
        }
        widgets = {"choices": forms.Textarea(attrs={"rows": 2})}

    def _get_validation_exclusions(self):
        # The "new to the library?" rules (one a course, and its answer) are checked by
        # course_plan_set across all the rows at once, so a trainer can move the mark.
        return {*super()._get_validation_exclusions(), "asks_if_new"}


class CourseMaterialForm(PlanRowForm):
    url = forms.URLField(required=False, label="Link", assume_scheme="https")

    class Meta:
        model = CourseMaterial
        fields = ["title", "url", "file", "for_trainers_only"]
        labels = {"url": "Link", "for_trainers_only": "Only for trainers"}

    def clean(self):
        data = super().clean()
        wanted = not data.get("DELETE") and data.get("title")
        if wanted and not data.get("url") and not data.get("file"):
            self.add_error("url", "Give a link or upload a file.")
        return data


class PlanFormSet(forms.BaseInlineFormSet):
    """Rows in the order the trainer put them: positions are hidden fields, changed by the
    move buttons (on the server, or in the page by plan_rows.js), not typed."""

    ordering_widget = forms.HiddenInput

    def rows(self) -> list:
        """The forms in their order on the page: by position, then as they came."""
        pairs = sorted(
            enumerate(self.forms), key=lambda p: _position_key(p[1]["ORDER"].value(), p[0])
        )
        return [form for _, form in pairs]


def _position_key(position, index) -> tuple:
    """Rows by position; rows without one after them, as they came."""
    try:
        return (0, int(position), index)
    except (TypeError, ValueError):
        return (1, 0, index)


def _plan_formset(model, form, *, prefix_fields):
    return forms.inlineformset_factory(
        Course,
        model,
        form=form,
        formset=PlanFormSet,
        fields=prefix_fields,
        extra=0,
        can_delete=True,
        can_order=True,
    )


AgendaFormSet = _plan_formset(
    AgendaItem, AgendaItemForm, prefix_fields=["kind", "minutes", "title", "notes"]
)
QuestionFormSet = _plan_formset(
    BookingQuestion,
    BookingQuestionForm,
    prefix_fields=QUESTION_FIELDS,
)
MaterialFormSet = _plan_formset(
    CourseMaterial, CourseMaterialForm, prefix_fields=["title", "url", "file", "for_trainers_only"]
)

PLAN_FORMSETS = {
    # service argument: (formset class, prefix, fields passed on, heading)
    "agenda": (AgendaFormSet, "agenda", ("kind", "minutes", "title", "notes"), "Session plan"),
    "questions": (
        QuestionFormSet,
        "questions",
        tuple(QUESTION_FIELDS),
        "Booking questions",
    ),
    "materials": (
        MaterialFormSet,
        "materials",
        ("title", "url", "file", "for_trainers_only"),
        "Materials",
    ),
}


def plan_formsets(course: Course, data=None, files=None) -> dict:
    return {
        name: cls(data, files, instance=course, prefix=prefix)
        for name, (cls, prefix, _fields, _heading) in PLAN_FORMSETS.items()
    }


def plan_rows(name: str, formset) -> list[dict]:
    """The rows to keep, in the order the trainer gave, for services.course_plan_set."""
    fields = PLAN_FORMSETS[name][2]
    rows = []
    for form in formset.ordered_forms:
        row = {key: form.cleaned_data.get(key) for key in fields}
        if form.instance.pk:
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


def plan_row_move(data, name: str, index: int, direction: str) -> tuple[int, int] | None:
    """Move form `index` of a plan part one place up or down in `data` (a mutable copy of
    the POST), by giving every row its new position: what the page's move button does
    without scripts. Returns (its new position, the number of rows), or None when there is
    no such row or nowhere to move it."""
    prefix = PLAN_FORMSETS[name][1]
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    order = sorted(range(total), key=lambda i: _position_key(data.get(f"{prefix}-{i}-ORDER"), i))
    if index not in order or direction not in ("up", "down"):
        return None
    at = order.index(index)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(order):
        return None
    order[at], order[to] = order[to], order[at]
    for position, i in enumerate(order, start=1):
        data[f"{prefix}-{i}-ORDER"] = str(position)
    return to + 1, len(order)


def plan_row_add(data, name: str) -> int:
    """Add an empty row at the end of a plan part in `data` (the POST): what "Add another"
    does without scripts. Returns the new form's index."""
    prefix = PLAN_FORMSETS[name][1]
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return total


# --- Sessions and series --------------------------------------------------------------


def _aware(day, at):
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


SESSION_DETAILS = (
    "starts_at",
    "ends_at",
    "capacity",
    "venue",
    "online_link",
    "link_to_follow",
    "trainers",
)


class SessionForm(forms.Form):
    """A one-off session."""

    date = BritishDateField()
    start_time = forms.TimeField(label="Starts at", widget=TIME)
    end_time = forms.TimeField(
        label="Ends at", widget=TIME, required=False, help_text="Leave blank for the course length."
    )
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=10000)
    venue = forms.CharField(max_length=300, required=False, label="Venue")
    online_link = forms.URLField(
        required=False,
        label="Online link",
        help_text="Shown only to people with a place.",
        assume_scheme="https",
    )
    link_to_follow = forms.BooleanField(
        required=False,
        label="Link to follow",
        help_text="Online, and the joining link is not known yet.",
    )
    trainers = TrainerField()

    def __init__(self, *args, course: Course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)
        self.fields["capacity"].initial = course.default_capacity
        self.fields["trainers"].initial = list(course.trainers.all())

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time"):
            data["starts_at"] = _aware(data["date"], data["start_time"])
            if data.get("end_time"):
                data["ends_at"] = _aware(data["date"], data["end_time"])
                if data["ends_at"] <= data["starts_at"]:
                    self.add_error("end_time", "The session must end after it starts.")
            else:
                data["ends_at"] = data["starts_at"] + timedelta(minutes=self.course_length(data))
        return data

    def course_length(self, data) -> int:
        """Minutes a session lasts when no end is given."""
        return self.course.duration_minutes

    def session_details(self) -> dict:
        """The session as the form gives it, as keyword arguments for the services that
        schedule one (session_create, outreach_session_create): its times, places, where
        it is held and its trainers."""
        d = self.cleaned_data
        return {key: d[key] for key in SESSION_DETAILS}


WEEK_CHOICES = [(str(k), v) for k, v in ORDINALS.items()]
WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]


class SeriesForm(forms.Form):
    """A repeating pattern: weekly, every other week, monthly, the second Tuesday of every
    other month…"""

    frequency = forms.ChoiceField(
        label="Repeats", choices=Series.Frequency.choices, widget=forms.RadioSelect
    )
    interval = forms.IntegerField(
        label="Every how many weeks or months",
        min_value=1,
        max_value=12,
        initial=1,
        help_text="1 for every week or month, 2 for every other one.",
    )
    week_of_month = forms.TypedChoiceField(
        label="Which week of the month",
        choices=[("", "—"), *WEEK_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For monthly series: the second Tuesday, the last Friday…",
    )
    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAY_CHOICES, coerce=int)
    start_time = forms.TimeField(label="Starts at", widget=TIME)
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=5, max_value=24 * 60, required=False
    )
    starts_on = BritishDateField(label="First date on or after")
    ends_on = BritishDateField(label="Last date (optional)", required=False)
    generate_months_ahead = forms.IntegerField(
        label="Plan sessions this many months ahead", min_value=1, max_value=24, initial=6
    )
    capacity = forms.IntegerField(label="Places per session", min_value=1, max_value=10000)
    venue = forms.CharField(max_length=300, required=False)
    online_link = forms.URLField(required=False, label="Online link", assume_scheme="https")
    link_to_follow = forms.BooleanField(
        required=False,
        label="Link to follow",
        help_text="Online, and the joining link is not known yet.",
    )
    trainers = TrainerField()

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].initial = course.default_capacity
        self.fields["duration_minutes"].initial = course.duration_minutes
        self.fields["trainers"].initial = list(course.trainers.all())
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("frequency") == Series.Frequency.MONTHLY and not data.get("week_of_month"):
            self.add_error("week_of_month", "Choose which week of the month.")
        return data


class SessionEditForm(forms.Form):
    SCOPE_ONE = "one"
    SCOPE_FOLLOWING = "following"

    start_time = forms.TimeField(label="Starts at", widget=TIME)
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=5, max_value=24 * 60)
    venue = forms.CharField(max_length=300, required=False)
    online_link = forms.URLField(required=False, label="Online link", assume_scheme="https")
    link_to_follow = forms.BooleanField(
        required=False,
        label="Link to follow",
        help_text="Online, and the joining link is not known yet.",
    )
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=10000)
    trainers = TrainerField(
        help_text="Leave them all unticked and the course's trainers run it. They get the "
        "roster the day before."
    )
    scope = forms.ChoiceField(
        label="Change",
        choices=[
            (SCOPE_ONE, "Only this session"),
            (SCOPE_FOLLOWING, "This and all following sessions of the series"),
        ],
        initial=SCOPE_ONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, session: Session, **kwargs):
        local_start = timezone.localtime(session.starts_at)
        kwargs.setdefault(
            "initial",
            {
                "start_time": local_start.time().replace(second=0, microsecond=0),
                "duration_minutes": session.duration_minutes,
                "venue": session.venue,
                "online_link": session.online_link,
                "link_to_follow": session.link_to_follow,
                "capacity": session.capacity,
                "trainers": list(session.trainers.all()),
                "scope": self.SCOPE_ONE,
            },
        )
        super().__init__(*args, **kwargs)
        if not session.series_id:
            del self.fields["scope"]

    def changes(self) -> dict:
        fields = (
            "start_time",
            "duration_minutes",
            "venue",
            "online_link",
            "link_to_follow",
            "capacity",
            "trainers",
        )
        return {k: self.cleaned_data[k] for k in fields if k in self.changed_data}

    @property
    def following(self) -> bool:
        return self.cleaned_data.get("scope") == self.SCOPE_FOLLOWING


class RescheduleForm(forms.Form):
    date = BritishDateField(label="New date")
    start_time = forms.TimeField(label="Starts at", widget=TIME)
    end_time = forms.TimeField(label="Ends at", widget=TIME)

    def __init__(self, *args, session: Session, **kwargs):
        s, e = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        kwargs.setdefault(
            "initial", {"date": s.date(), "start_time": s.time(), "end_time": e.time()}
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time") and data.get("end_time"):
            data["starts_at"] = _aware(data["date"], data["start_time"])
            data["ends_at"] = _aware(data["date"], data["end_time"])
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end_time", "The session must end after it starts.")
        return data


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from guildbook.core.timefmt import format_span

        places = f"{obj.places_left} of {obj.capacity} places left" if obj.places_left else "full"
        return f"{format_span(obj.starts_at, obj.ends_at)} ({places})"


def other_sessions(session: Session):
    """Future, scheduled sessions of the same course that people could move to."""
    return Session.objects.filter(
        course_id=session.course_id,
        status=Session.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
    ).exclude(pk=session.pk)


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason (told to the people booked)",
        help_text="For example: the trainer is ill.",
    )
    move_to = SessionChoiceField(
        queryset=Session.objects.none(),
        required=False,
        label="Move the bookings to",
        empty_label="Do not move them: end their bookings",
        help_text="People with places move first, in booking order, then the waiting list "
        "in its order. They get places while there are some, then join the waiting list.",
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = other_sessions(session).order_by("starts_at", "id")


# --- Bookings -------------------------------------------------------------------------


class AddPersonForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    name = forms.CharField(
        max_length=150, required=False, label="Name", help_text="Only needed for someone new."
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=10000)


class MoveBookingForm(forms.Form):
    to_session = SessionChoiceField(
        queryset=Session.objects.none(),
        label="Move to",
        error_messages={"required": "Choose the date to move them to."},
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_session"].queryset = other_sessions(session).order_by("starts_at", "id")
