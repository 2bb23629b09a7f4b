"""Checking an uploaded evidence file before anything is stored.

The type is decided by the file's content, with core's check (`core.uploads.file_kind`),
never by its name or the browser's Content-Type: a `.pdf` that is really a program is
refused. A portfolio takes fewer kinds than a course's materials. The stored name is made up
here; the uploaded name is kept only as text to show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings

from guildbook.core.errors import ServiceError
from guildbook.core.uploads import file_kind

# What a portfolio may hold, of the kinds core accepts: PDFs, pictures, Word documents.
ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
}
ALLOWED_TYPES_TEXT = "a PDF, a picture (JPEG, PNG, GIF or WebP) or a Word document"


class UploadRefused(ServiceError):
    status = 422


@dataclass(frozen=True)
class CheckedUpload:
    file: object  # the uploaded file, rewound
    display_name: str
    content_type: str
    extension: str
    size: int

    def stored_name(self, person_id: int) -> str:
        return f"evidence/{person_id}/{secrets.token_hex(16)}.{self.extension}"


def max_upload_bytes() -> int:
    return int(settings.PORTFOLIO_MAX_UPLOAD_MB * 1024 * 1024)


def upload_check(upload) -> CheckedUpload:
    """Refuse an upload that is empty, too large, named with a path, or not one of the
    allowed types by content; otherwise say what it is. Stores nothing."""
    name = str(getattr(upload, "name", "") or "")
    if not name.strip() or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise UploadRefused(
            "The file's name must be a plain file name, without folders.",
            field="file",
            code="file_name",
        )
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if not size:
        raise UploadRefused("The file is empty.", field="file", code="file_empty")
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRefused(
            f"The file is {_megabytes(size)}; the largest allowed is {_megabytes(limit)}.",
            field="file",
            code="file_size",
        )
    kind = file_kind(upload)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadRefused(
            f"This file is not {ALLOWED_TYPES_TEXT}.", field="file", code="file_type"
        )
    return CheckedUpload(
        file=upload,
        display_name=name[:200],
        content_type=kind.mime,
        extension=kind.extensions[0],
        size=size,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
