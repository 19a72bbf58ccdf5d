"""The backlog's priority order in a real browser: the Up button with JavaScript off, and
dragging a row with it on (the progressive enhancement)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys import TOM, sign_in
from tests.browser.pages import address, page_named


def _titles_with_a_place(page: Page) -> list[str]:
    rows = page.locator("table.app-backlog tbody tr:has(form.app-backlog__move)")
    return [row.locator("td").nth(1).inner_text() for row in rows.all()]


def test_up_works_without_javascript(new_page, server):
    page = new_page(javascript=False)
    sign_in(page, TOM)
    page.goto(address(server, page_named("backlog")))
    before = _titles_with_a_place(page)
    assert len(before) >= 2
    second = page.locator("table.app-backlog tbody tr:has(form.app-backlog__move)").nth(1)
    with page.expect_navigation():
        second.get_by_role("button", name=re.compile(r"^Up\b")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Moved '{before[1]}'")
    assert _titles_with_a_place(page)[:2] == [before[1], before[0]]


def test_dragging_a_row_moves_it_with_javascript(new_page, server):
    page = new_page()
    sign_in(page, TOM)
    page.goto(address(server, page_named("backlog")))
    before = _titles_with_a_place(page)
    assert len(before) >= 3
    rows = page.locator("table.app-backlog tbody tr[draggable=true]")
    with page.expect_navigation():
        rows.nth(2).drag_to(rows.nth(0))
    assert _titles_with_a_place(page)[:3] == [before[2], before[0], before[1]]
