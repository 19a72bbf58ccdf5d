"""The people picker and the narrowed time-entry lists, in a real browser.

A board member is added by typing part of their name and choosing them from GOV.UK's
accessible autocomplete; without JavaScript the same box takes a full name. A time entry's
stage and iteration lists offer only the chosen project's."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import MARIA, expect_success, press, sign_in
from tests.browser.pages import ASC, address, page_named

DEV = "Dev Patel"  # not on ASC's board in the demo


def _team_list(page):
    return page.locator("#team").locator("xpath=following::ul[1]")


def test_a_board_member_is_added_by_typing_part_of_their_name(new_page, server):
    page = new_page()
    sign_in(page, MARIA)
    page.goto(address(server, page_named("project page")))
    box = page.get_by_role("combobox", name=re.compile("Name or email address of the person"))
    box.press_sequentially("pate", delay=30)
    suggestion = page.get_by_role("option", name=re.compile(DEV))
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(box).to_have_value(re.compile(rf"^{DEV} \(dev\.patel@"))
    page.get_by_label("Role on this project").select_option(label="Senior supplier")
    press(page, "Add to team")
    expect_success(page, "Added to the project team.")
    expect(page.locator("main")).to_contain_text(DEV)


def test_without_javascript_a_full_name_adds_the_person(new_page, server):
    page = new_page(javascript=False)
    sign_in(page, MARIA)
    page.goto(address(server, page_named("project page")))
    page.get_by_label("Name or email address of the person").fill(DEV.lower())
    page.get_by_label("Role on this project").select_option(label="Senior supplier")
    press(page, "Add to team")
    expect_success(page, "Added to the project team.")


def _option_codes(select) -> set[str]:
    texts = select.locator("option").all_inner_texts()
    return {text.split(" – ")[0] for text in texts if " – " in text}


def test_time_entry_offers_only_the_chosen_projects_stages_and_iterations(new_page, server):
    page = new_page()
    sign_in(page, MARIA)
    page.goto("/time/new")
    project = page.get_by_label("Project", exact=True)
    stage = page.get_by_label("Stage")
    choices = [text for text in project.locator("option").all_inner_texts() if text.strip()]
    codes = [text.split(" ")[0] for text in choices if re.match(r"[A-Z]{3}-\d{4}-\d{2}", text)]
    assert ASC in codes and len(codes) >= 2, codes
    everything = _option_codes(stage) | _option_codes(page.get_by_label("Iteration"))
    assert len(everything) >= 2, f"the demo should offer stages of several projects: {everything}"
    for code in codes:
        label = next(text for text in choices if text.startswith(code))
        project.select_option(label=label)
        offered = _option_codes(stage) | _option_codes(page.get_by_label("Iteration"))
        assert offered <= {code}, f"{code} chosen, but offered {offered}"
