"""Words in portfolios: counting them, finding evidence references, and Markdown to safe HTML.

One counting rule serves the statement editor's live count (static/portfolios/words.js is
its twin and is tested against the same cases), the API and the PDF, so a candidate never
sees two different counts for the same text.

The rule: a word is a run of characters between spaces that holds at least one letter or
digit. So a hyphenated word ("well-known") is one word, a number ("1,000", "2026") is one,
a URL is one, and Markdown markers standing alone ("#", "-", "*", "–") are none. An
evidence reference such as `[E12]` is not a word: it points at evidence, it is not part of
what the candidate wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

import nh3
from markdown_it import MarkdownIt

REFERENCE = re.compile(r"\[E(\d{1,6})\]")
_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def count_words(text: str) -> int:
    """How many words `text` has, by the rule in this module's docstring."""
    text = REFERENCE.sub(" ", text or "")
    return sum(1 for token in text.split() if _WORDLIKE.search(token))


def references(text: str) -> list[int]:
    """Evidence numbers referenced as `[En]`, in order of first appearance, each once."""
    seen: dict[int, None] = {}
    for match in REFERENCE.finditer(text or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def render_markdown(text: str, *, reference_url: Callable[[int], str | None] | None = None) -> str:
    """Markdown to HTML that is safe to show: raw HTML in the source is escaped by the parser
    and the result is sanitised again (only the tags above, links with http(s) or mailto
    only). With `reference_url`, each `[En]` whose number it knows becomes a link."""
    html = _markdown.render(text or "")
    html = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if reference_url is not None:

        def link(match: re.Match) -> str:
            url = reference_url(int(match.group(1)))
            if not url:
                return match.group(0)
            number = match.group(1)
            return f'<a class="evidence-ref" href="{escape(url)}">[E{number}]</a>'

        html = REFERENCE.sub(link, html)
    return html
