"""From idea to proposed project through the pages: a team member proposes, two PMO
scorers score, the prioritisation board decides; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.methods.helpers import raw
from tests.proposals.conftest import submitted
from tracker.audit.models import AuditEntry
from tracker.methods.models import Assessment
from tracker.projects.models import Project
from tracker.proposals import services
from tracker.proposals.models import Proposal, ProposalDecision, ProposalScore


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _actions(db, prefix: str) -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like(prefix + "%")))
    )


def test_a_team_member_proposes_assesses_and_submits(client, login, db, pipeline):
    login(pipeline["proposer"])
    response = client.post(
        "/proposals/new",
        data={
            "title": "Joined-up hospital discharge",
            "problem": "People wait days in hospital for care at home.",
            "outcome": "Discharge on the day they are medically fit.",
            "lead_organisation_id": str(pipeline["lead"].id),
            "partner_ids": [str(pipeline["partner"].id)],
            "rough_cost": "£250,000",
            "start_on": "2027-04-01",
            "finish_on": "2028-03-31",
            "capital_amount": "150000",
            "capital_confirmed": "y",
            "grant_amount": "100000",
        },
    )
    assert response.status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.status == "draft"
    assert {(f.source, f.amount, f.is_confirmed) for f in proposal.funding} == {
        ("capital", Decimal("150000.00"), True),
        ("grant", Decimal("100000.00"), False),
    }
    # Not yet: the assessment comes first.
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Answer the uncertainty assessment before submitting" in page
    answers = {key: str(value) for key, value in raw(u=(4, 4, 4, 4, 4, 4), U7=4).items()}
    assert client.post(f"/proposals/{proposal.id}/assessment", data=answers).status_code == 302
    assert proposal.recommended_method is not None
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Recommended delivery method" in page and "Not assessed yet" not in page
    response = client.post(
        f"/proposals/{proposal.id}/submit", data={"version": str(proposal.version)}
    )
    assert response.status_code == 302
    assert proposal.status == "submitted"
    assert _actions(db, "proposal.") == [
        "proposal.drafted",
        "proposal.assessed",
        "proposal.submitted",
    ]
    # Submitted: no longer the proposer's to change.
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403


def test_two_scorers_score_and_the_board_approves_into_a_proposed_project(
    client, login, db, pipeline
):
    proposal = submitted(db, pipeline)
    strategic, deliverable = pipeline["criteria"]
    for scorer, (a, b) in ((pipeline["pmo"], (4, 2)), (pipeline["pmo2"], (5, 2))):
        login(scorer)
        response = client.post(
            f"/proposals/{proposal.id}/score",
            data={
                f"score_{strategic.id}": str(a),
                f"reason_{strategic.id}": "In the corporate plan",
                f"score_{deliverable.id}": str(b),
                f"reason_{deliverable.id}": "Needs a new supplier",
            },
        )
        assert response.status_code == 302
    assert _count(db, ProposalScore, ProposalScore.proposal_id == proposal.id) == 4
    page = client.get("/proposals/pipeline").get_data(as_text=True)
    assert "77.50%" in page  # 3 x 4.5 + 1 x 2 = 15.5 of 20
    compare = client.get(f"/proposals/compare?ids={proposal.id}").get_data(as_text=True)
    assert "4.50" in compare and "77.50%" in compare

    login(pipeline["chair"])
    response = client.post(
        f"/proposals/{proposal.id}/decide",
        data={
            "version": str(proposal.version),
            "decision": "approve",
            "code": "dis-2027",
            "manager_id": str(pipeline["proposer"].id),
            "lead_organisation_id": str(pipeline["lead"].id),
        },
    )
    assert response.status_code == 302
    assert proposal.status == "approved"
    project = db.session.get(Project, proposal.project_id)
    assert project.code == "DIS-2027"
    assert project.status == "proposed"
    assert project.problem_statement.startswith("People wait days in hospital")
    assert "Outcome sought: Discharge on the day" in project.problem_statement
    assert project.lead_organisation_id == pipeline["lead"].id
    assert [org.id for org in project.partners] == [pipeline["partner"].id]
    assert project.budget_at_completion == Decimal("250000.00")
    assert (project.planned_start, project.planned_finish) == (date(2027, 4, 1), date(2028, 3, 31))
    assessment = db.session.scalars(
        select(Assessment).where(Assessment.project_id == project.id)
    ).one()
    assert assessment.method == proposal.recommended_method
    assert assessment.assessed_by_id == pipeline["proposer"].id
    assert "proposal.approved" in _actions(db, "proposal.")
    assert _actions(db, "proposal.scored").count("proposal.scored") == 4


def test_a_score_outside_the_scale_saves_nothing(client, login, db, pipeline):
    proposal = submitted(db, pipeline)
    strategic, deliverable = pipeline["criteria"]
    login(pipeline["pmo"])
    response = client.post(
        f"/proposals/{proposal.id}/score",
        data={
            f"score_{strategic.id}": "6",
            f"reason_{strategic.id}": "Top priority",
            f"score_{deliverable.id}": "3",
            f"reason_{deliverable.id}": "Fine",
        },
    )
    assert response.status_code == 400
    assert "Score Strategic priority from 1 to 5: 6 is outside the scale" in response.get_data(
        as_text=True
    )
    assert _count(db, ProposalScore) == 0


def test_nobody_scores_or_decides_their_own_proposal(client, login, db, pipeline):
    pipeline["proposer"].global_role = "pmo"
    db.session.commit()
    proposal = submitted(db, pipeline)
    login(pipeline["proposer"])  # PMO staff and on the board, but the proposer
    assert client.get(f"/proposals/{proposal.id}/score").status_code == 403
    response = client.post(
        f"/proposals/{proposal.id}/decide",
        data={"version": str(proposal.version), "decision": "reject", "reason": "No"},
    )
    assert response.status_code == 403
    assert proposal.status == "submitted"
    assert _count(db, ProposalDecision) == 0


def test_approval_without_a_lead_organisation_saves_nothing(client, login, db, pipeline):
    proposal = submitted(db, pipeline, lead_organisation_id=None, partner_ids=[])
    login(pipeline["chair"])
    response = client.post(
        f"/proposals/{proposal.id}/decide",
        data={
            "version": str(proposal.version),
            "decision": "approve",
            "code": "NOLEAD-1",
            "manager_id": str(pipeline["proposer"].id),
            "lead_organisation_id": "",
        },
    )
    assert response.status_code == 400
    assert "a project cannot be approved without one" in response.get_data(as_text=True)
    assert proposal.status == "submitted"
    assert _count(db, Project) == 0
    assert _count(db, ProposalDecision) == 0


def test_approval_without_a_problem_statement_is_refused(db, pipeline):
    proposal = submitted(db, pipeline)
    proposal.problem = "   "
    db.session.commit()
    import pytest

    from tracker.core.errors import RuleError

    with pytest.raises(RuleError, match="without a problem statement"):
        services.decide(
            proposal,
            services.DecisionData("approve", code="NOPROB-1", manager_id=pipeline["chair"].id),
            version=None,
            actor=pipeline["chair"],
            today=date(2026, 12, 7),
        )


def test_a_second_decision_on_a_stale_page_is_refused(client, login, db, pipeline):
    proposal = submitted(db, pipeline)
    opened = str(proposal.version)
    login(pipeline["chair"])
    first = client.post(
        f"/proposals/{proposal.id}/decide",
        data={"version": opened, "decision": "reject", "reason": "Not this year"},
    )
    assert first.status_code == 302
    login(pipeline["member"])
    later = date.today() + timedelta(days=30)
    second = client.post(
        f"/proposals/{proposal.id}/decide",
        data={"version": opened, "decision": "defer", "defer_until": later.isoformat()},
    )
    assert second.status_code == 403  # already decided: the policy says so before the form
    assert _count(db, ProposalDecision) == 1
    assert proposal.status == "rejected"


def test_the_same_decision_twice_at_once_is_refused_by_the_version(db, pipeline):
    proposal = submitted(db, pipeline)
    opened = proposal.version
    services.decide(
        proposal,
        services.DecisionData("defer", defer_until=date(2027, 2, 1)),
        version=opened,
        actor=pipeline["chair"],
        today=date(2026, 12, 7),
    )
    db.session.commit()
    import pytest

    from tracker.core.errors import StaleEdit

    with pytest.raises(StaleEdit):
        services.decide(
            proposal,
            services.DecisionData("defer", defer_until=date(2027, 3, 1)),
            version=opened,
            actor=pipeline["member"],
            today=date(2026, 12, 7),
        )


def test_a_rejection_needs_a_reason(client, login, db, pipeline):
    proposal = submitted(db, pipeline)
    login(pipeline["chair"])
    response = client.post(
        f"/proposals/{proposal.id}/decide",
        data={"version": str(proposal.version), "decision": "reject", "reason": ""},
    )
    assert response.status_code == 400
    assert "Say why the proposal is rejected" in response.get_data(as_text=True)
    assert proposal.status == "submitted"


def test_the_pipeline_shows_funding_beside_the_portfolio_and_exports(
    client, login, db, pipeline, make_project
):
    submitted(db, pipeline)
    make_project(budget_at_completion=Decimal("400000.00"))
    login(pipeline["pmo"])
    page = client.get("/proposals/pipeline").get_data(as_text=True)
    assert "£150,000" in page and "£100,000" in page  # capital confirmed, grant not
    assert "£400,000" in page  # the open portfolio's budgets
    csv = client.get("/proposals/pipeline.csv")
    assert csv.status_code == 200
    assert "Joined-up hospital discharge" in csv.get_data(as_text=True)
    filtered = client.get("/proposals/pipeline?stage=draft").get_data(as_text=True)
    assert "Joined-up hospital discharge" not in filtered.split("Proposals (")[1]


def test_criteria_changes_are_audited_and_the_scale_cannot_drop_below_a_score(
    client, login, db, pipeline
):
    proposal = submitted(db, pipeline)
    strategic, deliverable = pipeline["criteria"]
    services.score_proposal(
        proposal,
        [
            services.ScoreLine(strategic.id, 5, "Top"),
            services.ScoreLine(deliverable.id, 3, "Fine"),
        ],
        actor=pipeline["pmo"],
    )
    db.session.commit()
    login(pipeline["pmo"])
    response = client.post(
        f"/proposals/criteria/{strategic.id}/edit",
        data={
            "version": str(strategic.version),
            "name": "Strategic priority",
            "weight": "3",
            "scale_max": "4",
            "is_active": "y",
        },
    )
    assert response.status_code == 400
    assert "the scale cannot end below it" in response.get_data(as_text=True)
    assert strategic.scale_max == 5
    response = client.post(
        f"/proposals/criteria/{strategic.id}/edit",
        data={
            "version": str(strategic.version),
            "name": "Strategic priority",
            "weight": "4",
            "scale_max": "5",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    assert strategic.weight == 4
    assert "criterion.updated" in _actions(db, "criterion.")


def test_the_pmo_keeps_the_board_list(client, login, db, pipeline, make_user):
    newcomer = make_user("Councillor")
    login(pipeline["pmo"])
    assert client.post("/proposals/board", data={"user_id": str(newcomer.id)}).status_code == 302
    again = client.post("/proposals/board", data={"user_id": str(newcomer.id)})
    assert again.status_code == 400
    assert "already on the prioritisation board" in again.get_data(as_text=True)
    assert client.post(f"/proposals/board/{newcomer.id}/remove").status_code == 302
    assert _actions(db, "prioritisation_board.") == [
        "prioritisation_board.added",
        "prioritisation_board.removed",
    ]


def test_a_decision_landing_meanwhile_refuses_mine_and_creates_no_project(
    client, login, db, pipeline
):
    from tests.races import saved_meanwhile
    from tracker.core.errors import STALE_MESSAGE

    proposal = submitted(db, pipeline)
    login(pipeline["chair"])
    proposal = db.session.get(Proposal, proposal.id)
    seen = proposal.version
    saved_meanwhile(db, proposal)  # another member's decision lands under this request
    response = client.post(
        f"/proposals/{proposal.id}/decide",
        data={
            "version": str(seen),
            "decision": "approve",
            "code": "RACE-1",
            "manager_id": str(pipeline["proposer"].id),
            "lead_organisation_id": str(pipeline["lead"].id),
        },
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    assert _count(db, Project) == 0
    assert _count(db, ProposalDecision) == 0
