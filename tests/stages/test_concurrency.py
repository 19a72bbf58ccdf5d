"""Two board members acting at the same moment, on PostgreSQL with real concurrent sessions:
both decisions are kept, the gate resolves exactly once, and a role never decides twice."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.conftest import make_app, require_backend
from tests.stages.helpers import committed_waiting_start_gate
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.extensions import db
from tracker.stages import services
from tracker.stages.models import GateDecision, GateReview, Stage

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    require_backend("postgresql")
    app = make_app("postgresql", tmp_path_factory, "stagesrace")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app, label: str) -> dict:
    """A committed medium project with a board and a waiting start gate."""
    with app.app_context():
        people, stage, gate, project = committed_waiting_start_gate(label)
        ids = {role: user.id for role, user in people.items()}
        return {**ids, "gate": gate.id, "stage": stage.id, "project": project.id}


def _run_together(app, gate_id: int, deciders: list[tuple[int, str, str]]) -> list[str]:
    """Each (user id, role, decision) decides in its own thread and session, released at
    the same moment. Returns "ok" or the refusal message for each."""
    barrier = threading.Barrier(len(deciders))
    results: list[str] = [""] * len(deciders)

    def decide(index: int, user_id: int, role: str, decision: str) -> None:
        from tracker.auth.models import User

        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                gate = db.session.get(GateReview, gate_id)
                comment = "Because" if decision == "reject" else ""
                barrier.wait(timeout=10)
                services.decide_gate(
                    gate, role=role, decision=decision, comment=comment, actor=user
                )
                db.session.commit()
                results[index] = "ok"
            except RuleError as error:
                db.session.rollback()
                results[index] = str(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=decide, args=(i, *decider)) for i, decider in enumerate(deciders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_approvers_at_once_both_count_and_the_gate_resolves_once(pg_app):
    ids = _setup(pg_app, "both")
    results = _run_together(
        pg_app,
        ids["gate"],
        [
            (ids["executive"], "executive", "approve"),
            (ids["senior_user"], "senior_user", "approve"),
        ],
    )
    assert results == ["ok", "ok"]
    with pg_app.app_context():
        gate = db.session.get(GateReview, ids["gate"])
        assert gate.status == "approved"
        assert {d.role for d in gate.decisions} == {"executive", "senior_user"}
        assert db.session.get(Stage, ids["stage"]).status == "authorised"
        resolved = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "gate.resolved", AuditEntry.object_id == gate.id
            )
        )
        assert resolved == 1
        assert audit.verify().is_intact


def test_the_same_role_deciding_twice_at_once_counts_once(pg_app):
    ids = _setup(pg_app, "twice")
    results = _run_together(
        pg_app,
        ids["gate"],
        [(ids["executive"], "executive", "approve"), (ids["executive"], "executive", "approve")],
    )
    assert sorted(r == "ok" for r in results) == [False, True]
    refusal = next(r for r in results if r != "ok")
    assert "Executive has already decided this gate" in refusal
    with pg_app.app_context():
        count = db.session.scalar(
            select(func.count(GateDecision.id)).where(GateDecision.gate_id == ids["gate"])
        )
        assert count == 1
