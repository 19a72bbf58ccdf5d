"""Creating and revoking personal access tokens on the account pages."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.api.conftest import Api
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.core.unit_of_work import CONFLICT_MESSAGE


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_the_account_page_links_to_tokens(client, login, make_user):
    login(make_user())
    assert "/account/tokens" in client.get("/account").get_data(as_text=True)


def test_create_a_token_see_it_once_and_use_it(client, login, make_user, make_project, db):
    user = make_user("Mia Manager")
    project = make_project(manager=user)
    login(user)
    response = client.post("/account/tokens", data={"name": "Power BI", "expires_in_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = re.search(r'value="(gt_[^"]+)"', page).group(1)
    assert "You will not see this token again" in page

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Power BI" in listing
    assert secret not in listing
    assert secret[:10] in listing

    client.post("/logout")
    body = Api(client, secret).get("/projects").get_json()
    assert [row["code"] for row in body["items"]] == [project.code]


def test_bad_input_is_explained_and_nothing_is_saved(client, login, make_user, db):
    login(make_user())
    response = client.post("/account/tokens", data={"name": "", "expires_in_days": "7"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a name for the token" in page
    assert "Choose when the token expires from the options" in page
    assert _count(db) == 0


def test_token_names_are_escaped(client, login, make_user):
    login(make_user())
    client.post(
        "/account/tokens", data={"name": "<script>alert(1)</script>", "expires_in_days": "30"}
    )
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_revoke_a_token(client, login, make_user, token_for, db):
    user = make_user()
    secret = token_for(user)
    token = db.session.scalars(select(ApiToken)).one()
    login(user)
    response = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "Revoked the token" in response.get_data(as_text=True)
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert Api(client, secret).get("/projects").status_code == 401
    assert db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "api_token.revoked")
    ).one()
    again = client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "already been revoked" in again.get_data(as_text=True)


def test_nobody_revokes_someone_elses_token(client, login, make_user, token_for, db):
    owner = make_user()
    secret = token_for(owner)
    token = db.session.scalars(select(ApiToken)).one()
    login(make_user("Someone else", global_role="admin"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert Api(client, secret).get("/projects").status_code == 200


def test_the_docs_page_renders_the_description_without_outside_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Governance Tracker API" in page
    assert "/api/v1/projects/{project_id}/gates/{gate_id}/decisions" in page
    assert "Bearer" in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script[^>]+src=\"https?://", page)


def test_the_description_is_public_and_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["info"]["title"] == "Governance Tracker API"


def test_a_token_clashing_with_a_stored_one_shows_the_conflict_message(
    client, login, make_user, token_for, db, monkeypatch
):
    """Two tokens with the same secret are caught by the UNIQUE hash: a message on the
    page, not an error page, and no second token."""
    from tracker.api import services as tokens

    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda size: "the-same-every-time")
    user = make_user()
    token_for(user)
    login(user)
    response = client.post("/account/tokens", data={"name": "Power BI", "expires_in_days": "30"})
    assert response.status_code == 400
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)
    assert _count(db) == 1
