"""Fixtures for the API: tokens, a client that sends them, and a governed project with
records of every kind the API exposes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.methods.helpers import raw
from tests.routes import _framework_records, _phase_records
from tracker.api import services as tokens


@pytest.fixture
def token_for(db):
    def factory(user, days=90) -> str:
        secret = tokens.create_token(user, name="Test token", expires_in_days=days).secret
        db.session.commit()
        return secret

    return factory


class Api:
    """The test client with a bearer token: ``api.get("/projects")`` calls /api/v1/projects."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, extra=None) -> dict:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**headers, **(extra or {})}

    def open(self, method: str, path: str, *, headers=None, **kwargs):
        return self.client.open(
            "/api/v1" + path, method=method, headers=self._headers(headers), **kwargs
        )

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.open("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.open("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api_as(client, token_for):
    """``api_as(user)``: an API client acting with a fresh token of ``user``."""

    def factory(user) -> Api:
        return Api(client, token_for(user))

    return factory


@pytest.fixture
def governed(db, make_user, make_project):
    return build_governed(db, make_user, make_project)


def build_governed(db, make_user, make_project):
    """A hybrid project with a board, an assessment and decision, two stages with a
    pending start gate, an active iteration with an item and feedback."""
    from tests.stages.helpers import plan_stages, report_data
    from tracker.agile import services as agile
    from tracker.methods import services as methods
    from tracker.stages import services as stages

    manager = make_user("Mia Manager")
    executive = make_user("Eve Executive")
    member = make_user("Tariq Team")
    customer = make_user("Cora Customer")
    outsider = make_user("Otto Outsider")
    other_manager = make_user("Olga Other")
    pmo = make_user("Pat PMO", global_role="pmo")
    project = make_project(
        manager=manager,
        members=[(executive, "executive"), (member, "team_member"), (customer, "customer_rep")],
        status="proposed",
    )
    other = make_project(manager=other_manager)
    assessment = methods.assess(project, raw(), assessed_by=manager)
    decision = methods.decide(
        project,
        methods.DecisionData("hybrid", ["project_needs"], "Both, for now", None, None),
        decided_by=manager,
    )
    db.session.commit()
    stage_list = plan_stages(project, manager, count=2)
    gate = stages.request_gate(project, report_data(), actor=manager)
    db.session.commit()
    start = project.planned_start
    iteration = agile.create_iteration(
        project, agile.IterationData("Sprint 1", "Try it", start, start + timedelta(days=13))
    )
    db.session.commit()
    item = agile.create_item(project, agile.ItemData("Report a pothole", "", 3, iteration.id))
    # A hybrid project's iterations start once the board has started it; the start gate
    # above stays pending for the tests that decide it, so the fixture sets the status
    # directly (as a fixture may: in the tracker only governance moves it).
    project.status = "active"
    agile.start_iteration(project, iteration, version=None)
    feedback = agile.add_feedback(
        project,
        iteration,
        agile.FeedbackData("citizen", "A resident", 4, "Much easier", "yes"),
    )
    db.session.commit()
    money = _money_and_time(db, project, manager, member)
    from tests.routes import _condition

    condition_id = _condition(db, gate.id, project, member, executive)
    from tests.routes import _document

    document_id = _document(db, project, manager)
    from tracker.registers import services as registers

    issue = registers.create_issue(
        project,
        registers.IssueData("concern", "Supplier capacity", manager.id, "medium", 3),
        actor=manager,
    )
    risk = registers.create_risk(
        project, registers.RiskData("Supplier goes under", manager.id), actor=manager
    )
    from tracker.changes import services as changes

    change = changes.request_change(
        project,
        issue,
        changes.ChangeData("More capacity", 2, Decimal("100.00"), *["None"] * 5),
        actor=member,
    )
    from tests.routes import _benefit_id

    benefit_id = _benefit_id(db, project, manager)
    db.session.commit()
    return {
        **money,
        "project": project,
        "other": other,
        "manager": manager,
        "executive": executive,
        "member": member,
        "customer": customer,
        "outsider": outsider,
        "other_manager": other_manager,
        "pmo": pmo,
        "assessment": assessment,
        "decision": decision,
        "stages": stage_list,
        "gate": gate,
        "iteration": iteration,
        "item": item,
        "feedback": feedback,
        "ids": {
            "org_id": project.lead_organisation_id,
            "project_id": project.id,
            "assessment_id": assessment.id,
            "stage_id": stage_list[0].id,
            "gate_id": gate.id,
            "iteration_id": iteration.id,
            "item_id": item.id,
            "feedback_id": feedback.id,
            "risk_id": risk.id,
            "issue_id": issue.id,
            "change_id": change.id,
            "benefit_id": benefit_id,
            "cost_id": money["cost"].id,
            "checkpoint_id": money["checkpoint"].id,
            "entry_id": money["entry"].id,
            "condition_id": condition_id,
            "document_id": document_id,
            **_framework_records(db),
            **_phase_records(db, project, manager),
            "proposal_id": _proposal_id(db, member, project.lead_organisation_id),
            **_programme_records(db, project, manager, executive),
        },
    }


def _proposal_id(db, member, org_id) -> int:
    """A proposal the team member submitted (PMO staff read it)."""
    from tracker.proposals import services as proposals

    proposal = proposals.create_proposal(
        proposals.ProposalData("Joined-up discharge", "Delays", "Fewer delays", org_id),
        actor=member,
    )
    proposal.status = "submitted"
    db.session.commit()
    return proposal.id


def _programme_records(db, project, manager, executive) -> dict:
    from tests.routes import _programme_records as records

    found = records(db, project, manager, executive)
    return {"programme_id": found["programme_id"]}


def _money_and_time(db, project, manager, member) -> dict:
    """A budget baseline, a cost, a checkpoint, and two days of the member's time (one
    spare, for an API client to delete)."""
    from tracker.budget import services as budget
    from tracker.worklog import services as worklog

    budget.set_baseline(project, budget.BaselineData(reason=""), actor=manager)
    yesterday = worklog.today() - timedelta(days=1)
    cost, _ = budget.record_cost(
        project,
        budget.CostData(yesterday, Decimal("1200.00"), "supplier", "Acme Ltd", "Licences"),
        token=None,
        actor=manager,
    )
    checkpoint = budget.take_checkpoint(
        project, budget.CheckpointData(taken_on=worklog.today()), actor=manager
    )
    entry = worklog.add_entry(
        worklog.EntryData(member.id, project.id, yesterday, Decimal("7.5")), actor=member
    )
    spare = worklog.add_entry(
        worklog.EntryData(member.id, project.id, yesterday, Decimal("1")), actor=member
    )
    db.session.commit()
    return {"cost": cost, "checkpoint": checkpoint, "entry": entry, "spare_entry": spare}
