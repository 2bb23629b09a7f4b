"""Views that belong to no domain, and what every app's action buttons share."""

from contextlib import contextmanager

from django.contrib import messages
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from guildbook.core.errors import ServiceError


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers and the benchmarks' baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@contextmanager
def refusal_as_message(request):
    """For a button with no form to show an error beside: carry out a service's write and
    its success message inside the block; when the service refuses, the rest of the block
    is skipped and the refusal is shown as an error message on the next page instead."""
    try:
        yield
    except ServiceError as exc:
        messages.error(request, exc.message)
