"""Service assessments, funding exceptions, release gates and closing gates waiting for a
board role appear in that person's Decisions inbox and in My work's count (the
``waiting_for`` event), and leave both once decided; the requester never sees them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.closure.conftest import delivered  # noqa: F401
from tests.closure.test_closure import REPORT
from tests.phases.test_services import _all_met, _fund_and_start, _set_up
from tests.releases.conftest import sprint  # noqa: F401
from tracker.benefits import subscribers as benefit_subscribers
from tracker.budget import services as budget
from tracker.budget.rules import COST_CATEGORIES
from tracker.closure import services as closure
from tracker.closure import subscribers as closure_subscribers
from tracker.core import events
from tracker.core.dates import uk_today
from tracker.core.waiting import for_person
from tracker.frameworks import decisions
from tracker.frameworks import subscribers as framework_subscribers
from tracker.phases import services as phases
from tracker.phases import subscribers as phase_subscribers
from tracker.releases import services as releases
from tracker.releases import subscribers as release_subscribers


def _keys(user) -> dict[str, int]:
    return {k.key: k.count for k in for_person(user, decisions_only=True).kinds if k.count}


def test_the_lifecycle_domains_answer_waiting_for_in_the_documented_order(app):
    receivers = events.receivers_of(events.waiting_for)
    # After every domain below it (orders 10 to 60); the benefits register (80) follows.
    assert receivers[-2:] == [
        framework_subscribers.decisions_by_template_roles,
        benefit_subscribers.benefits_to_attend,
    ]
    assert {source.key: source.query for source in decisions.sources()} == {
        "service_assessments": phase_subscribers.assessments_to_decide,
        "phase_funding_exceptions": phase_subscribers.funding_exceptions_to_decide,
        "release_gates": release_subscribers.release_gates_to_decide,
        "closing_gates": closure_subscribers.closing_gates_to_decide,
    }
    with open("docs/architecture.md", encoding="utf-8") as page:
        text = page.read()
    for name in (
        "frameworks.subscribers.decisions_by_template_roles",
        "phases.subscribers.assessments_to_decide",
        "phases.subscribers.funding_exceptions_to_decide",
        "releases.subscribers.release_gates_to_decide",
        "closure.subscribers.closing_gates_to_decide",
    ):
        assert name in text


def test_an_assessment_waits_for_each_assessor_until_they_record_it(db, client, login, gds):
    by_kind = _set_up(db, gds)
    _fund_and_start(db, gds, by_kind["discovery"])
    assessment = phases.request_assessment(
        by_kind["discovery"], summary="Found the users' needs", actor=gds["manager"]
    )
    db.session.commit()
    for role in ("executive", "senior_user"):
        assert _keys(gds[role]) == {"service_assessments": 1}
        assert for_person(gds[role]).decisions == 1
    assert _keys(gds["manager"]) == {}
    login(gds["senior_user"])
    page = client.get("/decisions").get_data(as_text=True)
    assert "Service assessments to decide" in page
    assert f"/projects/{gds['project'].id}/service-assessments/{assessment.id}" in page
    assert assessment.name in page
    phases.decide_assessment(
        assessment,
        role="senior_user",
        results=_all_met(assessment),
        comment="",
        actor=gds["senior_user"],
    )
    db.session.commit()
    assert _keys(gds["senior_user"]) == {}
    assert _keys(gds["executive"]) == {"service_assessments": 1}
    page = client.get("/decisions").get_data(as_text=True)
    assert "Service assessments to decide" not in page


def test_a_funding_exception_waits_for_the_executive(db, gds):
    by_kind = _set_up(db, gds)
    discovery = by_kind["discovery"]
    _fund_and_start(db, gds, discovery, "1000")
    discovery.started_on = uk_today() - timedelta(days=10)
    budget.record_cost(
        gds["project"],
        budget.CostData(
            spent_on=uk_today() - timedelta(days=2),
            amount=Decimal("1500.00"),
            category=next(iter(COST_CATEGORIES)),
            supplier="Research panel",
            description="User research incentives",
        ),
        token=None,
        actor=gds["manager"],
    )
    phases.check_spending(discovery, actor=gds["manager"])
    db.session.commit()
    assert _keys(gds["executive"]) == {"phase_funding_exceptions": 1}
    assert _keys(gds["senior_user"]) == {}
    phases.release_funding(discovery, Decimal("600"), version=None, actor=gds["executive"])
    db.session.commit()
    assert _keys(gds["executive"]) == {}


def test_a_release_gate_waits_for_its_board_role(db, client, login, gds, sprint):  # noqa: F811
    release = releases.request_release(
        gds["project"],
        name="Private beta",
        notes="Online reporting",
        iteration_ids=[sprint["iteration"].id],
        actor=gds["manager"],
    )
    db.session.commit()
    assert _keys(gds["executive"]) == {"release_gates": 1}
    assert _keys(gds["manager"]) == {}
    login(gds["executive"])
    page = client.get("/decisions").get_data(as_text=True)
    assert f"/projects/{gds['project'].id}/releases/{release.id}" in page
    page = client.get("/my-work").get_data(as_text=True)
    assert 'data-count="1"' in page
    releases.decide_release(
        release, role="executive", decision="approve", comment="", actor=gds["executive"]
    )
    db.session.commit()
    assert _keys(gds["executive"]) == {}


def test_a_closing_gate_waits_for_its_board_roles(db, delivered):  # noqa: F811
    gds = delivered
    closure.submit_report(gds["project"], REPORT, actor=gds["manager"])
    db.session.commit()
    for role in ("executive", "senior_user"):
        assert _keys(gds[role]) == {"closing_gates": 1}
    assert _keys(gds["manager"]) == {}
