"""Where evidence files live: a private folder that no URL serves.

The folder is `PORTFOLIO_FILES_ROOT` (default `var/private/`), outside `MEDIA_ROOT`, so the
web server and `static()` never hand a file out; only a view that has checked who is asking
streams one, through `private_file_response`. Files are stored under names the service makes
up (a random token and an extension for the type found by content), never under the uploaded
name.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse


class PrivateStorage(FileSystemStorage):
    """A file system storage rooted at the current `PORTFOLIO_FILES_ROOT` setting (read on
    each use, so tests can point it at a temporary folder) that has no URLs."""

    @property
    def base_location(self):
        return str(settings.PORTFOLIO_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Evidence files have no public URL; serve them through the view.")


_storage = PrivateStorage()


def private_storage():
    return _storage


def private_file_response(
    field_file, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """Stream a private file (evidence, an export) to someone the caller has checked may have
    it; no shared cache and no browser cache keeps a copy."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
