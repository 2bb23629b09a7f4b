"""Every error the API answers is JSON of one shape: {"detail", "field", "code"}.

`detail` is a sentence for a person, `field` names the input it is about (or null) and
`code` is a stable word for programs. Ninja's own failures (no token, a body that is not
JSON, a query parameter of the wrong type), Django's (404, validation) and the services'
(`ServiceError` and its subclasses) all come out in this shape; so do unknown URLs and
wrong methods under /api/v1/, which never reach an operation (see `GuildbookAPI`).
"""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from guildbook.core.errors import ServiceError

logger = logging.getLogger("guildbook.api")

CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    500: "server_error",
}

# Where ninja puts a parameter; the API's `field` names the parameter itself.
_LOCATIONS = {"body", "query", "path", "payload", "header", "cookie", "form"}


def error_body(detail: str, *, field: str | None = None, code: str) -> dict:
    return {"detail": detail, "field": field, "code": code}


def json_error(status: int, detail: str, *, field: str | None = None, code: str | None = None):
    """A JSON error response outside ninja's operations (unknown URL, wrong method)."""
    return JsonResponse(
        error_body(detail, field=field, code=code or CODES_BY_STATUS.get(status, "error")),
        status=status,
    )


def too_large():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return json_error(413, f"The request body is too large: at most {limit} bytes.")


def install(api) -> None:
    """Register the handlers on the NinjaAPI instance."""

    def respond(request, status: int, detail: str, *, field=None, code=None, **extra):
        body = error_body(detail, field=field, code=code or CODES_BY_STATUS.get(status, "error"))
        body.update(extra)
        return api.create_response(request, body, status=status)

    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "Not found.")

    @api.exception_handler(ObjectDoesNotExist)
    def gone(request, exc):
        # An object that vanished between the check and the write (another request won).
        return respond(request, 404, "Not found.")

    @api.exception_handler(PermissionDenied)
    def denied(request, exc):
        return respond(request, 403, str(exc) or "You are not allowed to do this.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(
            request, 401, "Send a valid API token: Authorization: Bearer <token>.", code=None
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(
                request, 400, "The request body is not valid JSON.", code="malformed_json"
            )
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        loc = [str(p) for p in first.get("loc", []) if p not in _LOCATIONS]
        field = ".".join(loc) or None
        detail = first.get("msg", "Invalid input.")
        if field is None and first.get("type") == "missing":
            detail = "Send a JSON object as the request body."
        elif field:
            detail = f"{field}: {detail}"
        return respond(request, 422, detail, field=field, code="invalid", errors=exc.errors)

    @api.exception_handler(DjangoValidationError)
    def model_invalid(request, exc: DjangoValidationError):
        # Raised by Model.full_clean() inside a service: the values were refused.
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            message = errors[0].messages[0] if errors else "Invalid value."
            field = None if field == "__all__" else field
        else:
            field, message = None, exc.messages[0] if exc.messages else "Invalid value."
        return respond(request, 400, message, field=field, code="invalid")

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request, exc):
        return too_large()

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        # A safety net: a bug still answers JSON, and is logged with its traceback.
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return respond(request, 500, "Something went wrong on our side. Please try again.")
