"""Take screenshots of the main pages for the README, in Debian's Chromium.

Usage: python scripts/screenshots.py BASE_URL PASSWORD
(the demo must be loaded; ``make screenshots`` starts a server and does all of this).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MARIA, TOM, JANE = (
    "maria.okafor@example.gov.uk",
    "tom.hughes@example.gov.uk",
    "cllr.jane.morgan@example.gov.uk",
)

# Pages whose charts sit below the fold are taken whole.
FULL_PAGE = {"assessment", "iterations"}

# (file name, who signs in, where to go: a path, or "project:CODE" then links to follow)
SHOTS = [
    ("login", None, ["/login"]),
    ("projects", "priya.shah@example.gov.uk", ["/projects/"]),
    ("project", MARIA, ["project:ASC-2026-01"]),
    ("assessment", MARIA, ["project:ASC-2026-01", "Why"]),
    ("decisions-inbox", JANE, ["/decisions"]),
    ("gate-review", JANE, ["/decisions", "Gate review"]),
    ("iterations", TOM, ["project:HOM-2026-02", "Iterations, velocity"]),
    ("project-form", MARIA, ["/projects/new"]),
    ("organisations", "priya.shah@example.gov.uk", ["/organisations/"]),
]


def main(base_url: str, password: str, extra: list[tuple[str, str, str]] | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for name, email, target in SHOTS + (extra or []):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if email:
                page.goto(f"{base_url}/login")
                page.fill("#email", email)
                page.fill("#password", password)
                with page.expect_navigation():
                    page.click("main button[type=submit]")
            first, *links = target
            if first.startswith("project:"):
                code = first.split(":", 1)[1]
                page.goto(f"{base_url}/projects/?q={code}")
                with page.expect_navigation():
                    page.click(f"main a:text-is('{code}')")
            else:
                page.goto(f"{base_url}{first}")
            for text in links:
                with page.expect_navigation():
                    page.click(f"main a:has-text('{text}')")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=name in FULL_PAGE)
            context.close()
            print(f"saved {name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
