"""Phases tried through the pages: the manager, the Executive and the Senior User."""

from __future__ import annotations

from tracker.phases.models import Phase, ServiceAssessment


def _points(assessment, *, not_met=(), note="Not yet"):
    data = {}
    for n, _point in enumerate(assessment.point_list, start=1):
        data[f"point-{n}-met"] = "not_met" if n in not_met else "met"
        data[f"point-{n}-note"] = note if n in not_met else ""
    return data


def _assess(client, login, gds, assessment, role, **kwargs):
    login(gds[role])
    return client.post(
        f"/projects/{gds['project'].id}/service-assessments/{assessment.id}/decide",
        data={"role": role, "comment": "", **_points(assessment, **kwargs)},
    )


def test_discovery_alpha_failed_and_rerun_then_beta_funded_through_the_pages(
    client, login, db, gds
):
    project = gds["project"]
    base = f"/projects/{project.id}/phases"
    login(gds["manager"])
    assert client.post(f"{base}/setup").status_code == 302
    phases = {p.kind: p for p in db.session.query(Phase).filter_by(project_id=project.id)}
    discovery, alpha = phases["discovery"], phases["alpha"]

    login(gds["executive"])
    client.post(
        f"{base}/{discovery.id}/funding",
        data={f"phase{discovery.id}-amount": "60000", f"phase{discovery.id}-version": "1"},
    )
    login(gds["manager"])
    client.post(f"{base}/{discovery.id}/start", data={"version": "2"})
    response = client.post(
        f"{base}/{discovery.id}/assessments/new", data={"summary": "Users need one form"}
    )
    assert response.status_code == 302
    review = db.session.query(ServiceAssessment).filter_by(phase_id=discovery.id).one()
    # The manager who requested it is refused a decision (403), whatever they post.
    assert _assess(client, login, gds, review, "manager").status_code == 403
    for role in ("executive", "senior_user"):
        assert _assess(client, login, gds, review, role).status_code == 302
    db.session.refresh(discovery)
    assert discovery.status == "passed"

    login(gds["executive"])
    client.post(
        f"{base}/{alpha.id}/funding",
        data={f"phase{alpha.id}-amount": "150000", f"phase{alpha.id}-version": "1"},
    )
    login(gds["manager"])
    client.post(f"{base}/{alpha.id}/start", data={"version": "2"})
    client.post(f"{base}/{alpha.id}/assessments/new", data={"summary": "Three prototypes"})
    first = db.session.query(ServiceAssessment).filter_by(phase_id=alpha.id, round=1).one()
    # A point not met without a note: a clear message, nothing saved.
    response = _assess(client, login, gds, first, "executive", not_met=(5,), note="")
    assert response.status_code == 400
    assert "is not met" in response.get_data(as_text=True)
    response = _assess(client, login, gds, first, "executive", not_met=(5,), note="No audit")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed" in page and "No audit" in page

    login(gds["manager"])
    client.post(f"{base}/{alpha.id}/assessments/new", data={"summary": "Audit done"})
    second = db.session.query(ServiceAssessment).filter_by(phase_id=alpha.id, round=2).one()
    for role in ("executive", "senior_user"):
        _assess(client, login, gds, second, role)
    beta = phases["private_beta"]
    login(gds["executive"])
    client.post(
        f"{base}/{beta.id}/funding",
        data={f"phase{beta.id}-amount": "400000", f"phase{beta.id}-version": "1"},
    )
    login(gds["manager"])
    client.post(f"{base}/{beta.id}/start", data={"version": "2"})
    db.session.refresh(beta)
    assert beta.status == "active" and beta.released_budget == 400000
    page = client.get(base).get_data(as_text=True)
    assert "Alpha assessment: move to private beta (round 2)" in page
    history = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Alpha assessment: move to private beta: not passed" in history


def test_funding_above_the_remaining_budget_is_refused_with_a_message(client, login, db, gds):
    project = gds["project"]
    login(gds["manager"])
    client.post(f"/projects/{project.id}/phases/setup")
    discovery = db.session.query(Phase).filter_by(project_id=project.id, kind="discovery").one()
    login(gds["executive"])
    response = client.post(
        f"/projects/{project.id}/phases/{discovery.id}/funding",
        data={f"phase{discovery.id}-amount": "2000000", f"phase{discovery.id}-version": "1"},
        follow_redirects=True,
    )
    assert "more than the project&#39;s remaining budget" in response.get_data(as_text=True)
    db.session.refresh(discovery)
    assert discovery.released_budget == 0


def test_the_phases_page_issues_a_few_queries_with_every_phase_started(client, login, db, gds):
    from sqlalchemy import event

    from tracker.phases import services as phases
    from tracker.phases.rules import PointResult

    project = gds["project"]
    listed = phases.set_up(project, actor=gds["manager"])
    for phase in listed:
        phases.release_funding(phase, 100000, version=None, actor=gds["executive"])
        phases.start_phase(phase, version=None, actor=gds["manager"])
        if phase.kind == "live":
            break
        review = phases.request_assessment(phase, summary="Done", actor=gds["manager"])
        for role in ("executive", "senior_user"):
            phases.decide_assessment(
                review,
                role=role,
                results=[PointResult(p, True) for p in review.point_list],
                comment="",
                actor=gds[role],
            )
    db.session.commit()
    login(gds["manager"])
    client.get(f"/projects/{project.id}/phases")
    statements = []

    def count(connection, cursor, statement, *args):
        if statement != "BEGIN":
            statements.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/projects/{project.id}/phases")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(statements) <= 15, statements
