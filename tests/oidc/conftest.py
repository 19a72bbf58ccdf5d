"""The real OpenID provider, once per run, and the tracker configured to use it."""

from __future__ import annotations

import pytest

from tests.oidc.provider import require_provider, start_provider
from tracker.auth import sso

OTHER_CLIENT_ID = "another-application"


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    require_provider()
    running = start_provider(
        tmp_path_factory.mktemp("oidc"),
        ["http://localhost/login/sso/test/callback"],
        ["http://localhost/login"],
        # Another application registered at the same provider: its tokens are not ours.
        other_clients=(
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": "another-application-secret",
                "redirect_uris": ["http://localhost/login/sso/elsewhere/callback"],
            },
        ),
    )
    yield running
    running.stop()


@pytest.fixture
def with_providers(app, provider):
    """The suite's app, with these providers configured for one test."""
    saved = app.config["OIDC_PROVIDERS"]

    def configure(*settings):
        app.config["OIDC_PROVIDERS"] = list(settings) or [provider.settings()]
        sso.init_app(app)

    yield configure
    app.config["OIDC_PROVIDERS"] = saved
    sso.init_app(app)
