"""The JSON API at /api/v1/. Routers are thin: they call services and selectors.

See docs/subsystems/api.md for the endpoints, authentication and the error format.
"""

from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, re_path
from ninja import NinjaAPI

from guildbook.api import bookings, courses, errors, insights, sessions, surveys
from guildbook.api.auth import TokenAuth


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
                pattern.callback = _json_not_allowed(pattern.callback)
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
