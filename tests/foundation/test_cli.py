"""Command-line tools: create-admin, demo load, audit verify."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tracker.auth.models import User
from tracker.projects.models import Project


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def test_create_admin(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Chief@Example.gov.uk",
            "--name",
            "Chief",
            "--password",
            "a long enough passphrase",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "chief@example.gov.uk")).one()
    assert user.is_admin
    assert user.password_hash != "a long enough passphrase"
    assert user.check_password("a long enough passphrase")
    assert not user.is_break_glass
    assert not user.must_change_password  # chosen by the administrator themselves


def test_create_a_break_glass_admin(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "glass@example.gov.uk",
            "--name",
            "Glass",
            "--password",
            "a long enough passphrase",
            "--break-glass",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "glass@example.gov.uk")).one()
    assert user.is_break_glass and user.is_admin


def test_create_admin_refuses_a_weak_password(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "c@example.gov.uk",
            "--name",
            "C",
            "--password",
            "short",
        ],
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_demo_load_is_idempotent_and_prints_logins(runner, db, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo password for tests")
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "admin@example.gov.uk" in first.output
    assert "demo password for tests" in first.output
    projects = db.session.scalar(select(func.count(Project.id)))
    people = db.session.scalar(select(func.count(User.id)))
    assert projects >= 12
    organisations = db.session.scalar(
        text("SELECT COUNT(DISTINCT lead_organisation_id) FROM projects")
    )
    assert organisations >= 3
    roles = set(db.session.scalars(text("SELECT DISTINCT role FROM project_memberships")))
    assert roles == {
        "project_manager",
        "executive",
        "senior_user",
        "senior_supplier",
        "team_member",
        "customer_rep",
    }
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "0 organisations, 0 people, 0 projects added" in second.output
    assert db.session.scalar(select(func.count(Project.id))) == projects
    assert db.session.scalar(select(func.count(User.id))) == people
    admin = db.session.scalars(select(User).where(User.email == "admin@example.gov.uk")).one()
    assert admin.check_password("demo password for tests")


def test_audit_verify_command(runner, db, make_project):
    make_project()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0
    assert "intact" in ok.output
    db.session.execute(text("UPDATE audit_entries SET action = 'forged' WHERE seq = 2"))
    db.session.expire_all()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry #2" in broken.output
