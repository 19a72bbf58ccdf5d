"""The programme page's benefits summary: its projects' benefits summed in one statement,
with n and the projects that have none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.benefits import services as benefits
from tracker.core.dates import uk_today
from tracker.programmes import queries, services


def _benefit(project, owner, *, category="cashable", kind="benefit", **facts):
    made = benefits.create_benefit(
        project,
        benefits.BenefitData(
            title=f"Benefit {category} {kind}",
            kind=kind,
            category=category,
            measure="Cost",
            unit="£ a year" if category == "cashable" else "calls",
            baseline_value=Decimal(0),
            baseline_on=date(2026, 1, 1),
            target_value=Decimal(1000),
            target_on=date(2027, 1, 1),
            owner_email=owner.email,
        ),
        actor=owner,
    )
    for name, value in facts.items():
        setattr(made, name, value)
    return made


def test_the_summary_sums_the_projects_benefits_and_names_those_without(
    client, login, db, make_project, people, programme
):
    first, second, empty = (make_project() for _ in range(3))
    outside = make_project()
    for project in (first, second, empty):
        services.add_project(programme, project, actor=people["pmo"])
    owner = people["pmo"]
    _benefit(first, owner, latest_value=Decimal(400), review_outcome="realised")
    _benefit(first, owner, category="non_cashable", review_outcome="partly")
    _benefit(second, owner, latest_value=Decimal(2000))  # beyond the plan: counts 1000
    _benefit(second, owner, kind="disbenefit")  # not a benefit: not counted
    _benefit(outside, owner)  # another programme's project: not counted
    db.session.commit()

    summary = queries.benefit_summary(programme.id, uk_today())
    assert (summary.projects, summary.without) == (3, 1)
    assert (summary.planned, summary.reviewed, summary.realised) == (3, 2, 1)
    assert summary.planned_cash == Decimal(2000)
    assert summary.realised_cash == Decimal(1400)

    login(people["pmo"])
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert 'id="benefits"' in page
    assert "1 of them with no benefits recorded" in page
    assert "£2,000" in page and "£1,400" in page


def test_an_empty_programme_sums_to_nothing(db, programme):
    summary = queries.benefit_summary(programme.id, uk_today())
    assert (summary.projects, summary.without, summary.planned) == (0, 0, 0)
    assert summary.planned_cash == 0
