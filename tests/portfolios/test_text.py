"""The one word-counting rule, the reference finder and safe Markdown."""

import pytest

from guildbook.portfolios.text import count_words, references, render_markdown

CASES = [
    ("", 0),
    ("   ", 0),
    ("one two three", 3),
    ("a well-known problem", 3),
    ("state-of-the-art", 1),
    ("I wrote 1,000 words in 2026", 6),
    ("3.5 hours", 2),
    ("See https://example.org/a-b?c=d for more", 4),
    ("I ran the session [E12] and it went well [E3].", 8),
    ("[E12][E13]", 0),
    ("[E12]'s", 1),
    ("- a list item\n- another", 4),
    ("# Heading\n\nText – with a dash", 5),
    ("**bold** _italic_", 2),
    ("don't and/or", 2),
    ("[e12] is lower case", 4),
]


@pytest.mark.parametrize(("text", "words"), CASES)
def test_count_words(text, words):
    assert count_words(text) == words


def test_references_in_order_once_each():
    assert references("[E3] then [E12], again [E3] and [E1]") == [3, 12, 1]
    assert references("no refs [E] [Ex] E4") == []


def test_markdown_is_sanitised():
    html = render_markdown("<script>alert(1)</script> [x](javascript:alert(1)) **ok**")
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<strong>ok</strong>" in html


def test_references_become_links_when_known():
    html = render_markdown(
        "Did it [E2] and [E9].", reference_url=lambda n: "#E2" if n == 2 else None
    )
    assert '<a class="evidence-ref" href="#E2">[E2]</a>' in html
    assert "[E9]" in html and 'href="#E9"' not in html
