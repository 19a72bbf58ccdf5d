"""axe-core on every main page, as the person who would use it: no serious or critical
violations. axe is injected from its npm package; the page's CSP (script-src 'self') is
bypassed for this injection only, in these tests' own browser contexts."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import AXE_SCRIPT
from tests.browser.journeys import MARIA, sign_in
from tests.browser.pages import MAIN_PAGES, address

BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {json.dumps(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core found serious or critical problems on {page.url}:\n{describe(violations)}"
    )


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_no_serious_accessibility_problems(new_page, server, main_page):
    page = new_page(bypass_csp=True)
    if main_page.email:
        sign_in(page, main_page.email)
    response = page.goto(address(server, main_page))
    assert response is not None and response.ok, f"{main_page.name}: HTTP {response.status}"
    assert_accessible(page)


def test_a_form_showing_errors_is_accessible(new_page):
    """The error summary and inline error messages, as a person sees them after a mistake."""
    page = new_page(bypass_csp=True)
    sign_in(page, MARIA)
    page.goto("/projects/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Create project").click()
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator(".govuk-error-message").count() >= 3
    assert_accessible(page)
