"""Start the real OpenID provider (tests/oidc/provider.mjs, the `oidc-provider` package run by
Node.js) on a free port, for the single sign-on tests and the browser tests.

When Node.js or the package is missing the tests that need it are skipped with the reason,
unless TRACKER_REQUIRE_OIDC=1 (as CI sets): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PASSWORD = "provider-test-password"
CLIENT_ID = "tracker"
CLIENT_SECRET = "tracker-test-secret"
REQUIRE_OIDC = os.environ.get("TRACKER_REQUIRE_OIDC", "").lower() in {"1", "true", "yes"}


def provider_problem() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js (node) is not installed"
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        return "the npm package oidc-provider is not installed (run npm ci)"
    return None


def require_provider() -> None:
    problem = provider_problem()
    if problem is None:
        return
    message = f"The OpenID provider tests need a real provider: {problem}."
    if REQUIRE_OIDC:
        pytest.fail(message + " TRACKER_REQUIRE_OIDC is set, so this is a failure.")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    log: object

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()

    def settings(self, name: str = "test", **overrides) -> dict:
        """The tracker's settings for this provider (as config.oidc_providers reads them)."""
        return {
            "name": name,
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile groups",
            "label": "Sign in with Westshire Council",
            "organisation_claim": "organisation",
            "role_map": "tracker-pmo=pmo,tracker-superuser=superuser",
            **overrides,
        }

    def sign_in_at_provider(self, authorize_url: str, login: str) -> str:
        """What a person's browser does at the provider: follow the authorisation request,
        sign in on its page, and come back with the redirect to the tracker's callback."""
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _ in range(6):
            location = urljoin(self.issuer, response.headers["Location"])
            if not location.startswith(self.issuer):
                return location
            if "/interaction/" in location:
                browser.get(location, timeout=10)
                response = browser.post(
                    location,
                    data={"login": login, "password": PASSWORD},
                    allow_redirects=False,
                    timeout=10,
                )
            else:
                response = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never sent the browser back to the tracker")


def start_provider(
    tmp_path: Path,
    redirect_uris: list[str],
    logout_uris: list[str],
    port: int | None = None,
    other_clients: tuple[dict, ...] = (),
):
    """Start a provider; each start makes a new signing key (so a restart on the same port is
    a key rotation). ``other_clients`` registers more clients (another application)."""
    port = port or free_port()
    settings = tmp_path / "provider.json"
    settings.write_text(
        json.dumps(
            {
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": redirect_uris,
                        "post_logout_redirect_uris": logout_uris,
                    },
                    *other_clients,
                ]
            }
        )
    )
    log_path = tmp_path / "provider.log"
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        ["node", str(SCRIPT), str(port), str(settings)],  # noqa: S607
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("ready "):
        process.kill()
        process.wait()
        process.stdout.close()
        log.close()
        raise RuntimeError(f"the OpenID provider did not start: {line}{log_path.read_text()}")
    return RunningProvider(issuer=line.split()[1], process=process, log=log)


def callback_path(url: str) -> str:
    """The tracker's callback as the test client wants it: path and query."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
