"""The people's journeys through the app, one function per step.

A step takes the journey (the page and what earlier steps learned, such as the project's
address), does what a person would do (follow links, fill in labelled fields, press buttons)
and checks what they would see. The step lists at the bottom are the journeys: features that
land later (logging a week of time, the portfolio dashboard and its export) are new step
functions inserted in those lists.

Steps use nothing but links, labels and buttons, so they work with JavaScript off as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD

ADMIN = "admin@example.gov.uk"
PMO = "priya.shah@example.gov.uk"
MARIA = "maria.okafor@example.gov.uk"
TOM = "tom.hughes@example.gov.uk"
JANE = "cllr.jane.morgan@example.gov.uk"
SARAH = "sarah.lewis@example.gov.uk"
FATIMA = "fatima.ali@example.gov.uk"

NEW_PROJECT_CODE = "FLD-2026-99"
NEW_PROJECT_NAME = "Flood warning text alerts"


@dataclass
class Journey:
    """A person's way through the app, and what the steps so far have found out."""

    page: Page
    email: str
    today: date = field(default_factory=date.today)
    project_url: str | None = None
    iteration_url: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


Step = Callable[[Journey], None]


def run(journey: Journey, steps: list[Step]) -> Journey:
    for step in steps:
        step(journey)
    return journey


def expect_success(page: Page, message: str | re.Pattern) -> None:
    """The page says what happened in a success banner (and shows no errors)."""
    problems = page.locator(
        ".govuk-error-summary, .govuk-notification-banner:not(.govuk-notification-banner--success)"
    )
    if problems.count():
        text = " ".join(problems.first.text_content().split())
        raise AssertionError(f"{page.url} shows: {text}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(message)


def press(page: Page, name: str | re.Pattern) -> None:
    """Press a button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def follow(page: Page, name: str | re.Pattern, *, exact: bool = False) -> None:
    """Follow a link in the page's main content."""
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=name, exact=exact).first.click()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --- shared steps ------------------------------------------------------------------------


def signs_in(journey: Journey) -> None:
    sign_in(journey.page, journey.email)


def opens_the_projects_list(journey: Journey) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")


# --- the project manager -----------------------------------------------------------------


def creates_a_project(journey: Journey) -> None:
    page, today = journey.page, journey.today
    follow(page, "Create a project")
    page.get_by_label("Project code").fill(NEW_PROJECT_CODE)
    page.get_by_label("Project name").fill(NEW_PROJECT_NAME)
    page.get_by_label("Problem statement").fill(
        "Residents in flood zones hear about warnings too late: the county sends them by "
        "post and on its website only."
    )
    page.get_by_label("Lead organisation").select_option(label="Northshire County Council")
    page.get_by_label("Northshire Police").check()
    page.get_by_label("Budget at completion").fill("120000")
    page.get_by_label("Planned start").fill((today - timedelta(days=14)).isoformat())
    page.get_by_label("Planned finish").fill((today + timedelta(days=300)).isoformat())
    page.get_by_label("Essential funds").check()
    press(page, re.compile("Create project|Save"))
    expect_success(page, NEW_PROJECT_CODE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEW_PROJECT_NAME)
    journey.project_url = page.url


BOARD = (
    ("Cllr Jane Morgan", "cllr.jane.morgan@example.gov.uk", "Executive"),
    ("Sarah Lewis", "sarah.lewis@example.gov.uk", "Senior user"),
    ("Fatima Ali", "fatima.ali@example.gov.uk", "Customer representative"),
)


def adds_the_board(journey: Journey) -> None:
    """The board who decide its gates, and a customer representative, join the project."""
    page = journey.page
    for person, email, role in BOARD:
        page.locator("main #email").fill(email)
        page.get_by_label("Role on this project").select_option(label=role)
        press(page, re.compile("^Add"))
        expect(page.locator("main")).to_contain_text(person)


def answers_the_assessment(journey: Journey) -> None:
    """A stable, well-understood piece of work: the model recommends stage gates."""
    page = journey.page
    page.goto(journey.project_url)
    follow(page, re.compile("Assess the project|Re-assess the project|Answer the assessment"))
    for group in page.locator("main fieldset:has(input[type=radio][value='1'])").all():
        group.locator("input[type=radio][value='1']").check()
    page.get_by_label("Team size").fill("6")
    page.get_by_label("Control").check()
    press(page, re.compile("Save|Assess|Get"))
    expect_success(page, "Assessment saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommended method: stage-gated")
    journey.notes["assessment_url"] = page.url


