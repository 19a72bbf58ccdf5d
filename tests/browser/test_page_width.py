"""Every main page fits its window: on a phone (375 px) and on a laptop (1280 px) the
document is never wider than the viewport, so nothing scrolls the whole page sideways.

Wide tables scroll inside their own labelled container instead (see docs/frontend.md), which
does not widen the document. The pages are the accessibility test's list, each seen by the
person who would use it; the data is only read, so each width is one browser session that
visits every page and names every page that is too wide.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.journeys import sign_in
from tests.browser.pages import MAIN_PAGES, address

WIDTHS = {"phone": 375, "laptop": 1280}


def too_wide(page) -> str | None:
    """What is wider than the window on the current page, or None when it fits."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    window = page.evaluate("() => window.innerWidth")
    if width <= window:
        return None
    culprits = page.evaluate(
        """(window) => [...document.body.querySelectorAll('*')]
            .filter((el) => el.getBoundingClientRect().right > window + 1)
            .filter((el) => !el.parentElement?.closest('.app-table-scroll'))
            .slice(-3)
            .map((el) => el.tagName.toLowerCase() + (el.className ? '.' +
                 String(el.className).trim().split(/\\s+/).join('.') : ''))""",
        window,
    )
    return f"{width} px wide in a {window} px window (widest: {', '.join(culprits)})"


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_main_page_is_wider_than_the_window(browser, server, width):
    failures = []
    contexts = {}
    try:
        for main_page in MAIN_PAGES:
            if main_page.email not in contexts:
                context = browser.new_context(
                    base_url=server.url, viewport={"width": width, "height": VIEWPORT["height"]}
                )
                context.set_default_timeout(10_000)
                page = context.new_page()
                if main_page.email:
                    sign_in(page, main_page.email)
                contexts[main_page.email] = (context, page)
            page = contexts[main_page.email][1]
            response = page.goto(address(server, main_page))
            assert response is not None and response.ok, f"{main_page.name}: {response.status}"
            problem = too_wide(page)
            if problem:
                failures.append(f"{main_page.name} ({page.url}): {problem}")
    finally:
        for context, _ in contexts.values():
            context.close()
    assert not failures, f"pages wider than {width} px:\n" + "\n".join(failures)


def test_a_wide_table_scrolls_in_its_own_box_with_a_cue_and_keyboard_focus(browser, server):
    """On a phone the portfolio table is wider than the window: it scrolls inside its box,
    which says so and can be scrolled from the keyboard; the page itself does not move."""
    from tests.browser.journeys import PMO

    context = browser.new_context(
        base_url=server.url, viewport={"width": WIDTHS["phone"], "height": VIEWPORT["height"]}
    )
    try:
        page = context.new_page()
        sign_in(page, PMO)
        page.goto(address(server, next(p for p in MAIN_PAGES if p.name == "portfolio table")))
        box = page.locator(".app-table-scroll").filter(has=page.locator("table")).first
        assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the table fits anyway"
        assert box.get_attribute("tabindex") == "0"
        hint = box.locator("xpath=preceding-sibling::*[1]")
        assert "Scroll the table sideways" in hint.inner_text()
        box.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(el) => el.scrollLeft > 0", arg=box.element_handle())
        assert page.evaluate("() => window.scrollX") == 0
        assert too_wide(page) is None
        # A table that fits is not a tab stop.
        page.set_viewport_size({"width": 1280, "height": VIEWPORT["height"]})
        page.goto("/organisations/")
        fits = page.locator(".app-table-scroll").first
        page.wait_for_function("(el) => !el.hasAttribute('tabindex')", arg=fits.element_handle())
    finally:
        context.close()
