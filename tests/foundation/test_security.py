"""Security headers, secrets and password storage."""

from __future__ import annotations

import pytest

from tracker import create_app


def test_security_headers_on_pages(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://tracker.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_carry_no_inline_script_or_style(client, login, make_project, make_user):
    manager = make_user()
    project = make_project(manager=manager)
    login(manager)
    for url in ("/projects/", f"/projects/{project.id}", "/projects/new", "/account"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body, url
        assert " style=" not in body, url


@pytest.mark.parametrize("secret", [None, "", "dev", "short"])
def test_production_refuses_a_missing_or_weak_secret_key(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            {"ENV_NAME": "production", "SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_development_generates_and_keeps_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"ENV_NAME": "development", "SECRET_KEY": None})
    second = create_app({"ENV_NAME": "development", "SECRET_KEY": None})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user(password="a long passphrase here")
    assert user.password_hash.startswith("$argon2")
    assert "a long passphrase here" not in user.password_hash
