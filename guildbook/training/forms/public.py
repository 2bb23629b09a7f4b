from django import forms

from guildbook.core.forms import BritishDateField
from guildbook.training.models import BookingQuestion, Category, Course


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "For example: Twitter"}),
    )
    category = forms.ChoiceField(label="Category", required=False)
    level = forms.ChoiceField(
        label="Level", required=False, choices=[("", "Any level"), *Course.Level.choices]
    )
    delivery = forms.ChoiceField(
        label="How it is run",
        required=False,
        choices=[("", "In person or online"), ("in_person", "In person"), ("online", "Online")],
    )
    date_from = BritishDateField(label="Dates from", required=False)
    date_to = BritishDateField(label="Dates to", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("", "Next date"), ("title", "Title (A to Z)")],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [
            (c.slug, c.name) for c in Category.objects.all()
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the date range must be after its start.")
        return data

    def active_filters(self) -> list[str]:
        """The filters in use, in words ("Level: Novice"), for the results summary."""
        from guildbook.core.timefmt import format_date

        words = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not value or name == "sort":
                continue
            if name == "q":
                words.append(f"“{value.strip()}”")
            elif isinstance(field, forms.ChoiceField):
                words.append(f"{field.label}: {dict(field.choices).get(value, value)}")
            else:
                words.append(f"{field.label} {format_date(value, weekday=False)}")
        return words


class BookingQuestionsForm(forms.Form):
    """The course's booking questions; fields are named q<id>."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for q in questions:
            name = f"q{q.pk}"
            common = {"label": q.text, "help_text": q.help_text, "required": q.required}
            if q.kind == BookingQuestion.Kind.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common
                )
            elif q.kind == BookingQuestion.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    choices=[(c, c) for c in q.choice_list], widget=forms.RadioSelect, **common
                )
            elif q.kind == BookingQuestion.Kind.LONG_TEXT:
                self.fields[name] = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common
                )
            else:
                self.fields[name] = forms.CharField(max_length=500, **common)

    def answers(self) -> dict:
        return {k[1:]: v for k, v in self.cleaned_data.items() if v not in ("", None)}
