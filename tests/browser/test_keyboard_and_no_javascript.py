"""Keyboard alone, and JavaScript off: the ways people on locked-down laptops and with
assistive technology use the tracker."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser import journeys
from tests.browser.journeys import JANE, MARIA, Journey, expect_success
from tests.browser.pages import address, page_named


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def test_sign_in_and_decide_a_method_with_the_keyboard_alone(new_page, server):
    page = new_page()
    page.goto("/login")
    tab_to(page, "#email")
    page.keyboard.type(MARIA)
    tab_to(page, "#password")
    page.keyboard.type(journeys.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(address(server, page_named("method decision")))
    tab_to(page, "input[name=method]")
    for _ in range(5):
        if page.evaluate("() => document.activeElement.value") == "agile":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=method][value=agile]")).to_be_checked()
    tab_to(page, "input[name=drivers][value=project_needs]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=drivers][value=project_needs]")).to_be_checked()
    tab_to(page, "#rationale")
    page.keyboard.type("Social workers must see the new screens every fortnight.")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_success(page, "Recorded the decision: agile delivery")


def test_the_board_member_journey_works_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/login")
    expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))
    journeys.run(Journey(page, JANE), journeys.BOARD_MEMBER_STEPS)


def test_creating_and_assessing_a_project_works_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/login")
    expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))
    journeys.run(
        Journey(page, MARIA),
        [
            journeys.signs_in,
            journeys.opens_the_projects_list,
            journeys.creates_a_project,
            journeys.answers_the_assessment,
            journeys.decides_against_the_recommendation,
        ],
    )
