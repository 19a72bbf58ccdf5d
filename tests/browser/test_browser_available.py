"""Says, in one line, why the browser tests are skipped (or, in CI, fails): this module needs
neither Playwright nor Chromium to be collected."""

from __future__ import annotations

from urllib.request import urlopen


def test_the_live_server_answers(live_server):
    with urlopen(f"{live_server.url}/health", timeout=10) as response:  # noqa: S310
        assert response.status == 200
