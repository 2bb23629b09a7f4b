"""Forms for building survey templates. They check the shape of what was typed; the rules
(conditions, the impact question, answers to choose from, versions) live in services.py,
whose ServiceErrors the views show beside the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guildbook.surveys.models import Choice, Question

K = Question.Kind
# Kinds a question may switch to once it exists (the answers still fit).
SWITCHABLE = {
    K.SINGLE: (K.SINGLE, K.MULTIPLE),
    K.MULTIPLE: (K.SINGLE, K.MULTIPLE),
    K.SHORT_TEXT: (K.SHORT_TEXT, K.LONG_TEXT),
    K.LONG_TEXT: (K.SHORT_TEXT, K.LONG_TEXT),
}
# What each kind is for, shown where a trainer picks one.
KIND_HINTS = {
    K.YES_NO: _("Yes or No, ready to use. Good as the impact question."),
    K.SINGLE: _("People pick one answer from a list you write."),
    K.MULTIPLE: _("People tick any number of answers from a list you write."),
    K.SCALE: _("1 to 5, with words at each end such as “Not at all” and “Very”."),
    K.SHORT_TEXT: _("A line of text."),
    K.LONG_TEXT: _("A few sentences."),
}


class TemplateForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        label=_("Title"),
        help_text=_("People see it at the top of the survey and in the e-mail."),
    )
    intro = forms.CharField(
        required=False,
        label=_("Introduction"),
        help_text=_("Shown above the questions, e.g. why the answers matter."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def condition_choices(questions, *, before: int | None) -> list:
    """ "Always" and, grouped by question, the answers of earlier questions with choices."""
    groups = []
    for q in questions:
        if q.kind not in Question.CHOICE_KINDS or (before is not None and q.position >= before):
            continue
        verb = _("the answers include") if q.kind == K.MULTIPLE else _("the answer is")
        groups.append(
            (
                f"{q.position}. {q.text}",
                [(str(c.pk), f"… {verb} “{c.label}”") for c in q.choices.all()],
            )
        )
    return [("", _("Always")), *groups]


class QuestionForm(forms.Form):
    """One question: the fields its kind needs, and the condition on earlier questions."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=K.choices)
    text = forms.CharField(max_length=300, label=_("Question"))
    help_text = forms.CharField(
        max_length=300,
        required=False,
        label=_("Help text"),
        help_text=_("Shown under the question, e.g. an example of an answer."),
    )
    required = forms.BooleanField(required=False, label=_("An answer is needed"))
    choices = forms.CharField(
        required=False,
        label=_("Answers to choose from, one per line"),
        help_text=_("At least two. You can change, add and reorder them later."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    scale_low_label = forms.CharField(
        max_length=60,
        required=False,
        label=_("Words for 1"),
        help_text=_("For example “Not at all confident”."),
    )
    scale_high_label = forms.CharField(
        max_length=60,
        required=False,
        label=_("Words for 5"),
        help_text=_("For example “Very confident”."),
    )
    is_impact = forms.BooleanField(
        required=False,
        label=_("This is the impact question"),
        help_text=_(
            "Its answers make the impact rate in the results: the share of people who "
            "chose an answer that counts as using what they learned. One per template."
        ),
    )
    show_if = forms.ChoiceField(
        required=False,
        label=_("Show this question"),
        help_text=_(
            "Always, or only to people who gave a particular answer to an earlier question."
        ),
    )

    def __init__(self, *args, kind: str, questions, question: Question | None = None, **kwargs):
        self.question = question
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": question.kind,
                    "text": question.text,
                    "help_text": question.help_text,
                    "required": question.required,
                    "scale_low_label": question.scale_low_label,
                    "scale_high_label": question.scale_high_label,
                    "is_impact": question.is_impact,
                    "show_if": str(question.show_if_choice_id or ""),
                },
            )
        super().__init__(*args, **kwargs)
        self.kind = kind
        self._choices = {
            str(c.pk): c
            for q in questions
            for c in q.choices.all()
            if q.kind in Question.CHOICE_KINDS
        }
        self.fields["show_if"].choices = condition_choices(
            questions, before=question.position if question else None
        )
        if len(self.fields["show_if"].choices) == 1:
            del self.fields["show_if"]  # nothing earlier to depend on
        switch = SWITCHABLE.get(kind) if question is not None else None
        if switch:
            self.fields["kind"].choices = [(k, K(k).label) for k in switch]
            self.fields["kind"].widget = forms.RadioSelect(choices=self.fields["kind"].choices)
        else:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = kind
        if kind not in (K.SINGLE, K.MULTIPLE) or question is not None:
            del self.fields["choices"]
        if kind != K.SCALE:
            del self.fields["scale_low_label"], self.fields["scale_high_label"]
        if kind not in (K.YES_NO, K.SINGLE):
            del self.fields["is_impact"]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        allowed = SWITCHABLE.get(self.kind) if self.question is not None else None
        if kind != self.kind and (not allowed or kind not in allowed):
            raise forms.ValidationError(_("This question cannot become that kind."))
        return kind

    def clean_show_if(self):
        value = self.cleaned_data.get("show_if") or ""
        return self._choices.get(value) if value else None

    def service_fields(self) -> dict:
        d = self.cleaned_data
        fields = {
            "text": d["text"],
            "help_text": d.get("help_text", ""),
            "required": d.get("required", False),
            "scale_low_label": d.get("scale_low_label", ""),
            "scale_high_label": d.get("scale_high_label", ""),
            "show_if_choice": d.get("show_if"),
        }
        if "is_impact" in self.fields:
            fields["is_impact"] = d.get("is_impact", False)
        if self.question is None:
            fields["kind"] = self.kind
            if "choices" in self.fields:
                fields["choices"] = (d.get("choices") or "").splitlines()
        else:
            fields["kind"] = d.get("kind") or self.kind
        return fields


class ChoiceForm(forms.Form):
    label = forms.CharField(max_length=Choice._meta.get_field("label").max_length)
    counts_as_impact = forms.BooleanField(required=False)
