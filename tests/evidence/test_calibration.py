"""The calibration: rows of the model tested, a candidate proposed, and its adoption as a
new model version that new assessments use and old ones never see."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from tests.portfolio import helpers as h
from tracker.audit.models import AuditEntry
from tracker.core.errors import RuleError
from tracker.evidence import calibration as calibrate
from tracker.evidence import rules, views
from tracker.extensions import db
from tracker.methods import model
from tracker.methods import rules as model_rules
from tracker.methods import services as methods
from tracker.methods.models import Assessment, ModelVersion

TODAY = date(2026, 6, 1)
CPI = rules.MEASURE_BY_KEY["cpi"]
# Uncertainty 33.3 (complicated under 2026.1), feasibility 75 with F2 = 4: hybrid.
NEAR_COMPLEX = {
    **{"U1": 2, "U2": 2, "U3": 3, "U4": 3, "U5": 2, "U6": 2, "U7": 1},
    **{"F1": 4, "F2": 4, "F3": 4, "C1": 2},
    **{"R1": 3, "R2": 3, "R3": 3, "R4": 3},
    "team_size": 6,
    "culture": "collaboration",
}


def _points():
    agile = [calibrate.point(k, f"A{k}", "agile", 1.2, NEAR_COMPLEX) for k in range(6)]
    hybrid = [calibrate.point(10 + k, f"H{k}", "hybrid", 0.8, NEAR_COMPLEX) for k in range(6)]
    return agile + hybrid


def test_a_row_the_evidence_contradicts_and_the_candidate_that_fixes_it():
    points = _points()
    (row,) = calibrate.row_tests(points, model.THRESHOLDS, CPI, 5)
    assert (row.row, row.recommended) == ("complicated_iterable", "hybrid")
    assert row.contradicted_by == ("agile",)
    assert row.cells["agile"].n == 6 and row.cells["hybrid"].n == 6
    candidate = calibrate.propose(points, model.THRESHOLDS, 5)
    assert candidate.changed == {"complex_from": (40, 30)}
    changed = calibrate.differences(points, model.THRESHOLDS, candidate.thresholds)
    assert len(changed) == 12
    assert {(d.current, d.candidate) for d in changed} == {("hybrid", "agile")}


def test_no_candidate_without_enough_evidence():
    candidate = calibrate.propose(_points()[:4], model.THRESHOLDS, 5)
    assert candidate.changed == {}


def test_the_guarantees_refuse_broken_thresholds(monkeypatch):
    assert model_rules.property_problems(model.THRESHOLDS) == []
    broken = replace(model.THRESHOLDS, clear_below=50)
    assert model_rules.property_problems(broken)
    # A zone rule that is not monotone is caught by the exhaustive check.
    real = model_rules.zone_for
    monkeypatch.setattr(
        model_rules,
        "zone_for",
        lambda u7, c, a, t=model.THRESHOLDS: "clear" if u7 == 5 else real(u7, c, a, t),
    )
    assert any("monotone" in p for p in model_rules.property_problems(model.THRESHOLDS))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


@pytest.fixture
def portfolio(db, make_project, make_user):
    """Six projects near the complex boundary delivered agile (CPI 1.2), six hybrid (0.8)."""
    pm = make_user("Manager")
    projects = []
    for k in range(12):
        method = "agile" if k < 6 else "hybrid"
        project = make_project(manager=pm)
        assessment = methods.assess(project, NEAR_COMPLEX, assessed_by=pm)
        db.session.flush()
        decision = h.MethodDecision(
            project_id=project.id,
            sequence=1,
            decided_by_id=pm.id,
            method=method,
            rationale="Because",
            assessment_id=assessment.id,
            recommended_method=assessment.method,
            follows_recommendation=method == assessment.method,
            driver_rows=[h.MethodDecisionDriver(driver="tradition")],
        )
        project.delivery_method = method
        db.session.add(decision)
        db.session.commit()
        h.checkpoint(project, cpi=1.2 if method == "agile" else 0.8, spi=1.0)
        projects.append(project)
    return projects, pm


def test_the_pmo_adopts_the_candidate_and_new_assessments_use_it(
    pmo_client, pmo, portfolio, make_project
):
    projects, pm = portfolio
    page = pmo_client.get("/evidence/calibration?min_n=5").get_data(as_text=True)
    assert "Contradicts the model" in page
    assert "Uncertainty from which a project is complex" in page
    assert "Past projects the candidate would have recommended differently: 12" in page
    found = re.search(r'name="thresholds" type="hidden" value="([^"]*)"', page)
    thresholds = html.unescape(found.group(1))
    response = pmo_client.post(
        "/evidence/calibration/adopt",
        data={
            "version": "2027.1",
            "reasons": "Agile did better just below the complex boundary",
            "based_on": "2026.1",
            "thresholds": thresholds,
        },
    )
    assert response.status_code == 302
    adopted = db.session.scalars(select(ModelVersion).where(ModelVersion.version == "2027.1")).one()
    assert adopted.threshold_values["complex_from"] == 30
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "method.model_adopted")
    ).one()
    assert "2027.1" in entry.summary
    # The next assessment uses the new version and says so; the old ones keep theirs.
    new = methods.assess(make_project(manager=pm), NEAR_COMPLEX, assessed_by=pm)
    db.session.commit()
    assert (new.model_version, new.zone, new.method) == ("2027.1", "complex", "agile")
    old = db.session.scalars(
        select(Assessment).where(Assessment.project_id == projects[0].id)
    ).one()
    assert (old.model_version, old.method) == ("2026.1", "hybrid")
    # Adopting against a version no longer current is refused.
    again = pmo_client.post(
        "/evidence/calibration/adopt",
        data={
            "version": "2027.2",
            "reasons": "Again",
            "based_on": "2026.1",
            "thresholds": thresholds,
        },
    )
    assert again.status_code == 400
    assert "was adopted since this calibration was run" in again.get_data(as_text=True)


def test_a_version_that_breaks_the_guarantees_cannot_be_adopted(db, pmo):
    with pytest.raises(RuleError, match="cannot be adopted"):
        methods.adopt_version(
            "2027.1",
            {"clear_below": 50},
            "Try",
            actor=pmo,
            based_on="2026.1",
        )
    db.session.rollback()
    for label in ("27.1", "2027", "2027.1a"):
        with pytest.raises(RuleError, match=r"like 2027\.1"):
            methods.adopt_version(label, {}, "Try", actor=pmo, based_on="2026.1")
    assert [v.version for v in methods.versions()] == ["2026.1"]


def test_only_pmo_staff_calibrate(client, login, make_user):
    login(make_user("Someone"))
    assert client.get("/evidence/calibration").status_code == 403
    assert client.post("/evidence/calibration/adopt").status_code in (400, 403)
