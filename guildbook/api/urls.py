"""The JSON API at /api/v1/. Routers are thin: they call services and selectors."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from guildbook.api.auth import TokenAuth
from guildbook.core.errors import ServiceError

api = NinjaAPI(
    title="Guildbook API",
    version="1",
    description="Courses, sessions and bookings of the training offer.",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, {"detail": "Not found.", "field": None, "code": "not_found"}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {
            "detail": "Send a valid API token: Authorization: Bearer <token>.",
            "field": None,
            "code": "unauthenticated",
        },
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    return api.create_response(
        request,
        {
            "detail": first.get("msg", "Invalid input."),
            "field": ".".join(loc) or None,
            "code": "invalid",
            "errors": exc.errors,
        },
        status=422,
    )
