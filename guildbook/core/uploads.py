"""Files people upload: which kinds are accepted, and how they are served back.

A file's kind is decided by its content (its leading bytes), never by the name or the type
the browser claimed, and its name must agree with that kind: a page (`.html`) or a script
(`.js`) is refused even when it is plain text inside. Files are served back as downloads,
with a sandboxing policy and `nosniff`, so a file can never run as part of the site; only
images and PDFs are shown in the browser.
"""

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.http import FileResponse

# Enough for every signature the checker knows, including Office's zip-based formats.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    mime: str
    extensions: tuple[str, ...]
    inline: bool = False


ALLOWED_KINDS = {
    kind.mime: kind
    for kind in [
        FileKind("application/pdf", ("pdf",), inline=True),
        FileKind("image/png", ("png",), inline=True),
        FileKind("image/jpeg", ("jpg", "jpeg"), inline=True),
        FileKind("image/gif", ("gif",), inline=True),
        FileKind("image/webp", ("webp",), inline=True),
        FileKind("application/msword", ("doc",)),
        FileKind("application/vnd.ms-excel", ("xls",)),
        FileKind("application/vnd.ms-powerpoint", ("ppt",)),
        FileKind(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
        ),
        FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        FileKind(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)
        ),
        FileKind("application/vnd.oasis.opendocument.text", ("odt",)),
        FileKind("application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        FileKind("application/vnd.oasis.opendocument.presentation", ("odp",)),
        FileKind("application/rtf", ("rtf",)),
        FileKind("text/plain", ("txt", "csv", "md")),
    ]
}
ALLOWED_DESCRIPTION = "PDF, an image (PNG, JPEG, GIF, WebP), an Office document or plain text"


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut in two at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def file_kind(file) -> FileKind | None:
    """The allowed kind this file's content is, or None."""
    head = _head(file)
    guessed = filetype.guess(head)
    if guessed is not None:
        return ALLOWED_KINDS.get(guessed.mime)
    return ALLOWED_KINDS["text/plain"] if _looks_like_text(head) else None


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def upload_check(value) -> None:
    """Model field validator: a newly uploaded file must be an allowed kind, named for it.

    Files already stored are not checked again, so editing a course does not fail on a file
    uploaded before the check existed (such files are served only as downloads).
    """
    if not value or getattr(value, "_committed", True):
        return
    kind = file_kind(value)
    extension = _extension(value.name)
    if kind is None:
        raise ValidationError(
            f"This kind of file cannot be uploaded. Upload {ALLOWED_DESCRIPTION}.",
            code="file_kind",
        )
    if extension not in kind.extensions:
        raise ValidationError(
            f"The file's name ends .{extension or '(nothing)'} but it holds "
            f"{kind.mime}: rename it to end .{kind.extensions[0]}.",
            code="file_name",
        )


# No script, no plugins, no forms, no links to the site; an image or a PDF still shows.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def user_file_response(field_file) -> FileResponse:
    """Serve an uploaded file so that it cannot act as part of the site."""
    handle = field_file.open("rb")
    name = PurePath(field_file.name).name
    kind = file_kind(handle)
    if kind is not None and _extension(name) not in kind.extensions:
        kind = None  # stored before uploads were checked: only ever a download
    inline = kind is not None and kind.inline
    response = FileResponse(handle, filename=name, as_attachment=not inline)
    response["Content-Type"] = kind.mime if kind else "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    return response
