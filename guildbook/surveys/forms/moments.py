"""The form for a course's survey moment. It checks only the shape of what was typed; the
rules (reminder before the close, a usable template, an https link) live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guildbook.surveys.models import SurveyMoment, SurveyTemplate
from guildbook.surveys.services import MOMENT_FIELDS


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj) + (" " + str(_("(the default)")) if obj.is_default else "")


class MomentForm(forms.ModelForm):
    template = TemplateChoice(
        queryset=SurveyTemplate.objects.none(),
        label=_("Survey template"),
        empty_label=None,
        help_text=_("The questions people are asked."),
    )

    class Meta:
        model = SurveyMoment
        fields = list(MOMENT_FIELDS)
        labels = {
            "name": _("Name"),
            "days_after": _("Days after the session ends"),
            "reminder_after_days": _("Reminder after (days)"),
            "closes_after_days": _("Closes after (days)"),
            "anonymous": _("Anonymous answers"),
            "external_url": _("External survey link (optional)"),
            "note": _("Your own paragraph in the invitation (optional)"),
            "message_no_shows": _("Send a short message to people who did not come"),
            "no_show_note": _("The message to people who did not come"),
        }
        help_texts = {
            "name": _("What trainers see, e.g. “Follow-up” or “How was it?”."),
            "days_after": _("0 sends it as the session ends; 30 is the usual follow-up."),
            "reminder_after_days": _(
                "Days after the invitation; one reminder, only to people who have not "
                "answered. Leave empty for none."
            ),
            "closes_after_days": _("Days after the invitation; the links stop working then."),
            "anonymous": _(
                "Answers are stored without any link to the person. Cannot be changed once "
                "anyone has answered."
            ),
            "external_url": _(
                "Use another survey tool instead, e.g. SurveyMonkey. Put {token} where the "
                "tool should carry Guildbook's token, and send people to the completion page "
                "(see the guide) so that nobody who answered gets the reminder."
            ),
            "note": _("You can use {first_name}, {course}, {start} and {venue}."),
            "no_show_note": _(
                "E.g. “Sorry we missed you, {first_name}: here are the next dates.” The next "
                "dates are added below it."
            ),
        }
        widgets = {
            "days_after": forms.NumberInput(attrs={"min": 0, "max": 366}),
            "reminder_after_days": forms.NumberInput(attrs={"min": 1, "max": 365}),
            "closes_after_days": forms.NumberInput(attrs={"min": 1, "max": 366}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "no_show_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = SurveyTemplate.objects.filter(is_current=True, archived=False)
        if self.instance.pk and self.instance.template_id:
            # Keep showing the moment's own template even if it was archived since.
            current = current | SurveyTemplate.objects.filter(pk=self.instance.template_id)
        self.fields["template"].queryset = current.order_by("-is_default", "title")

    def _post_clean(self):
        # The services check the rules and save; the model's own validation would only
        # repeat them in other words.
        pass
