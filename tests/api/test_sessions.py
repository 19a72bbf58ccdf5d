"""Sessions end on the server, failed sign-ins look alike, and a new password ends old tokens."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask_login.utils import encode_cookie
from sqlalchemy import select

from tests.api.conftest import Api
from tracker.api.models import ApiToken

PASSWORD = "a long passphrase here"


def _sign_in(client, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, make_user):
    make_user(email="copied@example.gov.uk", password=PASSWORD)
    _sign_in(client, "copied@example.gov.uk")
    cookie = client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/account").status_code == 200  # the copy works while signed in

    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert thief.get("/account").status_code == 302
    assert thief.get("/account").headers["Location"].startswith("/login")


def test_a_remember_cookie_made_before_sign_out_stops_working(app, client, make_user):
    user = make_user(email="remember@example.gov.uk", password=PASSWORD)
    with app.test_request_context():
        remembered = encode_cookie(user.get_id())
    other = app.test_client()
    other.set_cookie("remember_token", remembered)
    assert other.get("/account").status_code == 200

    _sign_in(client, "remember@example.gov.uk")
    client.post("/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered)
    assert fresh.get("/account").status_code == 302


def test_signing_in_again_after_sign_out_works(client, make_user):
    make_user(email="again@example.gov.uk", password=PASSWORD)
    _sign_in(client, "again@example.gov.uk")
    client.post("/logout")
    _sign_in(client, "again@example.gov.uk")
    assert client.get("/account").status_code == 200


class _Spy:
    """Counts argon2 verifications, and still verifies."""

    def __init__(self, monkeypatch):
        self.hashes: list[str] = []
        real = PasswordHasher.verify

        def verify(hasher, hash, password):
            self.hashes.append(hash)
            return real(hasher, hash, password)

        monkeypatch.setattr(PasswordHasher, "verify", verify)


def test_an_unknown_account_still_checks_a_password_hash(client, make_user, monkeypatch):
    make_user(email="known@example.gov.uk", password=PASSWORD)
    spy = _Spy(monkeypatch)
    unknown = client.post("/login", data={"email": "nobody@example.gov.uk", "password": "x" * 12})
    assert unknown.status_code == 400
    assert "Email address or password is not correct" in unknown.get_data(as_text=True)
    assert len(spy.hashes) == 1
    assert spy.hashes[0].startswith("$argon2id$")

    known = client.post("/login", data={"email": "known@example.gov.uk", "password": "x" * 12})
    assert known.status_code == 400
    assert len(spy.hashes) == 2
    # Same message, same work, whether or not the account exists.
    assert known.get_data(as_text=True).count("Email address or password is not correct") == (
        unknown.get_data(as_text=True).count("Email address or password is not correct")
    )


def test_a_deactivated_account_checks_its_hash_too(client, make_user, db, monkeypatch):
    user = make_user(email="inactive@example.gov.uk", password=PASSWORD)
    user.is_active_user = False
    db.session.commit()
    spy = _Spy(monkeypatch)
    response = client.post(
        "/login", data={"email": "inactive@example.gov.uk", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert len(spy.hashes) == 1


def _change_password(client):
    return client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a different passphrase",
            "confirm_password": "a different passphrase",
        },
    )


def test_changing_your_password_revokes_your_tokens(client, login, make_user, db, token_for):
    user = make_user(password=PASSWORD)
    other = make_user()
    secret = token_for(user)
    others_secret = token_for(other)
    assert Api(client, secret).get("/projects").status_code == 200
    login(user)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "Changing your password revokes all your tokens" in page

    response = _change_password(client)
    assert response.status_code == 302
    assert "API access tokens revoked" in client.get("/account").get_data(as_text=True)
    refused = Api(client, secret).get("/projects")
    assert refused.status_code == 401
    assert refused.get_json()["detail"] == "The access token has been revoked."
    assert Api(client, others_secret).get("/projects").status_code == 200
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    # A token made under the new password works.
    assert Api(client, token_for(user)).get("/projects").status_code == 200


def test_an_administrators_password_reset_revokes_tokens_and_sessions(
    app, client, login, make_user, make_org, db, token_for
):
    user = make_user("Reset Person", email="reset@example.gov.uk", password=PASSWORD)
    secret = token_for(user)
    device = app.test_client()
    with device.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert device.get("/account").status_code == 200
    login(make_user("Admin", global_role="admin"))
    response = client.post(
        f"/users/{user.id}/edit",
        data={
            "name": user.name,
            "email": user.email,
            "global_role": "",
            "organisation_id": str(make_org().id),
            "is_active": "y",
            "password": "a temporary passphrase",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert Api(client, secret).get("/projects").status_code == 401
    assert device.get("/account").status_code == 302
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert tokens
    assert all(token.revoked_at is not None for token in tokens)


def test_a_failed_password_change_keeps_the_tokens(client, login, make_user, token_for):
    user = make_user(password=PASSWORD)
    secret = token_for(user)
    login(user)
    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "new_password": "x", "confirm_password": "x"},
    )
    assert response.status_code == 400
    assert Api(client, secret).get("/projects").status_code == 200
