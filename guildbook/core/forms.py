"""What every app's form pages share: binding a form to a POST, showing a service's refusal
beside its field, answering 400 when the form on the page has errors, and a date field that
reads dates the British way."""

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _

from guildbook.core.errors import ServiceError


def posted_data(request):
    """The POST data to bind a form to, even when empty (`request.POST or None` is not)."""
    return request.POST if request.method == "POST" else None


def show_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside its field, or above the form when it names none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@contextmanager
def refusal_on_form(form):
    """Carry out a service's write and what follows it (the success message, the redirect)
    inside the block; when the service refuses, its refusal is shown on the form and the
    view carries on after the block, which shows the form again."""
    try:
        yield
    except ServiceError as exc:
        show_error(form, exc)


def form_page(request, template: str, context: dict, *, form):
    """The page with its form: 400 when the form was sent with errors (its own, or a
    service's refusal), 200 otherwise."""
    return render(request, template, context, status=400 if form.errors else 200)


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


def year_ago(today: date) -> date:
    """The same day a year before (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today - timedelta(days=365)


def query_date(request, key: str, default: date | None, problems: list[str]) -> date | None:
    """A date from the query string's `key`, typed as `parse_date` reads it (day first, in
    words or ISO, which is what links carry). Absent: `default`. Present but empty: None (no
    limit on that side). Unreadable: a sentence is added to `problems`, and `default`."""
    if key not in request.GET:
        return default
    raw = request.GET.get(key, "").strip()
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is None:
        problems.append(
            _("“%(raw)s” is not a date; give it as 6/12/2026 or 6 December 2026.")
            % {"raw": raw[:40]}
        )
        return default
    return parsed
