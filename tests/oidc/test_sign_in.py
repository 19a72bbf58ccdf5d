"""Single sign-on against a real OpenID provider (oidc-provider, run by Node.js)."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from tests.oidc.conftest import OTHER_CLIENT_ID
from tests.oidc.provider import callback_path, free_port, start_provider
from tracker.audit.models import AuditEntry
from tracker.auth import sso
from tracker.auth.models import SignInIdentity, User
from tracker.auth.sso_rules import SignInRefused
from tracker.extensions import db as _db


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _sign_in(client, provider, login, name="test"):
    """The whole flow: start at the tracker, sign in at the provider, come back."""
    start = client.get(f"/login/sso/{name}")
    assert start.status_code == 302, start.text
    authorize_url = start.headers["Location"]
    back = provider.sign_in_at_provider(authorize_url, login)
    return client.get(callback_path(back)), authorize_url


@pytest.fixture
def westshire(make_org):
    return make_org("Westshire Council", short_name="WCC")


def _person(email):
    return _db.session.scalars(select(User).where(User.email == email)).first()


def test_the_authorisation_request_uses_pkce_state_and_nonce(client, with_providers):
    with_providers()
    start = client.get("/login/sso/test")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile groups"]


def test_first_sign_in_creates_the_person_in_their_organisation(
    client, with_providers, provider, westshire
):
    with_providers()
    response, _ = _sign_in(client, provider, "ada")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    person = _person("ada@westshire.example")
    assert person.name == "Ada Verified"
    assert person.organisation_id == westshire.id
    assert person.global_role is None
    assert person.must_change_password is False
    assert not person.check_password("")
    assert not person.has_password
    identity = _db.session.scalars(select(SignInIdentity)).one()
    assert (identity.issuer, identity.subject, identity.user_id) == (
        provider.issuer,
        "ada",
        person.id,
    )
    linked = _db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.identity_linked")
    ).one()
    assert linked.object_id == person.id
    assert "signed in for the first time with Westshire Council" in linked.summary
    # Signed in: My work answers, not the sign-in page.
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Ada Verified" in home.text


def test_a_returning_person_is_matched_on_the_subject(client, with_providers, provider, westshire):
    with_providers()
    _sign_in(client, provider, "ada")
    client.post("/logout")
    people = _count(User)
    person = _person("ada@westshire.example")
    # The address changes in the tracker: the subject still finds the same person.
    person.email = "ada.lovelace@westshire.example"
    _db.session.commit()
    response, _ = _sign_in(client, provider, "ada")
    assert response.status_code == 302
    assert _count(User) == people
    assert _count(SignInIdentity) == 1
    assert client.get("/account").status_code == 200


def test_first_sign_in_links_an_existing_account_with_the_verified_email(
    client, with_providers, provider, westshire, make_user
):
    with_providers()
    existing = make_user("Ada Local", email="ada@westshire.example")
    people = _count(User)
    response, _ = _sign_in(client, provider, "ada")
    assert response.status_code == 302
    assert _count(User) == people
    identity = _db.session.scalars(select(SignInIdentity)).one()
    assert identity.user_id == existing.id


def test_an_unverified_email_is_refused_and_nothing_is_created(
    client, with_providers, provider, westshire, make_user, caplog
):
    with_providers()
    make_user("Ben Local", email="ben@westshire.example")  # the address exists: not linked
    people = _count(User)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response, _ = _sign_in(client, provider, "ben")
    assert response.status_code == 403
    assert "has not verified your email address" in response.text
    assert _count(User) == people
    assert _count(SignInIdentity) == 0
    assert "email_verified is False" in caplog.text
    assert client.get("/account").status_code == 302  # not signed in


def test_a_provider_group_gives_the_pmo_role(client, with_providers, provider, westshire):
    with_providers()
    response, _ = _sign_in(client, provider, "pia")
    assert response.status_code == 302
    assert _person("pia@westshire.example").global_role == "pmo"
    # PMO sees the whole portfolio.
    assert client.get("/portfolio/").status_code in {200, 302}
    assert client.get("/organisations/new").status_code == 200


def test_a_group_mapped_to_an_unknown_role_is_refused(
    client, with_providers, provider, westshire, caplog
):
    with_providers()
    people = _count(User)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response, _ = _sign_in(client, provider, "una")
    assert response.status_code == 403
    assert "role the tracker does not know" in response.text
    assert _count(User) == people
    assert "maps to unknown role 'superuser'" in caplog.text


def test_a_person_disabled_at_the_provider_is_refused(
    client, with_providers, provider, westshire, caplog
):
    with_providers()
    people = _count(User)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response, _ = _sign_in(client, provider, "dan")
    assert response.status_code == 403
    assert "did not let you sign in" in response.text
    assert "This account is disabled" in response.text
    assert _count(User) == people
    assert "access_denied" in caplog.text


def test_a_person_deactivated_in_the_tracker_is_refused(
    client, with_providers, provider, westshire
):
    with_providers()
    _sign_in(client, provider, "ada")
    client.post("/logout")
    person = _person("ada@westshire.example")
    person.is_active_user = False
    _db.session.commit()
    response, _ = _sign_in(client, provider, "ada")
    assert response.status_code == 403
    assert "deactivated" in response.text


def test_an_unknown_organisation_is_refused(client, with_providers, provider, caplog):
    with_providers()
    people = _count(User)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response, _ = _sign_in(client, provider, "nho")
    assert response.status_code == 403
    assert "Westshire NHS Trust, is not set up in the tracker" in response.text
    assert _count(User) == people


def test_a_wrong_state_is_refused(client, with_providers, provider, westshire, caplog):
    with_providers()
    start = client.get("/login/sso/test")
    back = provider.sign_in_at_provider(start.headers["Location"], "ada")
    forged = back.replace("state=", "state=forged")
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response = client.get(callback_path(forged))
    assert response.status_code == 400
    assert "Start again from the sign-in page" in response.text
    assert _person("ada@westshire.example") is None
    assert "state in the answer does not match" in caplog.text
    # The genuine answer, replayed after a refusal of another: still good once...
    assert client.get(callback_path(back)).status_code == 302
    client.post("/logout")
    # ...and never twice.
    assert client.get(callback_path(back)).status_code == 400


def test_a_tampered_expired_or_replayed_id_token_is_refused(
    app, client, with_providers, provider, westshire
):
    with_providers()
    response, authorize_url = _sign_in(client, provider, "ada")
    assert response.status_code == 302
    nonce = parse_qs(urlsplit(authorize_url).query)["nonce"][0]
    with client.session_transaction() as session:
        id_token = session[sso.SIGNED_IN_KEY]["id_token"]
    header, payload, signature = id_token.split(".")
    settings = sso.provider("test")
    with app.test_request_context():
        # The real token verifies (so the refusals below are the tampering's doing).
        assert sso.verify_id_token(settings, id_token, nonce)["sub"] == "ada"
        forged_payload = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
        with pytest.raises(SignInRefused) as refused:
            sso.verify_id_token(settings, f"{header}.{forged_payload}.{signature}", nonce)
        assert "signature does not verify" in refused.value.log
        with pytest.raises(SignInRefused) as refused:
            sso.verify_id_token(settings, id_token, "another-nonce")
        assert "nonce does not match" in refused.value.log
        # The same token two hours later (its life is an hour, the leeway two minutes).
        later = time_machine.travel(time.time() + 7200, tick=False)
        with later, pytest.raises(SignInRefused) as refused:
            sso.verify_id_token(settings, id_token, nonce)
        assert "expired" in refused.value.log


def test_a_provider_that_is_down_gets_a_clear_page(client, with_providers, provider, caplog):
    down = provider.settings("down", issuer=f"http://127.0.0.1:{free_port()}")
    with_providers(provider.settings(), down)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response = client.get("/login/sso/down")
    assert response.status_code == 503
    assert "is not answering at the moment" in response.text
    assert "break-glass administrator" in response.text
    assert "unreachable" in caplog.text


def test_an_issuer_that_does_not_match_is_refused(client, with_providers, provider, caplog):
    mismatched = provider.settings(
        "other", issuer=provider.issuer.replace("127.0.0.1", "localhost")
    )
    with_providers(mismatched)
    with caplog.at_level(logging.WARNING, logger="tracker.sso"):
        response = client.get("/login/sso/other")
    assert response.status_code == 502
    assert "is not the configured issuer" in caplog.text


def test_signing_out_offers_the_providers_sign_out(client, with_providers, provider, westshire):
    with_providers()
    _sign_in(client, provider, "ada")
    page = client.post("/logout", follow_redirects=True)
    assert "Sign out of Westshire Council too" in page.text
    leave = client.get("/logout/sso")
    assert leave.status_code == 302
    target = urlsplit(leave.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == provider.issuer
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["id_token_hint"]


def test_a_provider_trusted_for_email_creates_people_without_email_verified(
    client, with_providers, provider, westshire
):
    with_providers(provider.settings(trust_email="true"))
    response, _ = _sign_in(client, provider, "ben")
    assert response.status_code == 302
    assert _person("ben@westshire.example").organisation_id == westshire.id


def test_provider_settings_from_the_environment():
    from config import oidc_providers
    from tracker.auth.sso_rules import provider_settings

    raw = oidc_providers(
        {
            "TRACKER_OIDC_PROVIDERS": "westshire, nhs-trust",
            "TRACKER_OIDC_WESTSHIRE_ISSUER": "https://login.example/tenant/v2.0",
            "TRACKER_OIDC_WESTSHIRE_CLIENT_ID": "abc",
            "TRACKER_OIDC_WESTSHIRE_CLIENT_SECRET": "xyz",
            "TRACKER_OIDC_WESTSHIRE_ROLE_MAP": "Tracker.PMO=pmo, Tracker.Admin=admin",
            "TRACKER_OIDC_NHS_TRUST_ISSUER": "https://nhs.example",
        }
    )
    westshire = provider_settings(raw[0])
    assert westshire.role_map == {"Tracker.PMO": "pmo", "Tracker.Admin": "admin"}
    assert westshire.label == "Sign in with westshire"
    assert westshire.metadata_url == (
        "https://login.example/tenant/v2.0/.well-known/openid-configuration"
    )
    with pytest.raises(ValueError, match="TRACKER_OIDC_NHS_TRUST_CLIENT_ID"):
        provider_settings(raw[1])


def test_keys_are_cached_and_fetched_again_when_the_provider_rotates_them(
    app, client, with_providers, westshire, tmp_path
):
    """The same provider restarted on its port signs with a new key: the tracker's cached
    keys do not have it, so it fetches them again instead of refusing the sign-in."""
    port = free_port()
    (tmp_path / "first").mkdir()
    (tmp_path / "rotated").mkdir()
    uris = (["http://localhost/login/sso/test/callback"], ["http://localhost/login"])
    first = start_provider(tmp_path / "first", *uris, port=port)
    try:
        with_providers(first.settings())
        response, _ = _sign_in(client, first, "ada")
        assert response.status_code == 302
        client.post("/logout")
    finally:
        first.stop()
    cached = _client_keys(app)
    rotated = start_provider(tmp_path / "rotated", *uris, port=port)
    try:
        response, _ = _sign_in(client, rotated, "ada")
        assert response.status_code == 302
        assert client.get("/account").status_code == 200
        assert _client_keys(app) != cached
    finally:
        rotated.stop()


def _client_keys(app) -> set[str]:
    client = app.extensions[sso.EXTENSION].client("test")
    return {key["kid"] for key in client.server_metadata["jwks"]["keys"]}


def test_with_passwords_switched_off_the_sign_in_page_leads_with_the_provider(
    client, with_providers, make_user, login
):
    with_providers()
    assert "Or sign in with a password" in client.get("/login").text
    admin = make_user("Admin", global_role="admin")
    login(admin)
    client.post("/users/sign-in", data={"local_sign_in": "break_glass", "version": "0"})
    client.post("/logout")
    page = client.get("/login").text
    assert "Sign in with Westshire Council" in page
    assert "Or sign in with a password" not in page
    assert "Break-glass administrator sign-in" in page


def test_an_id_token_issued_to_another_application_is_refused(
    app, client, with_providers, provider, westshire
):
    """A real token from the same provider, for another client: the audience check refuses it."""
    elsewhere = provider.settings(
        "elsewhere", client_id=OTHER_CLIENT_ID, client_secret="another-application-secret"
    )
    with_providers(provider.settings(), elsewhere)
    response, authorize_url = _sign_in(client, provider, "ada", name="elsewhere")
    assert response.status_code == 302
    nonce = parse_qs(urlsplit(authorize_url).query)["nonce"][0]
    with client.session_transaction() as session:
        foreign = session[sso.SIGNED_IN_KEY]["id_token"]
    with app.test_request_context():
        assert sso.verify_id_token(sso.provider("elsewhere"), foreign, nonce)["aud"]
        with pytest.raises(SignInRefused) as refused:
            sso.verify_id_token(sso.provider("test"), foreign, nonce)
    assert "issued to another client" in refused.value.log
