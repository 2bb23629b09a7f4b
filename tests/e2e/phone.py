"""Does a page fit a phone? A helper any app's browser tests can use.

`pages_wider_than_phone(open_page, visits)` loads each address at 360×740 (the narrowest
phone people still carry) and reports every page whose document is wider than the screen,
naming the elements that stick out, so a failure says where to look.

    from tests.e2e.phone import pages_wider_than_phone

    def test_my_pages_fit_a_phone(new_page, scene):
        visits = [(scene["learner"], "/me/bookings/"), (None, "/")]
        assert pages_wider_than_phone(new_page, visits) == []
"""

from collections.abc import Callable, Iterable

PHONE_WIDTH = 360
PHONE_HEIGHT = 740

# The elements whose right edge passes the screen's, innermost first, as short CSS paths.
_OVERFLOWING = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    // An element inside a scrolling box (a wide table in .table-scroll) is allowed out,
    // unless it is positioned absolutely and so may escape the box.
    const free = getComputedStyle(el).position === 'absolute';
    let p = el.parentElement, clipped = false;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
      p = p.parentElement;
    }
    if (clipped && !free) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(`${name} (right edge ${Math.round(box.right)} px)`);
  }
  return out.slice(-6);
}"""


def pages_wider_than_phone(
    open_page: Callable, visits: Iterable[tuple[object, str]], *, width: int = PHONE_WIDTH
) -> list[str]:
    """Load each (user or None, address) in a phone-sized window; return one line per page
    that fails: wider than `width`, or not answering 200. An empty list means all fit.

    `open_page` is the `new_page` fixture (tests/e2e/conftest.py): one browser context is
    opened per person, so the pages of one person share a signed-in session."""
    pages = {}
    failures = []
    for user, address in visits:
        key = getattr(user, "pk", None)
        if key not in pages:
            pages[key] = open_page(user=user)
            pages[key].set_viewport_size({"width": width, "height": PHONE_HEIGHT})
        page = pages[key]
        response = page.goto(address)
        who = getattr(user, "email", "nobody signed in")
        if response is None or response.status != 200:
            failures.append(f"{address} ({who}): HTTP {response and response.status}")
            continue
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            culprits = "; ".join(page.evaluate(_OVERFLOWING, width))
            failures.append(f"{address} ({who}): {scroll_width} px wide — {culprits}")
    for page in pages.values():
        page.context.close()
    return failures
