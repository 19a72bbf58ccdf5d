"""Who the API believes: only a valid personal access token, never a session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api.conftest import Api
from tracker.api import services as tokens
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.db import utcnow

PROBLEM = "application/problem+json"


def _assert_401(response, detail_part: str | None = None):
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 401
    assert body["title"] == "Not authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if detail_part:
        assert detail_part in body["detail"]


def test_no_token_is_401(client):
    _assert_401(client.get("/api/v1/projects"), "Authorization header")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer    ", "Basic dXNlcjpwYXNz", "Token abc", "gt_notbearer"]
)
def test_a_malformed_authorization_header_is_401(client, header):
    _assert_401(client.get("/api/v1/projects", headers={"Authorization": header}))


def test_an_unknown_token_is_401(client, make_user, token_for):
    token_for(make_user())
    _assert_401(Api(client, "gt_made-up").get("/projects"), "not recognised")


def test_an_expired_token_is_401(client, db, make_user, token_for):
    secret = token_for(make_user())
    token = db.session.scalars(select(ApiToken)).one()
    token.created_at = utcnow() - timedelta(days=100)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _assert_401(Api(client, secret).get("/projects"), "expired")


def test_a_revoked_token_is_401(client, db, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    tokens.revoke_token(db.session.scalars(select(ApiToken)).one(), actor=user)
    db.session.commit()
    _assert_401(Api(client, secret).get("/projects"), "revoked")


def test_a_deactivated_persons_token_is_401(client, db, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    user.is_active_user = False
    db.session.commit()
    _assert_401(Api(client, secret).get("/projects"), "deactivated")


def test_a_session_cookie_alone_is_401(client, login, make_user, make_project):
    admin = make_user("Admin", global_role="admin")
    make_project()
    login(admin)
    assert client.get("/projects/").status_code == 200  # the session works for pages
    response = client.get("/api/v1/projects")
    _assert_401(response)
    assert "Set-Cookie" not in response.headers


def test_a_session_does_not_lend_its_user_to_a_token(
    client, login, make_user, make_project, token_for
):
    """Signed in as PMO in the browser, calling with a plain user's token: the token wins."""
    login(make_user("Analyst", global_role="pmo"))
    plain = make_user("Plain")
    project = make_project()
    api = Api(client, token_for(plain))
    assert api.get(f"/projects/{project.id}").status_code == 403
    assert api.get("/projects").get_json()["meta"]["total"] == 0


def test_a_valid_token_acts_as_its_user(client, make_user, make_project, token_for):
    manager = make_user()
    project = make_project(manager=manager)
    make_project()  # someone else's
    body = Api(client, token_for(manager)).get("/projects").get_json()
    assert [row["code"] for row in body["items"]] == [project.code]


def test_the_api_needs_no_csrf_token_yet_pages_still_do(app, client, db, make_user, token_for):
    manager = make_user()
    secret = token_for(manager)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        org_id = _org(db)
        response = Api(client, secret).post(
            "/projects",
            json={
                "code": "CSRF-1",
                "name": "No CSRF needed",
                "problem_statement": "Programs send tokens, not cookies.",
                "lead_organisation_id": org_id,
                "budget_at_completion": "1000.00",
                "planned_start": "2026-01-01",
                "planned_finish": "2026-06-30",
                "criticality": 1,
            },
        )
        assert response.status_code == 201, response.get_json()
        page = client.post("/login", data={"email": "x@example.gov.uk"})
        assert page.status_code == 400
        assert "The form has expired" in page.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _org(db) -> int:
    from tracker.orgs import services as orgs

    org = orgs.create_organisation(name="Token Council", short_name=None, kind="local_authority")
    db.session.commit()
    return org.id


def test_last_used_is_recorded_now_and_then_not_on_every_call(client, db, make_user, token_for):
    secret = token_for(make_user())
    api = Api(client, secret)
    api.get("/organisations")
    first = db.session.scalars(select(ApiToken.last_used_at)).one()
    assert first is not None
    api.get("/organisations")
    assert db.session.scalars(select(ApiToken.last_used_at)).one() == first


def test_tokens_are_stored_hashed_and_their_creation_audited(db, make_user):
    user = make_user()
    new = tokens.create_token(user, name="Finance import", expires_in_days=30)
    db.session.commit()
    stored = db.session.scalars(select(ApiToken)).one()
    assert new.secret.startswith("gt_") and len(new.secret) > 40
    assert stored.token_hash == tokens.digest(new.secret) != new.secret
    assert new.secret not in str(vars(stored).values())
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "api_token.created")
    ).one()
    assert new.secret not in entry.changes
    assert "Finance import" in entry.summary
