"""The README's screenshots, taken from the running app in Chromium.

Only with TRACKER_SCREENSHOTS=1 (``make screenshots``), so ordinary test runs never rewrite
the files in docs/screenshots/."""

from __future__ import annotations

import os

import pytest

from tests.browser.journeys import sign_in
from tests.browser.pages import MAIN_PAGES, address
from tracker import PROJECT_ROOT

OUT = PROJECT_ROOT / "docs" / "screenshots"
SHOTS = [p for p in MAIN_PAGES if p.screenshot]
TAKING = os.environ.get("TRACKER_SCREENSHOTS", "").lower() in {"1", "true", "yes"}


@pytest.mark.skipif(not TAKING, reason="set TRACKER_SCREENSHOTS=1 to retake the screenshots")
@pytest.mark.parametrize("main_page", SHOTS, ids=[p.screenshot for p in SHOTS])
def test_screenshots(new_page, server, main_page):
    page = new_page()
    if main_page.email:
        sign_in(page, main_page.email)
    response = page.goto(address(server, main_page))
    assert response is not None and response.ok
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{main_page.screenshot}.png"
    page.screenshot(path=str(path), full_page=main_page.full_page)
    assert path.stat().st_size > 10_000
