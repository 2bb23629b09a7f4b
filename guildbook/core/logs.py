"""Logging filters the settings' LOGGING names."""

from __future__ import annotations

import logging


class PdfScreenRules(logging.Filter):
    """Drops WeasyPrint's notes on the site stylesheet's screen rules.

    PDFs (training records, portfolios) are drawn by the pages' own templates, with the site's
    stylesheet for its print rules. WeasyPrint notes each rule it cannot use (width media
    queries, `overflow`, browser-only selectors) at every PDF: a dozen lines in the log for
    each download and in the console while the demo loads, about rules meant for screens.
    Every other warning (an image that failed to load, say) still gets through."""

    NOTES = (
        "Ignored `",
        "Expected a media type",
        "Invalid media type",
        "Invalid or unsupported selector",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.NOTES)
