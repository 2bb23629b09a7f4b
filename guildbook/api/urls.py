"""The JSON API at /api/v1/. Routers are thin: they call services and selectors.

See docs/subsystems/api.md for the endpoints, authentication and the error format.
"""

import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from guildbook.api import (
    bookings,
    courses,
    errors,
    evidence,
    exports,
    insights,
    qualifications,
    sessions,
    statements,
    surveys,
)
from guildbook.api.auth import TokenAuth
from guildbook.core import limits


def _json_not_allowed(view):
    """Ninja answers a wrong method with a plain-text 405; answer it in our JSON shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = errors.json_error(
                405, f"{request.method} is not allowed here. Allowed: {allowed}."
            )
            response["Allow"] = allowed
        return response

    return wrapped


def _json_but_not_an_object(body: bytes) -> bool:
    # Only bodies that do not start with "{" come here; what is not JSON at all is left to
    # the operation, which answers 400 malformed_json.
    try:
        return not isinstance(json.loads(body), dict)
    except ValueError:
        return False


def _nul_field(body: bytes) -> str | None:
    """The first field of a JSON body whose text holds a NUL character (which PostgreSQL
    cannot store; the web forms refuse it too), as `a.b.0`; None when there is none."""
    try:
        value = json.loads(body)
    except ValueError:
        return None

    def walk(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            where = [*path, str(key)]
            if "\x00" in str(key) or (isinstance(child, str) and "\x00" in child):
                return ".".join(where)
            if isinstance(child, dict | list) and (found := walk(child, where)):
                return found
        return None

    return walk(value, []) if isinstance(value, dict | list) else None


def _checked(view):
    """What every operation refuses before it runs: an id in the address too large for any
    row (404, not a database overflow), a body over the upload limit (413), and a JSON
    body that is not an object (422; every operation takes an object or nothing)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if any(isinstance(v, int) and not 0 <= v <= limits.MAX_ID for v in kwargs.values()):
            return errors.json_error(404, "Not found.")
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                start = request.body.lstrip()[:1]
            except RequestDataTooBig:
                return errors.too_large()
            if start not in (b"", b"{") and _json_but_not_an_object(request.body):
                return errors.json_error(422, "Send a JSON object as the request body.")
            if b"\\u0000" in request.body and (field := _nul_field(request.body)):
                return errors.json_error(
                    422, f"{field}: text with a null character cannot be saved.", field=field
                )
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt  # token-authenticated like the API: a POST here is a JSON 404, not a CSRF page
def _unknown_url(request, *args, **kwargs):
    return errors.json_error(404, "There is no such address in the API.")


class GuildbookAPI(NinjaAPI):
    def _get_urls(self):
        urls = []
        for pattern in super()._get_urls():
            if pattern.name == "api-root":
                # Ninja's root view raises Http404, which Django would answer as HTML.
                pattern = path("", self._index, name="api-root")
            else:
                pattern.callback = _checked(_json_not_allowed(pattern.callback))
            urls.append(pattern)
        # Last: any other address under /api/v1/ is a JSON 404, not Django's HTML page.
        urls.append(re_path(r"^.*$", _unknown_url, name="api-unknown"))
        return urls

    def _index(self, request, *args, **kwargs):
        return JsonResponse(
            {"title": self.title, "version": self.version, "openapi": request.path + "openapi.json"}
        )


api = GuildbookAPI(
    title="Guildbook API",
    version="1",
    description=(
        "Courses, sessions and bookings of the training offer. Authenticate with a personal "
        "API token: `Authorization: Bearer <token>`. Errors are JSON objects with `detail`, "
        "`field` and `code`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    # The interactive docs page would load its scripts from a CDN, which our CSP and
    # offline use forbid; the OpenAPI document itself is served at openapi.json.
    docs_url=None,
)
errors.install(api)
api.add_router("", courses.router)
api.add_router("", sessions.router)
api.add_router("", bookings.router)
api.add_router("", surveys.router)
api.add_router("", insights.router)
api.add_router("", qualifications.router)
api.add_router("", evidence.router)
api.add_router("", statements.router)
api.add_router("", exports.router)