def decides_against_the_recommendation(journey: Journey) -> None:
    """Hybrid instead of the recommended stage gates, with the reason on record."""
    page = journey.page
    page.goto(journey.project_url)
    follow(page, "Record a method decision")
    page.get_by_label("Hybrid", exact=True).check()
    page.get_by_label("Project needs").check()
    page.get_by_label("Rationale").fill(
        "The alert wording must be tested with residents every fortnight; the contract "
        "with the text provider still needs a gate."
    )
    press(page, re.compile("Record|Save"))
    expect_success(page, "Recorded the decision: hybrid delivery")
    latest = page.locator("main .govuk-summary-card").first
    expect(latest).to_contain_text("alert wording must be tested")
    expect(latest).to_contain_text("Recommended at the time Stage-gated")
    follows = latest.locator(".govuk-summary-list__row", has_text="Follows the recommendation")
    expect(follows).to_contain_text("No")


def plans_a_stage(journey: Journey) -> None:
    page, today = journey.page, journey.today
    page.goto(journey.project_url)
    follow(page, re.compile("Stage plan|Plan a stage"))
    if page.get_by_role("heading", level=1, name=re.compile("Plan a stage")).count() == 0:
        follow(page, "Plan a stage")
    page.get_by_label("Stage name").fill("Pilot in two flood zones")
    page.get_by_label("Planned start").fill(today.isoformat())
    page.get_by_label("Planned finish").fill((today + timedelta(days=90)).isoformat())
    page.get_by_label("Planned budget").fill("40000")
    press(page, re.compile("Plan stage|Save"))
    expect_success(page, "Planned")


def plans_an_iteration(journey: Journey) -> None:
    page, today = journey.page, journey.today
    page.goto(journey.project_url)
    follow(page, "Plan an iteration")
    page.get_by_label("Name").first.fill("Sprint 1")
    page.get_by_label("Goal").fill("Residents in one flood zone can sign up for text alerts.")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=13)).isoformat())
    page.get_by_label(re.compile("Committed")).fill("8")
    press(page, "Plan iteration")
    expect_success(page, "Sprint 1")
    journey.iteration_url = page.url


def sees_the_iteration_wait_for_the_board(journey: Journey) -> None:
    """The manager plans sprints, but the board starts the project: no start button yet."""
    page = journey.page
    page.goto(journey.iteration_url)
    expect(page.locator("main")).to_contain_text(
        "it starts its iterations once the board has approved its start gate"
    )
    expect(page.get_by_role("button", name="Start Sprint 1")).to_have_count(0)


def the_board_approves_the_start_gate(journey: Journey) -> None:
    """Each board member the gate was asked of signs in and approves it; the project is
    then active, and the manager signs back in."""
    page = journey.page
    for email in (JANE, SARAH):
        press(page, "Sign out")
        sign_in(page, email)
        page.goto(journey.notes["gate_url"])
        if page.get_by_role("button", name="Record my decision").count() == 0:
            continue
        page.get_by_label("Approve", exact=True).check()
        press(page, "Record my decision")
        expect_success(page, "Recorded your decision")
    expect(page.locator("main")).to_contain_text("Approved")
    press(page, "Sign out")
    sign_in(page, journey.email)
    page.goto(journey.project_url)
    expect(page.locator("main")).to_contain_text("Active")


def starts_the_iteration(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.iteration_url)
    press(page, "Start Sprint 1")
    expect_success(page, "Sprint 1")


def logs_a_week_of_time(journey: Journey) -> None:
    """Seven hours a day on the new project, Monday to today (no future days), in one save."""
    page, today = journey.page, journey.today
    page.goto("/timesheet")
    new_line = page.get_by_label("New line: what the time is for").first
    option = new_line.locator("option", has_text=NEW_PROJECT_CODE).first
    new_line.select_option(value=option.get_attribute("value"))
    row = page.locator("main tr", has=new_line)
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range((today - monday).days + 1)]
    for n, _ in enumerate(days):
        row.locator("input.govuk-input").nth(n).fill("7")
    press(page, "Save timesheet")
    expect_success(page, re.compile("saved|timesheet", re.I))
    expect(page.locator("main")).to_contain_text(NEW_PROJECT_CODE)
    # The line's own total, in its last cell (whatever else on the page shows that number).
    saved = page.locator("main tr", has_text=NEW_PROJECT_CODE).first
    # (The cell starts with a visually hidden "Week" for screen readers.)
    expect(saved.locator("td, th").last).to_have_text(re.compile(rf"(?<![\d.]){7 * len(days)}$"))


def records_customer_feedback(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.iteration_url)
    follow(page, "Record feedback")
    page.get_by_label("Citizen").check()
    page.get_by_label("Name or group (optional)").fill("Residents' panel, Riverside ward")
    page.locator("main fieldset", has_text="Rating").get_by_label("4").check()
    page.get_by_label("What they said").fill(
        "The sign-up text was clear, but people want alerts in Welsh and Polish too."
    )
    page.locator("main fieldset", has_text="agree to proceed").locator("input").first.check()
    press(page, "Record feedback")
    expect_success(page, re.compile("feedback", re.I))
    expect(page.locator("main")).to_contain_text("alerts in Welsh and Polish")


