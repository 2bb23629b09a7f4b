import re
from datetime import date, datetime

from django import forms

from guildbook.training.models import BookingQuestion, Category, Course

DATE_HINT = "For example 6/12/2026 or 6 December 2026"
DATE_ERROR = "Enter a date such as 6/12/2026 or 6 December 2026."
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def parse_date(text: str) -> date | None:
    """A date typed the British way: day first (6/12/2026, 06-12-2026), in words
    (6 December 2026, 6 Dec 2026, Sunday 6 December 2026), or ISO (2026-12-06, what a
    browser's date picker sends). None when it is not a date."""
    value = re.sub(r"\s+", " ", (text or "").strip().replace(",", " ")).strip()
    value = re.sub(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]* ", "", value, flags=re.I)
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value, flags=re.I)
    if value.lower().startswith("sept "):  # "6 Sept 2026"
        value = "Sep " + value[5:]
    value = re.sub(r" sept ", " Sep ", value, flags=re.I)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class BritishDateField(forms.Field):
    """A text box for a date that reads it day first, whatever the browser's language
    (a date input shows mm/dd/yyyy to anyone whose browser is set to American English)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "off", "inputmode": "text"}

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        return value

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise forms.ValidationError(DATE_ERROR, code="invalid")
        return parsed


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
