"""The board hears about what needs it, once each: a highlight report sent, an exception
raised (a condition overdue and a rating turning Red are in their own tests)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.stages.helpers import plan_stages, report_data
from tracker.notifications.models import Notification
from tracker.stages import services as stages


def _told(db, kind) -> list[int]:
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def _started(db, board):
    project = board["project"]
    first, _ = plan_stages(project, board["manager"], gap=30)
    gate = stages.request_gate(project, report_data(), actor=board["manager"])
    for role in ("executive", "senior_user"):
        stages.decide_gate(gate, role=role, decision="approve", comment="", actor=board[role])
    stages.start_stage(first, version=None, actor=board["manager"])
    db.session.commit()
    return project, first


def test_a_highlight_report_reaches_each_board_member_once(db, board):
    project, _ = _started(db, board)
    stages.create_highlight(
        project,
        stages.HighlightData(
            period_start=date(2026, 1, 5),
            period_end=date(2026, 1, 30),
            overall_status="green",
            this_period="Shortlisted",
            next_period="Tender",
            issues_and_risks="None new",
        ),
        actor=board["manager"],
    )
    db.session.commit()
    assert _told(db, "highlight_sent") == sorted(
        board[r].id for r in ("executive", "senior_user", "senior_supplier")
    )


def test_an_exception_reaches_the_members_who_decide_it(db, board):
    _, first = _started(db, board)
    stages.apply_forecast(
        first,
        finish=first.planned_finish + timedelta(days=40),
        cost=first.planned_budget,
        targets={t: "met" for t in ("scope", "quality", "risk", "benefit", "sustainability")},
        actor=board["manager"],
    )
    report = stages.raise_exception(
        first,
        stages.ExceptionData(
            cause="The supplier failed.",
            consequences="Six weeks late.",
            options=[
                stages.OptionData("Wait", "+£0", "+6 weeks", "Low"),
                stages.OptionData("Second supplier", "+£10,000", "+2 weeks", "Medium"),
                stages.OptionData("", "", "", ""),
            ],
            recommended_option=1,
            recommendation="Wait.",
        ),
        actor=board["manager"],
    )
    db.session.commit()
    assert _told(db, "exception_raised") == sorted(board[r].id for r in report.roles)
