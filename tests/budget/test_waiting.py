"""My work counts everything that waits for a person, and its count of decisions is the
number of rows the Decisions inbox lists (gate, exception and start decisions and budget
exceptions): both come from ``tracker.core.waiting``."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.budget.test_pages import _checkpointed_agile
from tests.stages.helpers import report_data
from tracker.core.waiting import for_person
from tracker.projects import services as projects
from tracker.registers.models import Risk
from tracker.registers.rules import RiskStatus
from tracker.stages import services as stages
from tracker.worklog import services as worklog

INBOX_LINK = re.compile(
    r'href="/projects/\d+/(?:gates|exceptions|budget/exceptions)/\d+"|'
    r'href="/projects/\d+/authorise-start"'
)


def _my_work_count(page: str, key: str) -> int:
    match = re.search(rf'id="waiting-{key}" data-count="(\d+)"', page)
    return int(match.group(1)) if match else 0


@pytest.fixture
def everything_waits(db, make_user, staged, agile_project):
    """An Executive with a gate and a budget exception to decide, a customer
    representative with a running sprint and no feedback yet, and a manager with a past
    week not submitted and an open risk they own."""
    executive, manager = agile_project["executive"], agile_project["manager"]
    project = agile_project["project"]
    _checkpointed_agile(db, agile_project)  # raises the budget exception
    projects.add_member(staged["project"], executive, "executive")
    stages.request_gate(staged["project"], report_data(), actor=staged["manager"])
    customer = make_user("Cass Customer")
    projects.add_member(project, customer, "customer_rep")
    sprint = next(i for i in agile_project["iterations"] if i.status != "closed")
    sprint.status = "active"
    worklog.add_entry(
        worklog.EntryData(
            person_id=manager.id,
            project_id=project.id,
            work_date=date(2026, 3, 3),
            hours=Decimal(2),
        ),
        actor=manager,
    )
    db.session.add(
        Risk(
            project=project,
            title="Supplier may fold",
            owner=manager,
            status=RiskStatus.OPEN,
            source="method_decision",
        )
    )
    db.session.commit()
    return {"executive": executive, "customer": customer, "manager": manager, "sprint": sprint}


def test_my_work_counts_the_decisions_the_inbox_lists(client, login, everything_waits):
    for who in ("executive", "customer", "manager"):
        person = everything_waits[who]
        login(person)
        inbox = client.get("/decisions").get_data(as_text=True)
        listed = len(INBOX_LINK.findall(inbox))
        my_work = client.get("/my-work").get_data(as_text=True)
        assert _my_work_count(my_work, "decisions") == listed, who
        assert for_person(person).decisions == listed, who
    executive = everything_waits["executive"]
    kinds = {kind.key: kind.count for kind in for_person(executive).kinds if kind.count}
    assert kinds == {"decisions": 1, "budget_exceptions": 1}
    login(executive)
    assert "2 decisions wait for you" in client.get("/my-work").get_data(as_text=True)


def test_my_work_lists_feedback_weeks_and_risks_with_links(client, login, everything_waits):
    login(everything_waits["customer"])
    page = client.get("/my-work").get_data(as_text=True)
    sprint = everything_waits["sprint"]
    assert _my_work_count(page, "feedback") == 1
    assert "1 iteration to give feedback on" in page
    assert f"/iterations/{sprint.id}/feedback/new" in page
    assert _my_work_count(page, "decisions") == 0
    login(everything_waits["manager"])
    page = client.get("/my-work").get_data(as_text=True)
    assert _my_work_count(page, "weeks") == 1
    assert "/timesheet?week=2026-03-02" in page
    assert _my_work_count(page, "risks") == 1
    assert "Supplier may fold" in page


def test_what_is_done_stops_waiting(db, everything_waits):
    manager, sprint = everything_waits["manager"], everything_waits["sprint"]
    worklog.submit_week(manager, date(2026, 3, 2), version=None, actor=manager)
    risk = db.session.query(Risk).filter_by(title="Supplier may fold").one()
    risk.status = RiskStatus.CLOSED
    db.session.commit()
    kinds = {kind.key: kind.count for kind in for_person(manager).kinds}
    assert kinds["weeks"] == 0 and kinds["risks"] == 0
    sprint.status = "closed"
    db.session.commit()
    assert {k.key: k.count for k in for_person(everything_waits["customer"]).kinds}["feedback"] == 0
