"""What every app's form pages share: binding a form to a POST, showing a service's refusal
beside its field, and answering 400 when the form on the page has errors."""

from django.shortcuts import render

from guildbook.core.errors import ServiceError


def posted_data(request):
    """The POST data to bind a form to, even when empty (`request.POST or None` is not)."""
    return request.POST if request.method == "POST" else None


def show_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside its field, or above the form when it names none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def form_page(request, template: str, context: dict, *, form):
    """The page with its form: 400 when the form was sent with errors (its own, or a
    service's refusal), 200 otherwise."""
    return render(request, template, context, status=400 if form.errors else 200)
