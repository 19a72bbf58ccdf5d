"""The three journeys of issue 12, end to end in Chromium."""

from __future__ import annotations

from tests.browser import journeys
from tests.browser.journeys import Journey


def test_project_manager(new_page):
    journeys.run(Journey(new_page(), journeys.MARIA), journeys.PROJECT_MANAGER_STEPS)


def test_board_member(new_page):
    journeys.run(Journey(new_page(), journeys.JANE), journeys.BOARD_MEMBER_STEPS)


def test_pmo_analyst(new_page):
    journeys.run(Journey(new_page(), journeys.PMO), journeys.PMO_ANALYST_STEPS)
