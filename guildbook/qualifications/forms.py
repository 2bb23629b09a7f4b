"""Forms check the shape of what is typed; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guildbook.core.forms import BritishDateField
from guildbook.qualifications.models import Action, Goal

# A date field is sent and filled in ISO form whatever the language (the browser shows it
# in the reader's own).


class StartForm(forms.Form):
    target_date = BritishDateField(
        label=_("Target date"),
        required=False,
        help_text=_(
            "When you aim to submit, for example 6/12/2027 or 6 December 2027. "
            "Left empty: a year from today."
        ),
    )
    membership_number = forms.CharField(
        label=_("Membership number"),
        required=False,
        max_length=40,
        help_text=_("If you have joined already. You can add it later."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MentorRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Your message to the mentor"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say a little about yourself, your job and what you hope for."),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the candidate if you decline)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MentorProfileForm(forms.Form):
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    sector = forms.CharField(
        label=_("Sector"), max_length=100, required=False, help_text=_("For example: Health.")
    )
    specialisms = forms.CharField(
        label=_("Specialisms"),
        required=False,
        help_text=_("Separate them with semicolons, e.g. Cataloguing; Outreach."),
    )
    remote = forms.BooleanField(label=_("I can mentor by video or phone"), required=False)
    capacity = forms.IntegerField(
        label=_("How many people can you mentor at once?"), min_value=0, max_value=30
    )
    bio = forms.CharField(
        label=_("About you"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    listed = forms.BooleanField(
        label=_("Show me in the mentor directory"), required=False, initial=True
    )


class DirectoryFilterForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    specialism = forms.ChoiceField(label=_("Specialism"), required=False)
    remote = forms.ChoiceField(
        label=_("Meeting"),
        required=False,
        choices=[("", _("Any")), ("yes", _("By video or phone")), ("no", _("In person only"))],
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {}
        for name, key in (("sector", "sectors"), ("region", "regions")):
            self.fields[name].choices = [("", _("Any"))] + [(v, v) for v in choices.get(key, [])]
        self.fields["specialism"].choices = [("", _("Any"))] + [
            (v, v) for v in choices.get("specialisms", [])
        ]


class GoalForm(forms.Form):
    what = forms.CharField(label=_("What do you want to achieve?"), max_length=300)
    measure = forms.CharField(
        label=_("How will you know you have?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_date = BritishDateField(label=_("By when"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    criteria = forms.MultipleChoiceField(
        label=_("Criteria it helps you meet"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.code, c.title) for c in criteria]


class ActivityForm(forms.Form):
    description = forms.CharField(label=_("Activity"), max_length=300, required=False)
    course = forms.ChoiceField(label=_("Or a course from the catalogue"), required=False)

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("No course"))] + [
            (str(c.pk), c.title) for c in courses
        ]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeetingForm(forms.Form):
    held_on = BritishDateField(label=_("Date of the meeting"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class ActionRowForm(forms.Form):
    text = forms.CharField(label=_("Agreed action"), max_length=300, required=False)
    owner = forms.ChoiceField(label=_("Whose"), choices=Action.Owner.choices)
    due_on = BritishDateField(label=_("Due by"), required=False)


ActionFormSet = forms.formset_factory(ActionRowForm, extra=3, max_num=10)


class CompletionForm(forms.Form):
    summary = forms.CharField(
        label=_("How the mentoring went"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Started from your meetings log: change it as you wish."),
    )


class FundingForm(forms.Form):
    fee = forms.ChoiceField(
        label=_("Which fee"),
        widget=forms.RadioSelect,
        help_text=_(
            "Membership fees cannot be funded: only a scheme's enrolment or submission fee."
        ),
    )
    justification = forms.CharField(
        label=_("Why should Staff Development fund it?"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, fees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee"].choices = fees


class FundingDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the candidate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)


class SchemeUploadForm(forms.Form):
    file = forms.FileField(label=_("Scheme file (YAML)"))
