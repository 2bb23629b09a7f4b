"""Views that belong to no domain."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers and the benchmarks' baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
