"""Signing in through a real OpenID provider (tests/oidc/provider.mjs) in Chromium: a person
clicks "Sign in with …", signs in at the provider, and lands on My work with an account in
their organisation; a member of the provider's PMO group sees the whole portfolio."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.oidc.provider import PASSWORD, require_provider, start_provider
from tracker.auth import sso

ORGANISATION = "Northshire County Council"


@pytest.fixture(scope="module")
def provider_for_browser(live_server, tmp_path_factory):
    """The provider, with the live server configured to use it for this module only."""
    require_provider()
    running = start_provider(
        tmp_path_factory.mktemp("oidc-browser"),
        [f"{live_server.url}/login/sso/test/callback"],
        [f"{live_server.url}/login"],
    )
    app = live_server.app
    saved = app.config["OIDC_PROVIDERS"]
    app.config["OIDC_PROVIDERS"] = [
        running.settings(organisation_claim=None, organisation=ORGANISATION)
    ]
    sso.init_app(app)
    yield running
    app.config["OIDC_PROVIDERS"] = saved
    sso.init_app(app)
    running.stop()


def _sign_in_at_provider(page: Page, login: str) -> None:
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Westshire Council").click()
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_a_new_person_signs_in_and_lands_on_my_work(provider_for_browser, new_page, server):
    page = new_page()
    _sign_in_at_provider(page, "ada")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url.startswith(server.url)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    # The account was made in the provider's organisation.
    page.goto("/organisations/")
    page.get_by_role("link", name=ORGANISATION).click()
    expect(page.get_by_role("cell", name="Ada Verified")).to_be_visible()
    # Not PMO: no way to add organisations.
    expect(page.get_by_role("link", name="Add an organisation")).to_have_count(0)
    # Signing out offers the provider's own sign-out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign out of Westshire Council too")).to_be_visible()


def test_a_member_of_the_pmo_group_sees_the_whole_portfolio(provider_for_browser, new_page, server):
    page = new_page()
    _sign_in_at_provider(page, "pia")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.goto("/organisations/")
    expect(page.get_by_role("link", name="Add an organisation")).to_be_visible()


def test_a_person_disabled_at_the_provider_is_told_why(provider_for_browser, new_page, server):
    page = new_page()
    _sign_in_at_provider(page, "dan")
    expect(page.get_by_role("heading", name="You have not been signed in")).to_be_visible()
    expect(page.get_by_text("This account is disabled")).to_be_visible()
