"""The timesheet on a phone and on a laptop: hours up to "23.75" show whole in their box,
the week's totals are on screen, and a mistake shows the error summary without widening the
page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT
from tests.browser.journeys import MARIA, press, sign_in
from tests.browser.test_page_width import WIDTHS, too_wide

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _fits(box) -> bool:
    """The whole value is visible: the text does not scroll inside the box."""
    return box.evaluate("(el) => el.scrollWidth <= el.clientWidth")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_full_day_fits_its_box_and_the_totals_are_readable(browser, server, width):
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": VIEWPORT["height"]}
    )
    try:
        page = context.new_page()
        sign_in(page, MARIA)
        page.goto("/timesheet")
        # A day with nothing logged yet (the demo logs some time this week).
        totals = page.get_by_role("row", name="Total per day").locator("td")
        free = next(i for i in range(7) if totals.nth(i).inner_text().split()[-1] == "0")
        day = DAYS[free]
        new_line = page.get_by_label("New line: what the time is for").first
        new_line.select_option(index=1)
        row = new_line.locator("xpath=ancestor::tr")
        box = row.get_by_label(f"Hours on {day}")
        box.fill("23.75")
        assert _fits(box), f"23.75 does not fit in the {day} box"
        press(page, "Save timesheet")
        box = page.locator(".app-timesheet__hours").and_(page.get_by_label(f"Hours on {day}"))
        box = box.and_(page.locator('[value="23.75"]'))
        expect(box).to_have_value("23.75")
        assert _fits(box), f"23.75 does not fit in the saved {day} box"
        totals = page.get_by_role("row", name="Total per day")
        total = totals.get_by_text("23.75").first
        expect(total).to_be_visible()
        right = total.evaluate("(el) => el.getBoundingClientRect().right")
        assert right <= width, f"the day's total ends at {right} px in a {width} px window"
        assert too_wide(page) is None, too_wide(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_mistake_shows_the_summary_and_the_page_still_fits(browser, server, width):
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": VIEWPORT["height"]}
    )
    try:
        page = context.new_page()
        sign_in(page, MARIA)
        page.goto("/timesheet")
        # Hours on a new line with nothing chosen, and words in a box.
        blank = page.get_by_label("New line: what the time is for").first
        row = blank.locator("xpath=ancestor::tr")
        row.get_by_label("Hours on Tuesday").fill("lots")
        page.get_by_label("New line: what the time is for").last.locator(
            "xpath=ancestor::tr"
        ).get_by_label("Hours on Wednesday").fill("2")
        press(page, "Save timesheet")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("must be a number of hours")
        expect(summary).to_contain_text("Choose what the new line")
        assert too_wide(page) is None, too_wide(page)
    finally:
        context.close()
