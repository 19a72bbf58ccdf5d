"""Rate limits on signing in and on the API, with memory storage and with Redis.

The suite's testing configuration turns limits off; these tests build apps of their own with
limits on, each with fresh counters (a new memory store, or a Redis key prefix of its own).
"""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from tracker import create_app
from tracker.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_problem() -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=2).close()
    except OSError as error:
        return str(error)
    return None


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, tmp_path):
    if request.param == "redis":
        problem = _redis_problem()
        if problem:
            message = f"Redis is unreachable at {REDIS_URL} ({problem}); set TEST_REDIS_URL"
            if os.environ.get("TRACKER_REQUIRE_REDIS", "").lower() in {"1", "true", "yes"}:
                pytest.fail(message + ". TRACKER_REQUIRE_REDIS is set, so this is a failure.")
            pytest.skip(message)
        storage = REDIS_URL
    else:
        storage = "memory://"
    os.environ["TRACKER_INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limits.sqlite'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "LOGIN_RATE_LIMIT": "10 per minute",
            "API_RATE_LIMIT": "3 per minute",
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    limiter = app.extensions["tracker_limiter"]
    with app.app_context():
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def _fail_sign_in(client, email="nobody@example.gov.uk"):
    return client.post("/login", data={"email": email, "password": "wrong password"})


def test_the_eleventh_failed_sign_in_in_a_minute_gets_a_clear_429_page(limited_app):
    client = limited_app.test_client()
    for attempt in range(10):
        # A different address each time: the per-account lockout (5 failures) is not
        # what this tests; the per-address limit counts them all.
        response = _fail_sign_in(client, f"nobody{attempt}@example.gov.uk")
        assert response.status_code == 400, attempt
        assert "Email address or password is not correct" in response.get_data(as_text=True)
    response = _fail_sign_in(client)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "Wait a minute, then try again" in page
    assert "Retry-After" in response.headers
    # Reading the sign-in page is not limited.
    assert client.get("/login").status_code == 200


def test_successful_sign_ins_do_not_count(limited_app):
    from tracker.auth import services as users

    with limited_app.app_context():
        users.create_user(email="ok@example.gov.uk", name="Ok", password="correct horse battery")
        db.session.commit()
    client = limited_app.test_client()
    for _ in range(12):
        response = client.post(
            "/login", data={"email": "ok@example.gov.uk", "password": "correct horse battery"}
        )
        assert response.status_code == 302
        client.post("/logout")
    assert _fail_sign_in(client).status_code == 400


def test_the_api_is_limited_with_a_problem_response(limited_app):
    client = limited_app.test_client()
    headers = {"Authorization": "Bearer gt_unknown"}
    for _ in range(3):
        assert client.get("/api/v1/projects", headers=headers).status_code == 401
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Too many requests"
    assert int(response.headers["Retry-After"]) > 0


def test_the_storage_is_the_one_configured(limited_app):
    storage = limited_app.extensions["tracker_limiter"].storage
    expected = (
        "RedisStorage"
        if limited_app.config["RATELIMIT_STORAGE_URI"].startswith("redis")
        else "MemoryStorage"
    )
    assert type(storage).__name__ == expected


def test_limits_are_off_in_the_suites_configuration(app):
    assert app.config["RATELIMIT_ENABLED"] is False


def _tokens(app, count: int) -> list[str]:
    from tracker.api import services as tokens
    from tracker.auth import services as users

    secrets = []
    with app.app_context():
        for number in range(count):
            user = users.create_user(
                email=f"caller{number}@example.gov.uk",
                name=f"Caller {number}",
                password="correct horse battery",
            )
            secrets.append(tokens.create_token(user, name="Reports", expires_in_days=30).secret)
        db.session.commit()
    return secrets


def test_the_api_limit_is_one_budget_for_the_whole_api(limited_app):
    """Spreading calls over endpoints does not multiply the allowance."""
    client = limited_app.test_client()
    (secret,) = _tokens(limited_app, 1)
    headers = {"Authorization": f"Bearer {secret}"}
    for path in ("/api/v1/projects", "/api/v1/organisations", "/api/v1/portfolio"):
        assert client.get(path, headers=headers).status_code == 200, path
    response = client.get("/api/v1/portfolio/projects", headers=headers)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/projects", headers=headers).status_code == 429


def test_the_api_limit_counts_per_token(limited_app):
    """Two tokens from one address each have their own budget; a caller with no token does
    not spend a token's budget."""
    client = limited_app.test_client()
    first, second = _tokens(limited_app, 2)
    for _ in range(3):
        assert client.get("/api/v1/projects").status_code == 401
    assert client.get("/api/v1/projects").status_code == 429
    for _ in range(3):
        ok = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {first}"})
        assert ok.status_code == 200
    first_again = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {first}"})
    assert first_again.status_code == 429
    other = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {second}"})
    assert other.status_code == 200


def test_the_limit_key_never_holds_the_token(limited_app):
    from tracker.api.limits import api_caller

    with limited_app.test_request_context(headers={"Authorization": "Bearer gt_secret"}):
        key = api_caller()
    assert key.startswith("token:")
    assert "gt_secret" not in key
    with limited_app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert api_caller() == "address:192.0.2.7"
