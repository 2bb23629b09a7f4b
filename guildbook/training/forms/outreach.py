"""Forms for the outreach log: an entry, a follow-up, and a closed session for the entry's
team. They check the shape of what was typed; the rules live in services/outreach.py."""

from django import forms

from guildbook.accounts.models import Team, User
from guildbook.accounts.selectors import people_with_permission
from guildbook.core.forms import BritishDateField
from guildbook.training.forms.manage import SessionForm
from guildbook.training.models import Course, OutreachEntry


def staff_choices():
    """People who go out on outreach: those who may log it (trainers, staff development
    officers, administrators)."""
    return people_with_permission("log_outreach")


class TeamField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Team.objects.select_related("department__organisation").order_by(
                "department__organisation__name", "department__name", "name"
            ),
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.department.name}, {obj.department.organisation.name})"


class OutreachForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of outreach was it?",
        choices=OutreachEntry.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of outreach it was."},
    )
    date = BritishDateField(label="Date", error_messages={"required": "Give the date."})
    team = TeamField(
        label="Team",
        required=False,
        empty_label="Not one team (say who below)",
        help_text="The team from the organisation directory, so you can see what followed.",
    )
    audience = forms.CharField(
        label="Audience, if not one team",
        max_length=200,
        required=False,
        help_text="For example “Nursing students’ welcome fair”.",
    )
    people_reached = forms.IntegerField(
        label="People reached",
        min_value=0,
        max_value=100_000,
        required=False,
        help_text="About how many people you spoke to. Leave blank if you do not know.",
        error_messages={"invalid": "Give the number of people as a whole number, e.g. 12."},
    )
    went = forms.ModelMultipleChoiceField(
        label="Who went",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["went"].queryset = staff_choices()
        self.fields["went"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if not data.get("team") and not (data.get("audience") or "").strip():
            self.add_error("team", "Choose the team, or say who the audience was.")
        return data

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "date": d["date"],
            "team": d["team"],
            "audience": d["audience"],
            "people_reached": d["people_reached"],
            "went": d["went"],
            "notes": d["notes"],
        }

    @classmethod
    def initial_for(cls, entry: OutreachEntry) -> dict:
        return {
            "kind": entry.kind,
            "date": entry.date,
            "team": entry.team_id,
            "audience": entry.audience,
            "people_reached": entry.people_reached,
            "went": [u.pk for u in entry.went.all()],
            "notes": entry.notes,
        }


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label="Follow-up",
        max_length=300,
        error_messages={"required": "Say what there is to follow up."},
        help_text="For example “Send the slides to the team lead”.",
    )
    due_on = BritishDateField(label="Due by", required=False)


class OutreachSessionForm(SessionForm):
    """A closed session for the entry's team: the course, then SessionForm's fields."""

    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        error_messages={"required": "Choose the course."},
    )
    field_order = ["course"]

    def __init__(self, *args, **kwargs):
        # SessionForm's defaults come from its course; here the course is chosen on the form.
        forms.Form.__init__(self, *args, **kwargs)
        self.course = None
        self.fields["course"].queryset = Course.objects.filter(
            status=Course.Status.ACTIVE
        ).order_by("title")
        self.fields["capacity"].initial = None
        self.fields["capacity"].required = False
        self.fields["capacity"].help_text = "Leave blank for the course's usual number."

    def clean(self):
        if not self.cleaned_data.get("course"):  # its own error is shown already
            return forms.Form.clean(self)
        return super().clean()

    def course_length(self, data) -> int:
        return data["course"].duration_minutes
