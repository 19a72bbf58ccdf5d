"""A project switched method at a boundary counts under each method it was delivered with
in the portfolio's comparison by method (and once in the scatter's total)."""

from __future__ import annotations

from sqlalchemy import select

from tests.portfolio.test_pages import _figures, fixed_today, portfolio  # noqa: F401
from tracker.frameworks.models import FrameworkVersion
from tracker.methods.models import MethodDecision, MethodSwitch


def _switch(db, project, user, *, from_method, to_method, status="approved"):
    decision = db.session.scalars(
        select(MethodDecision).where(MethodDecision.project_id == project.id)
    ).first()
    db.session.add(
        MethodSwitch(
            project_id=project.id,
            from_method=from_method,
            to_method=to_method,
            assessment_id=decision.assessment_id,
            framework_version_id=db.session.scalar(select(FrameworkVersion.id).limit(1)),
            drivers="project_needs",
            rationale="",
            boundary_kind="assessment",
            boundary_id=1,
            boundary_name="Alpha assessment",
            status=status,
            proposed_by_id=user.id,
        )
    )
    db.session.commit()


def test_a_switched_project_counts_under_each_method_it_was_delivered_with(
    db,
    pmo_client,
    portfolio,  # noqa: F811
    make_user,
):
    before, _ = _figures(pmo_client.get("/portfolio/").get_data(as_text=True), "compare-methods")
    assert before["Projects"] == {"Stage-gated": "3", "Hybrid": "0", "Agile": "4"}
    someone = make_user("Somebody")
    # sg1 was agile through discovery and alpha, then switched to stage-gated.
    _switch(db, portfolio["sg1"], someone, from_method="agile", to_method="stage_gated")
    # A rejected proposal changes nothing.
    _switch(
        db, portfolio["a1"], someone, from_method="agile", to_method="hybrid", status="rejected"
    )
    page = pmo_client.get("/portfolio/").get_data(as_text=True)
    values, ns = _figures(page, "compare-methods")
    assert values["Projects"] == {"Stage-gated": "3", "Hybrid": "0", "Agile": "5"}
    # sg1's own figures count in both groups: CPI 1.0 joins the agile medians.
    assert ns["Median CPI at the latest checkpoint"] == {"Stage-gated": 3, "Agile": 5, "Hybrid": 0}