def requests_a_gate(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.project_url)
    follow(page, re.compile("Stage plan"))
    follow(page, re.compile("Request a gate decision"))
    page.get_by_label("What was delivered against the plan").fill(
        "The start-up products: brief, stage plan and the supplier shortlist."
    )
    page.get_by_label("Forecast").fill("Finish on time and within budget.")
    page.get_by_label("Lessons learned").fill("Ask residents early; they answer quickly.")
    page.get_by_label("Plan for what comes next").fill("Pilot in two flood zones.")
    page.get_by_label("Yes").check()
    press(page, re.compile("Request"))
    expect_success(page, "Requested the gate decision")
    journey.notes["gate_url"] = page.url


PROJECT_MANAGER_STEPS: list[Step] = [
    signs_in,
    opens_the_projects_list,
    creates_a_project,
    adds_the_board,
    answers_the_assessment,
    decides_against_the_recommendation,
    plans_a_stage,
    plans_an_iteration,
    sees_the_iteration_wait_for_the_board,
    requests_a_gate,
    the_board_approves_the_start_gate,
    starts_the_iteration,
    logs_a_week_of_time,
    records_customer_feedback,
]


# --- the board member --------------------------------------------------------------------


def opens_the_decisions_inbox(journey: Journey) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Decisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Awaiting my decision")


def reads_the_end_stage_report(journey: Journey) -> None:
    page = journey.page
    follow(page, re.compile("Gate review.*ASC-2026-01"))
    expect(page.get_by_role("heading", name="End-stage report")).to_be_visible()
    # The report's own list (the gate page also lists the business case before the board).
    report = page.locator("main .govuk-summary-list").filter(has_text="Delivered against plan")
    expect(report).to_have_count(1)
    for label in ("Delivered against plan", "Forecast", "Lessons learned"):
        expect(report).to_contain_text(label)
    journey.project_url = page.url


def approves_with_conditions(journey: Journey) -> None:
    page = journey.page
    page.get_by_label("Approve with conditions").check()
    page.get_by_label("Conditions or comment").fill(
        "Bring the revised data migration plan to the next highlight report."
    )
    press(page, "Record my decision")
    expect_success(page, "Recorded your decision")
    # The decisions table (the gate page also tables the business case's options and funding).
    decisions = page.locator("main table").filter(has_text="Conditions or comment")
    expect(decisions).to_contain_text("revised data migration plan")


BOARD_MEMBER_STEPS: list[Step] = [
    signs_in,
    opens_the_decisions_inbox,
    reads_the_end_stage_report,
    approves_with_conditions,
]


# --- the PMO analyst ---------------------------------------------------------------------


def filters_projects_by_organisation(journey: Journey) -> None:
    page = journey.page
    page.get_by_label("Organisation").select_option(label="Eastvale Borough Council")
    press(page, re.compile("Apply|Filter|Search"))
    codes = page.locator("main table tbody tr th, main table tbody tr td:first-child")
    expect(codes.first).to_be_visible()
    expect(page.locator("main table")).to_contain_text("HOM-2026-02")
    expect(page.locator("main table")).not_to_contain_text("ASC-2026-01")


def opens_the_portfolio_dashboard(journey: Journey) -> None:
    page = journey.page
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Portfolio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio")
    expect(page.locator("#compare-methods")).to_contain_text("Median CPI")
    expect(page.locator("main")).to_contain_text("observational, not causal")


def filters_the_portfolio_by_organisation(journey: Journey) -> None:
    page = journey.page
    page.get_by_label("Organisation").select_option(label="Eastvale Borough Council")
    press(page, "Apply filters")
    expect(page.get_by_label("Organisation")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#compare-recommendation")).to_contain_text("Departed from it")
    expect(page.locator("#driver-shares")).to_contain_text("EBC")


def exports_to_excel(journey: Journey) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    page = journey.page
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name="Export the table to Excel (XLSX)").click()
    assert re.fullmatch(r"portfolio-\d{4}-\d\d-\d\d-\d{4}\.xlsx", download.value.suggested_filename)
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(BytesIO(file.read()))["Portfolio"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Code", "Name", "Lead organisation", "Method")
    codes = {row[0] for row in rows[1:]}
    assert "HOM-2026-02" in codes
    assert "ASC-2026-01" not in codes


PMO_ANALYST_STEPS: list[Step] = [
    signs_in,
    opens_the_projects_list,
    filters_projects_by_organisation,
    opens_the_portfolio_dashboard,
    filters_the_portfolio_by_organisation,
    exports_to_excel,
]
