"""A change request from an issue: decided by the delegated authority, approval re-plans
the stage and re-baselines through the existing services, the change budget is debited;
the requester never decides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from tests.stages.helpers import plan_stages
from tracker.audit.models import AuditEntry
from tracker.budget import services as budget
from tracker.budget.models import Baseline
from tracker.changes import services as changes
from tracker.changes.models import ChangeAuthority, ChangeRequest
from tracker.registers import services as registers
from tracker.stages.models import Stage

IMPACTS = {
    "scope_impact": "Adds bilingual forms",
    "quality_impact": "None",
    "risk_impact": "Translation supplier is a new dependency",
    "benefit_impact": "Reaches Welsh-speaking residents",
    "sustainability_impact": "None",
}


def _setup(db, board):
    project, manager = board["project"], board["manager"]
    stage_list = plan_stages(project, manager, count=2)
    budget.set_baseline(project, budget.BaselineData(reason=""), actor=manager)
    issue = registers.create_issue(
        project,
        registers.IssueData("request_for_change", "Welsh-language forms", manager.id, "high", 3),
        actor=manager,
    )
    db.session.commit()
    return project, manager, stage_list, issue


def _form(stage, **overrides):
    data = {
        "title": "Add Welsh-language forms",
        "stage_id": str(stage.id),
        "time_impact_days": "7",
        "cost_impact": "800",
        **IMPACTS,
    }
    data.update(overrides)
    return data


def test_the_board_approves_a_managers_change_and_the_stage_is_replanned(client, login, db, board):
    project, manager, stage_list, issue = _setup(db, board)
    later = stage_list[1]
    finish, cost = later.planned_finish, later.planned_budget
    login(board["executive"])
    assert (
        client.post(
            f"/projects/{project.id}/change-budget",
            data={"change_budget": "10000", "version": ""},
        ).status_code
        == 302
    )
    login(manager)
    response = client.post(
        f"/projects/{project.id}/issues/{issue.id}/change-requests/new", data=_form(later)
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    change = db.session.scalars(select(ChangeRequest)).one()
    # The manager requested it: the board decides, whatever the budget says.
    assert change.authority == "board" and "nobody decides their own" in change.authority_reason
    url = f"/projects/{project.id}/change-requests/{change.id}"
    assert client.post(url + "/decide", data={"decision": "approve"}).status_code == 403
    login(board["executive"])
    approved = client.post(
        url + "/decide", data={"decision": "approve", "comment": "", "version": "1"}
    )
    assert approved.status_code == 302
    db.session.expire_all()
    change = db.session.get(ChangeRequest, change.id)
    stage = db.session.get(Stage, later.id)
    assert change.status == "approved" and change.decided_by_id == board["executive"].id
    assert (stage.planned_finish - finish).days == 7
    assert stage.planned_budget == cost + Decimal("800")
    assert change.new_finish == stage.planned_finish
    # Re-baselined through the budget service, with the change named.
    baselines = db.session.scalars(select(Baseline).order_by(Baseline.number)).all()
    assert len(baselines) == 2 and f"Change request {change.id}" in baselines[1].reason
    # Within the budget, so debited.
    authority = db.session.get(ChangeAuthority, project.id)
    assert authority.debited == Decimal("800.00") and change.debited == Decimal("800.00")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"change.requested", "change.approved", "stage.updated", "baseline.rebaselined"} <= (
        actions
    )


def test_the_manager_decides_a_teams_change_within_the_budget_not_above_it(db, board):
    project, manager, stage_list, issue = _setup(db, board)
    changes.set_change_budget(project, Decimal("1000"), version=None, actor=board["executive"])
    db.session.commit()
    team = board["team"]
    small = changes.request_change(
        project,
        issue,
        changes.ChangeData("Small", 1, Decimal("600"), **IMPACTS, stage_id=stage_list[1].id),
        actor=team,
    )
    big = changes.request_change(
        project,
        issue,
        changes.ChangeData("Big", 1, Decimal("600"), **IMPACTS, stage_id=stage_list[1].id),
        actor=team,
    )
    db.session.commit()
    assert small.authority == big.authority == "manager"
    changes.decide_change(
        project, small, approve=True, comment="", version=small.version, actor=manager
    )
    db.session.commit()
    # Only £400 is left now: the manager may not approve the second £600 alone.
    try:
        changes.decide_change(
            project, big, approve=True, comment="", version=big.version, actor=manager
        )
    except changes.RuleError as error:
        assert "now needs the board" in str(error)
    else:
        raise AssertionError("the manager approved more than the change budget")
    db.session.rollback()
    assert db.session.get(ChangeAuthority, project.id).debited == Decimal("600.00")
    assert db.session.get(ChangeRequest, big.id).status == "submitted"


def test_bad_change_requests_are_refused_and_nothing_is_saved(client, login, db, board):
    project, manager, stage_list, issue = _setup(db, board)
    login(manager)
    url = f"/projects/{project.id}/issues/{issue.id}/change-requests/new"
    cases = [
        ({"cost_impact": "-5"}, "Impact on cost (extra pounds) must be"),
        ({"time_impact_days": "-1"}, "Enter the delay in days, 0 or more"),
        ({"risk_impact": ""}, "State the impact on risk"),
        ({"stage_id": "999999"}, "Choose a stage of this project"),
    ]
    failures = []
    for overrides, message in cases:
        response = client.post(url, data=_form(stage_list[1], **overrides))
        if response.status_code != 400 or message not in response.get_data(as_text=True):
            failures.append((overrides, response.status_code))
    assert failures == []
    assert db.session.scalar(select(func.count(ChangeRequest.id))) == 0


def test_an_active_stage_changes_only_through_an_exception(db, board):
    project, manager, stage_list, issue = _setup(db, board)
    stage = stage_list[0]
    stage.status = "active"
    db.session.commit()
    try:
        changes.request_change(
            project,
            issue,
            changes.ChangeData("X", 1, Decimal("1"), **IMPACTS, stage_id=stage.id),
            actor=manager,
        )
    except changes.RuleError as error:
        assert "exception plan" in str(error)
    else:
        raise AssertionError("an active stage was re-planned by a change request")
    assert stage.planned_finish > date(2000, 1, 1)


def test_the_change_requests_download_with_their_impacts_and_decisions(client, login, db, board):
    import csv
    import io

    from openpyxl import load_workbook

    from tracker.changes.exports import HEADERS

    project, _manager, stage_list, issue = _setup(db, board)
    change = changes.request_change(
        project,
        issue,
        changes.ChangeData(
            "=cmd|' /C calc'!A0", 3, Decimal("750.50"), **IMPACTS, stage_id=stage_list[1].id
        ),
        actor=board["team"],
    )
    changes.decide_change(
        project, change, approve=False, comment="Not now", version=1, actor=board["executive"]
    )
    db.session.commit()
    login(board["team"])
    response = client.get(f"/projects/{project.id}/change-requests.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == HEADERS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Title"].startswith("'=")
    assert (record["Time (days)"], record["Cost"], record["Status"]) == ("3", "750.50", "Rejected")
    assert record["Decided by"] == "Project board" and record["Decision comment"] == "Not now"
    book = load_workbook(
        io.BytesIO(client.get(f"/projects/{project.id}/change-requests.xlsx").data)
    )
    assert book.sheetnames == ["About", "Change requests"]
    values = list(book["Change requests"].iter_rows(values_only=True))
    row = dict(zip(values[0], values[1], strict=True))
    assert row["Cost"] == 750.5 and row["Stage it re-plans"] == stage_list[1].label


def _change(db, board):
    project, manager, stage_list, issue = _setup(db, board)
    change = changes.request_change(
        project,
        issue,
        changes.ChangeData(
            title="Add Welsh-language forms",
            time_impact_days=7,
            cost_impact=Decimal("800"),
            stage_id=stage_list[1].id,
            **IMPACTS,
        ),
        actor=manager,
    )
    db.session.commit()
    return project, manager, change


def test_documents_attach_to_a_change_checked_by_content_and_only_by_the_manager(
    client, login, db, board
):
    import io

    from tracker.board.models import Document

    project, manager, change = _change(db, board)
    url = f"/projects/{project.id}/change-requests/{change.id}"
    pdf = b"%PDF-1.4\n% the supplier's quote\n"
    login(manager)
    attached = client.post(
        url + "/documents",
        data={"title": "Supplier quote", "file": (io.BytesIO(pdf), "quote.pdf")},
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert (document.subject, document.change_id, document.version) == ("change", change.id, 1)
    page = client.get(url).get_data(as_text=True)
    assert "Supplier quote" in page and f"/documents/{document.id}/download" in page
    download = client.get(f"/projects/{project.id}/documents/{document.id}/download")
    assert download.data == pdf and "attachment" in download.headers["Content-Disposition"]
    # A web page called a PDF: refused with the reason, nothing kept.
    refused = client.post(
        url + "/documents",
        data={"title": "Quote", "file": (io.BytesIO(b"<html><script>x</script>"), "q.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "does not match its name" in refused.get_data(as_text=True)
    # The team may read it, not attach; outsiders neither.
    login(board["team"])
    assert "Supplier quote" in client.get(url).get_data(as_text=True)
    assert (
        client.post(
            url + "/documents",
            data={"title": "Mine", "file": (io.BytesIO(pdf), "mine.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
    login(board["outsider"])
    assert client.get(f"/projects/{project.id}/documents/{document.id}/download").status_code == 403
    assert db.session.scalars(select(func.count(Document.id))).one() == 1
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "document.attached")
    ).one()


def test_a_change_of_another_project_cannot_take_the_document(db, board, make_project):
    import pytest

    from tracker.board import services as board_services
    from tracker.core.errors import RuleError

    _project, manager, change = _change(db, board)
    other = make_project(manager=manager)
    with pytest.raises(RuleError, match="change requests"):
        board_services.attach_document(
            other,
            subject="change",
            record_id=change.id,
            change=change,
            title="Quote",
            filename="q.pdf",
            content=b"%PDF-1.4\n",
            actor=manager,
        )
