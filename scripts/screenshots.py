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

# (file name, who signs in, path or a callable picking the path from the page)
SHOTS = [
    ("login", None, "/login"),
    ("projects", "priya.shah@example.gov.uk", "/projects/"),
    ("project", "maria.okafor@example.gov.uk", "project:ASC-2026-01"),
    ("project-form", "maria.okafor@example.gov.uk", "/projects/new"),
    ("organisations", "priya.shah@example.gov.uk", "/organisations/"),
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
            if target.startswith("project:"):
                page.goto(f"{base_url}/projects/?q={target.split(':', 1)[1]}")
                with page.expect_navigation():
                    page.click(f"text={target.split(':', 1)[1]}")
            else:
                page.goto(f"{base_url}{target}")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            context.close()
            print(f"saved {name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
