"""Personal answers must not be kept by browsers' or proxies' caches.

A page for a signed-in person, a page reached by a personal link (a reminder's or a survey's
token) and every API answer may name someone, so each is sent with
`Cache-Control: private, no-store`: a shared computer's back button or a proxy cannot show
it to the next person. Anonymous public pages (the catalogue) are left to their views.
"""

from django.utils.cache import patch_cache_control


def is_personal(request) -> bool:
    if request.path.startswith("/api/"):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and "token" in match.kwargs)


class PersonalPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_personal(request):
            response.headers.pop("Expires", None)
            patch_cache_control(response, private=True, no_store=True)
            # A personal answer never has a max-age of its own worth keeping.
            patch_cache_control(response, max_age=0)
        return response
