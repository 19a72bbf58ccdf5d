"""Escalation: a risk or issue past the tailoring's threshold goes to the board's inbox and
the PMO's list; the board answers (never the person who escalated it); the manager hears."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.registers.conftest import risk_form
from tracker.audit.models import AuditEntry
from tracker.notifications.models import Notification
from tracker.projects import governance
from tracker.registers import services
from tracker.registers.models import Escalation, Risk


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_the_threshold_follows_the_tailoring():
    small = governance.escalation_threshold("small")
    medium = governance.escalation_threshold("medium")
    large = governance.escalation_threshold("large")
    assert (small.risk_score, medium.risk_score, large.risk_score) == (20, 16, 12)
    assert (small.issue_severity, medium.issue_severity, large.issue_severity) == (5, 4, 4)


@pytest.fixture
def critical(make_project, people):
    """Criticality 5 raises the project to large governance: the board sees scores of 12+."""
    return make_project(
        manager=people["manager"],
        criticality=5,
        members=[(people["executive"], "executive"), (people["team"], "team_member")],
    )


def test_a_risk_scored_past_the_threshold_reaches_the_board_which_answers(
    client, login, db, critical, people
):
    project = critical
    login(people["manager"])
    # 3 x 3 = 9: below large governance's 12, nothing goes to the board.
    _ = client.post(
        f"/projects/{project.id}/risks/new",
        data=risk_form(people["manager"], likelihood="3", impact="3"),
    )
    assert _count(db, Escalation) == 0
    risk = db.session.scalars(select(Risk)).one()
    response = client.post(
        f"/projects/{project.id}/risks/{risk.id}/edit",
        data=risk_form(people["manager"], likelihood="4", impact="3", version=str(risk.version)),
    )
    assert response.status_code == 302
    escalation = db.session.scalars(select(Escalation)).one()
    assert escalation.risk_id == risk.id and escalation.is_awaiting
    assert escalation.reason == "Score 12 reached the board's threshold of 12 (large governance)"
    inbox = db.session.scalars(
        select(Notification).where(Notification.user_id == people["executive"].id)
    ).one()
    assert inbox.kind == "escalation" and f"/escalations/{escalation.id}" in inbox.link
    assert _count(db, Notification, Notification.user_id == people["manager"].id) == 0
    # Saving it again at the same score does not escalate it twice.
    db.session.refresh(risk)
    client.post(
        f"/projects/{project.id}/risks/{risk.id}/edit",
        data=risk_form(
            people["manager"],
            title="Renamed",
            likelihood="4",
            impact="3",
            version=str(risk.version),
        ),
    )
    assert _count(db, Escalation) == 1
    # The manager cannot answer for the board.
    url = f"/projects/{project.id}/escalations/{escalation.id}"
    assert client.post(url + "/answer", data={"response": "Fine"}).status_code == 403
    page = client.get(url).get_data(as_text=True)
    assert "Only the project board answers an escalation." in page
    # The Executive answers; the manager hears.
    login(people["executive"])
    empty = client.post(url + "/answer", data={"response": "", "version": "1"})
    assert empty.status_code == 400 and "Enter the board&#39;s response" in empty.get_data(
        as_text=True
    )
    answered = client.post(
        url + "/answer",
        data={"response": "Accept for now; report it at the gate.", "version": "1"},
    )
    assert answered.status_code == 302
    db.session.refresh(escalation)
    assert escalation.status == "answered"
    assert escalation.responded_by_id == people["executive"].id
    note = db.session.scalars(
        select(Notification).where(Notification.user_id == people["manager"].id)
    ).one()
    assert note.kind == "escalation_answered" and "Accept for now" in note.body
    assert {"escalation.raised", "escalation.answered"} <= set(
        db.session.scalars(select(AuditEntry.action))
    )
    risk_page = client.get(f"/projects/{project.id}/risks/{risk.id}").get_data(as_text=True)
    assert "Escalated to the board" in risk_page and "answered" in risk_page
    # Answering twice is refused (the page form carries the old version: a stale answer).
    again = client.post(url + "/answer", data={"response": "Changed my mind", "version": "1"})
    assert again.status_code == 400
    db.session.refresh(escalation)
    assert escalation.response == "Accept for now; report it at the gate."


def test_the_pmo_sees_escalations_across_the_portfolio_but_cannot_answer(
    client, login, db, project, people
):
    issue = services.create_issue(
        project,
        services.IssueData("problem", "Data centre flooded", people["manager"].id, "high", 5),
        actor=people["manager"],
    )
    db.session.commit()
    escalation = db.session.scalars(select(Escalation)).one()
    assert escalation.issue_id == issue.id
    assert escalation.reason == "Severity 5 reached the board's threshold of 5 (small governance)"
    login(people["pmo"])
    listing = client.get("/projects/escalations").get_data(as_text=True)
    assert "Issue: Data centre flooded" in listing and project.code in listing
    answered = client.post(
        f"/projects/{project.id}/escalations/{escalation.id}/answer",
        data={"response": "Noted", "version": "1"},
    )
    assert answered.status_code == 403
    login(people["team"])
    assert client.get("/projects/escalations").status_code == 403


def test_below_the_threshold_an_entry_stays_with_the_manager(db, project, people):
    services.create_risk(
        project,
        services.RiskData(title="Minor", owner_id=people["manager"].id, likelihood=4, impact=4),
        actor=people["manager"],
    )
    services.create_issue(
        project,
        services.IssueData("concern", "Minor", people["manager"].id, "low", 4),
        actor=people["manager"],
    )
    db.session.commit()
    # Small governance: 16 < 20 and severity 4 < 5.
    assert _count(db, Escalation) == 0


def test_whoever_escalated_never_answers_it(db, project, people, make_user):
    """A board member who raised the entry (as PMO staff may, stepping in) cannot answer."""
    from tracker.projects import services as projects

    board_pmo = make_user("Board and PMO", global_role="pmo")
    projects.add_member(project, board_pmo, "senior_user")
    db.session.commit()
    services.create_issue(
        project,
        services.IssueData("problem", "Flood", people["manager"].id, "high", 5),
        actor=board_pmo,
    )
    db.session.commit()
    escalation = db.session.scalars(select(Escalation)).one()
    with pytest.raises(services.RuleError, match="escalated this yourself"):
        services.answer_escalation(project, escalation, "Fine", version=None, actor=board_pmo)
