"""CSRF protection is on outside the test configuration: a POST without its token fails."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.projects.models import Project


def test_post_without_csrf_token_is_refused(app, db, make_user, make_org):
    manager = make_user()
    org = make_org()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = manager.get_id()
        response = client.post(
            "/projects/new",
            data={
                "code": "X-1",
                "name": "X",
                "problem_statement": "P",
                "lead_organisation_id": org.id,
                "manager_id": manager.id,
                "budget_at_completion": "1",
                "planned_start": "2026-01-01",
                "planned_finish": "2026-02-01",
                "criticality": "1",
            },
        )
        assert response.status_code == 400
        assert "The form has expired" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count(Project.id))) == 0
        logout = client.post("/logout")
        assert logout.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
