"""The assessment, result, history, decision and risk pages, through the client."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from markupsafe import escape
from sqlalchemy import func, select

from tests.methods.conftest import COMPLEX, form_data
from tests.methods.helpers import raw
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.methods import model
from tracker.methods import services as methods
from tracker.methods.models import Assessment, MethodDecision, Risk


def _count(db, column) -> int:
    return db.session.scalar(select(func.count(column)))


def _assess(client, project, answers=None, **overrides):
    return client.post(
        f"/projects/{project.id}/assessments/new", data=form_data(answers, **overrides)
    )


# --------------------------------------------------------------------------------------
# Assessing
# --------------------------------------------------------------------------------------


def test_form_groups_every_question_with_labelled_scales_and_hints(client, login, project, people):
    login(people["manager"])
    page = client.get(f"/projects/{project.id}/assessments/new").get_data(as_text=True)
    for group in model.GROUPS:
        assert f">{group.title}</h2>" in page
    for question in model.QUESTIONS:
        assert str(escape(question.text)) in page
        assert str(escape(question.hint)) in page
        for value in model.SCALE:
            assert str(escape(f"{value} – {question.label(value)}")) in page
        assert f'id="{question.id}" name="{question.id}"' in page
    assert 'name="team_size"' in page
    for label in model.CULTURES.values():
        assert label in page


def test_assessing_stores_the_result_as_computed_and_shows_it(client, login, db, project, people):
    login(people["manager"])
    response = _assess(client, project, COMPLEX)
    assert response.status_code == 302
    assessment = db.session.scalars(select(Assessment)).one()
    assert response.headers["Location"].endswith(
        f"/projects/{project.id}/assessments/{assessment.id}"
    )
    assert (assessment.method, assessment.zone) == ("agile", "complex")
    assert assessment.model_version == model.MODEL_VERSION
    assert assessment.answers["U1"] == 5
    assert assessment.team_size == 6
    assert assessment.assessed_by_id == people["manager"].id
    assert set(assessment.scores) == {
        "certainty",
        "agreement",
        "uncertainty",
        "feasibility",
        "readiness",
    }
    assert assessment.reasons
    assert assessment.tailoring["tier"] == "small"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "method.assessed")
    ).one()
    assert entry.project_id == project.id
    assert json.loads(entry.changes)["method"] == "agile"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recommended method: agile" in page
    assert "complex</strong> zone" in page
    assert "<svg" in page and "This project" in page
    assert "The project is in the complex zone." in page  # the chart's text equivalent
    for dimension in ("Certainty axis", "Agreement axis", "Feasibility of iterating", "Readiness"):
        assert dimension in page
    assert str(assessment.scores["certainty"]) in page
    assert assessment.reasons[0] in page
    assert "Governance regime" in page and "Iteration reviews" in page
    assert "Record a method decision" in page


def test_result_page_lists_readiness_risks_and_mitigations(client, login, project, people):
    login(people["manager"])
    _assess(client, project, COMPLEX, R3=1, culture="control", R1=1, R2=2, R4=2)
    assessment = methods.latest_assessment(project.id)
    page = client.get(f"/projects/{project.id}/assessments/{assessment.id}").get_data(as_text=True)
    assert model.READINESS_RISKS["R3"].mitigation.replace("'", "&#39;") in page
    assert "Tradition pull" in page


def test_empty_form_names_every_missing_answer_and_saves_nothing(
    client, login, db, project, people
):
    login(people["manager"])
    response = client.post(f"/projects/{project.id}/assessments/new", data={})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for question in model.QUESTIONS:
        assert f'href="#{question.id}"' in summary
        assert f"Answer question {question.id}: {question.topic.lower()}" in summary
    assert "Enter the team size" in summary
    assert "Choose the organisation" in summary
    assert _count(db, Assessment.id) == 0
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "method.assessed")
    ).first()


def test_one_missing_answer_is_named_and_the_rest_are_kept(client, login, db, project, people):
    login(people["manager"])
    data = form_data()
    del data["F2"]
    response = client.post(f"/projects/{project.id}/assessments/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Answer question F2: delivery in usable increments" in page
    assert page.count("govuk-error-message") == 1
    assert re.search(r'id="U1"[^>]*value="1"\s+checked', page)  # other answers kept
    assert _count(db, Assessment.id) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("U3", "9", "Answer question U3: agreement on the solution with one of the options"),
        ("C1", "0", "Answer question C1: what is lost if it fails with one of the options"),
        ("R1", "two", "Answer question R1"),
        ("team_size", "0", "Team size must be a whole number from 1 to 10000"),
        ("team_size", "six", "Team size must be a whole number, like 6"),
        ("culture", "chaos", "Choose the organisation&#39;s dominant culture from the list"),
    ],
)
def test_bad_values_are_refused_with_a_message(
    client, login, db, project, people, field, value, message
):
    login(people["manager"])
    response = _assess(client, project, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, Assessment.id) == 0


def test_assessment_saved_meanwhile_is_not_overwritten(client, login, db, project, people):
    login(people["manager"])
    page = client.get(f"/projects/{project.id}/assessments/new").get_data(as_text=True)
    assert 'name="expected_sequence" type="hidden" value="1"' in page
    methods.assess(project, raw(), assessed_by=people["pmo"])
    db.session.commit()
    response = _assess(client, project, COMPLEX, expected_sequence="1")
    assert response.status_code == 400
    assert "Someone recorded another assessment" in response.get_data(as_text=True)
    assert _count(db, Assessment.id) == 1


def test_reassessment_starts_from_the_last_answers(client, login, project, people):
    login(people["manager"])
    _assess(client, project, COMPLEX)
    page = client.get(f"/projects/{project.id}/assessments/new").get_data(as_text=True)
    assert "Re-assess" in page
    assert re.search(r'id="U1-5"[^>]*value="5"\s+checked', page)
    assert 'name="expected_sequence" type="hidden" value="2"' in page


# --------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------


def test_history_shows_what_changed_and_whether_the_zone_moved(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project)  # clear, stage-gated
    _assess(client, project, expected_sequence="2")  # same answers
    _assess(client, project, COMPLEX, expected_sequence="3")
    assessments = list(db.session.scalars(select(Assessment).order_by(Assessment.sequence)))
    assert [a.zone for a in assessments] == ["clear", "clear", "complex"]
    page = client.get(f"/projects/{project.id}/assessments").get_data(as_text=True)
    assert page.index("Assessment 3") < page.index("Assessment 2") < page.index("Assessment 1")
    assert "Zone moved" in page
    assert "The zone moved from clear to complex." in page
    assert "Requirements expected to change each month: under 1% (1) → over 30% (5)" in page
    assert "Nothing changed: the same answers and the same result as assessment 1" in page
    assert "The first assessment of this project." in page
    # The earlier results are kept as computed.
    assert assessments[0].method == "stage_gated"
    result = client.get(f"/projects/{project.id}/assessments/{assessments[0].id}")
    assert "This is an earlier assessment" in result.get_data(as_text=True)


def test_history_compares_across_pages(client, login, db, project, people):
    for number in range(11):
        methods.assess(project, raw(U1=1 + number % 5), assessed_by=people["manager"])
    db.session.commit()
    login(people["manager"])
    page = client.get(f"/projects/{project.id}/assessments").get_data(as_text=True)
    assert "Assessment 11" in page and "Assessment 2" in page
    assert "Assessment 1," not in page
    assert "Since assessment 1" in page  # the last row on page 1 compares with page 2


def test_stored_results_are_never_changed(db, project, people):
    assessment = methods.assess(project, raw(), assessed_by=people["manager"])
    db.session.commit()
    assessment.method = "agile"
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()


def test_assessment_of_another_project_is_not_found(client, login, db, make_project, people):
    mine = make_project(manager=people["manager"])
    other = make_project()
    assessment = methods.assess(other, raw(), assessed_by=people["pmo"])
    db.session.commit()
    login(people["manager"])
    response = client.get(f"/projects/{mine.id}/assessments/{assessment.id}")
    assert response.status_code == 404


# --------------------------------------------------------------------------------------
# Method decisions
# --------------------------------------------------------------------------------------


def _decide(client, project, **data):
    latest = methods.latest_assessment(project.id)
    body = {
        "method": "stage_gated",
        "drivers": ["project_needs"],
        "rationale": "",
        "assessment_id": str(latest.id) if latest else "",
        "version": str(project.version),
    }
    body.update(data)
    return client.post(f"/projects/{project.id}/method-decision", data=body)


def test_decision_needs_an_assessment_first(client, login, db, project, people):
    login(people["manager"])
    response = client.get(f"/projects/{project.id}/method-decision")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{project.id}/assessments/new")
    assert _decide(client, project).status_code == 302
    assert _count(db, MethodDecision.id) == 0


def test_following_the_recommendation_sets_the_method_without_a_risk(
    client, login, db, project, people
):
    login(people["manager"])
    _assess(client, project)
    page = client.get(f"/projects/{project.id}/method-decision").get_data(as_text=True)
    assert "Recommended by the latest assessment" in page
    response = _decide(client, project, drivers=["project_needs", "training"])
    assert response.status_code == 302
    decision = db.session.scalars(select(MethodDecision)).one()
    assert decision.follows_recommendation is True
    assert decision.drivers == ["project_needs", "training"]
    assert decision.recommended_method == "stage_gated"
    assert decision.previous_method is None
    assert decision.risk is None
    db.session.refresh(project)
    assert project.delivery_method == "stage_gated"
    assert _count(db, Risk.id) == 0
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "method.decided")
    ).one()
    assert json.loads(entry.changes)["follows_recommendation"] is True


def test_choosing_against_the_recommendation_needs_a_rationale(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project, COMPLEX)
    response = _decide(client, project, method="stage_gated", drivers=["tradition"], rationale=" ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Explain why you chose stage-gated when the assessment recommends agile" in page
    assert 'href="#rationale"' in page
    assert _count(db, MethodDecision.id) == 0
    assert _count(db, Risk.id) == 0
    db.session.refresh(project)
    assert project.delivery_method is None


def test_choosing_against_the_recommendation_creates_a_risk_and_audit_entries(
    client, login, db, project, people
):
    login(people["manager"])
    _assess(client, project, COMPLEX)
    response = _decide(
        client,
        project,
        method="stage_gated",
        drivers=["tradition", "member_preference"],
        rationale="Members expect a gateway at every stage, as with every council project.",
    )
    assert response.status_code == 302
    decision = db.session.scalars(select(MethodDecision)).one()
    assert decision.follows_recommendation is False
    assert decision.recommended_method == "agile"
    risk = db.session.scalars(select(Risk)).one()
    assert decision.risk_id == risk.id
    assert risk.status == "open" and risk.source == "method_decision"
    assert risk.owner_id == people["manager"].id
    assert "stage-gated chosen, agile recommended" in risk.title
    assert "Members expect a gateway" in risk.description
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.project_id == project.id))
    )
    assert {"method.decided", "risk.created"} <= actions
    decided = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "method.decided")
    ).one()
    assert "against the recommendation (agile)" in decided.summary
    assert json.loads(decided.changes)["drivers"] == ["tradition", "member_preference"]

    history = client.get(f"/projects/{project.id}/method-decisions").get_data(as_text=True)
    assert "Members expect a gateway" in history
    assert "Tradition" in history and "Member preference" in history
    register = client.get(f"/projects/{project.id}/risks").get_data(as_text=True)
    assert risk.title in register
    project_page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "against the recommendation of agile" in project_page
    assert decided.summary in project_page  # the project's history shows the audit entry


def test_a_decision_can_be_made_again_keeping_history(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project, COMPLEX)
    _decide(client, project, method="stage_gated", drivers=["tradition"], rationale="Habit.")
    db.session.refresh(project)
    response = _decide(client, project, method="agile")
    assert response.status_code == 302
    decisions = list(db.session.scalars(select(MethodDecision).order_by(MethodDecision.sequence)))
    assert [(d.sequence, d.method, d.previous_method) for d in decisions] == [
        (1, "stage_gated", None),
        (2, "agile", "stage_gated"),
    ]
    db.session.refresh(project)
    assert project.delivery_method == "agile"
    page = client.get(f"/projects/{project.id}/method-decisions").get_data(as_text=True)
    assert page.index("Decision 2") < page.index("Decision 1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"method": ""}, "Choose the delivery method"),
        ({"method": "waterfall"}, "Choose the delivery method from the list"),
        ({"drivers": []}, "Choose at least one driver of the decision"),
        ({"drivers": ["whim"]}, "Choose the drivers of the decision from the list"),
        ({"rationale": "x" * 5001}, "Rationale must be 5000 characters or fewer"),
    ],
)
def test_bad_decisions_are_refused(client, login, db, project, people, data, message):
    login(people["manager"])
    _assess(client, project)
    response = _decide(client, project, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, MethodDecision.id) == 0


def test_a_stale_decision_form_is_refused(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project)
    stale_version = str(project.version)
    methods.decide(
        project,
        methods.DecisionData("stage_gated", ["project_needs"], "", None, None),
        decided_by=people["pmo"],
    )
    db.session.commit()
    response = _decide(client, project, version=stale_version)
    assert response.status_code == 400
    assert "changed by someone else" in response.get_data(as_text=True)
    assert _count(db, MethodDecision.id) == 1


def test_a_newer_assessment_must_be_read_before_deciding(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project)
    first = methods.latest_assessment(project.id)
    methods.assess(project, COMPLEX, assessed_by=people["pmo"])
    db.session.commit()
    response = _decide(client, project, assessment_id=str(first.id))
    assert response.status_code == 400
    assert "A newer assessment was recorded" in response.get_data(as_text=True)
    assert _count(db, MethodDecision.id) == 0


def test_rationale_is_escaped(client, login, db, project, people):
    login(people["manager"])
    _assess(client, project, COMPLEX)
    _decide(client, project, drivers=["tradition"], rationale="<script>alert(1)</script>")
    risk = db.session.scalars(select(Risk)).one()
    for url in (
        f"/projects/{project.id}/method-decisions",
        f"/projects/{project.id}/risks/{risk.id}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --------------------------------------------------------------------------------------
# Risk register
# --------------------------------------------------------------------------------------


@pytest.fixture
def risk(db, project, people):
    methods.assess(project, COMPLEX, assessed_by=people["manager"])
    decision = methods.decide(
        project,
        methods.DecisionData("stage_gated", ["tradition"], "Habit", None, None),
        decided_by=people["manager"],
    )
    db.session.commit()
    return decision.risk


# Editing risks: tests/registers/test_pages.py.

# --------------------------------------------------------------------------------------
# Access: the manager (and PMO/admin) act; the board and the team read
# --------------------------------------------------------------------------------------

ACTIONS = [
    ("GET", "/projects/{p}/assessments/new"),
    ("POST", "/projects/{p}/assessments/new"),
    ("GET", "/projects/{p}/method-decision"),
    ("POST", "/projects/{p}/method-decision"),
    ("GET", "/projects/{p}/risks/{r}/edit"),
    ("POST", "/projects/{p}/risks/{r}/edit"),
]
READS = [
    "/projects/{p}/assessments",
    "/projects/{p}/assessments/{a}",
    "/projects/{p}/method-decisions",
    "/projects/{p}/risks",
    "/projects/{p}",
]


def _urls(template, project, risk):
    assessment = methods.latest_assessment(project.id)
    return template.format(p=project.id, r=risk.id, a=assessment.id)


@pytest.mark.one_engine  # access does not depend on the engine
@pytest.mark.parametrize("who", ["executive", "team", "outsider"])
@pytest.mark.parametrize(("method", "template"), ACTIONS)
def test_only_the_manager_and_pmo_can_act(
    client, login, db, project, people, risk, who, method, template
):
    login(people[who])
    before = (_count(db, Assessment.id), _count(db, MethodDecision.id))
    response = client.open(_urls(template, project, risk), method=method, data=form_data(COMPLEX))
    assert response.status_code == 403
    assert (_count(db, Assessment.id), _count(db, MethodDecision.id)) == before


@pytest.mark.one_engine  # access does not depend on the engine
@pytest.mark.parametrize("who", ["executive", "team", "manager", "pmo"])
@pytest.mark.parametrize("template", READS)
def test_board_and_team_can_read(client, login, project, people, risk, who, template):
    login(people[who])
    response = client.get(_urls(template, project, risk))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["executive", "team"])
def test_readers_see_no_action_links(client, login, project, people, risk, who):
    login(people[who])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Method recommendation" in page
    assert "Re-assess the project" not in page
    assert "Record a method decision" not in page
    register = client.get(f"/projects/{project.id}/risks").get_data(as_text=True)
    assert f"/risks/{risk.id}/edit" not in register


def test_pmo_can_assess_and_decide(client, login, db, project, people):
    login(people["pmo"])
    assert _assess(client, project).status_code == 302
    assert _decide(client, project).status_code == 302
    assert db.session.scalars(select(MethodDecision)).one().decided_by_id == people["pmo"].id


# --------------------------------------------------------------------------------------
# The project page: summary and the prompt to re-assess
# --------------------------------------------------------------------------------------


def test_project_page_asks_for_a_first_assessment(client, login, project, people):
    login(people["manager"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "This project has not been assessed yet" in page
    assert "Assess the project" in page


def test_project_page_asks_to_reassess_after_the_configured_days(
    app, client, login, db, project, people, monkeypatch
):
    methods.assess(
        project, raw(), assessed_by=people["manager"], assessed_at=utcnow() - timedelta(days=40)
    )
    db.session.commit()
    login(people["manager"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "re-assess the project" not in page
    assert "Stage-gated (clear zone, high confidence)" in page
    monkeypatch.setitem(app.config, "METHOD_REASSESS_DAYS", 30)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "days old (more than 30): re-assess the project" in page


def test_project_page_suggests_a_new_decision_when_the_recommendation_moved(
    client, login, db, project, people
):
    methods.assess(project, raw(), assessed_by=people["manager"])
    methods.decide(
        project,
        methods.DecisionData("stage_gated", ["project_needs"], "", None, None),
        decided_by=people["manager"],
    )
    methods.assess(project, COMPLEX, assessed_by=people["manager"])
    db.session.commit()
    login(people["team"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "The latest assessment recommends agile: consider recording a new decision." in page


# --------------------------------------------------------------------------------------
# Query counts: lists do not grow with the data
# --------------------------------------------------------------------------------------


def _queries_for(client, url) -> int:
    """Queries the request made (the test client starts each request with an empty ``g``,
    where they are recorded)."""
    assert client.get(url).status_code == 200
    return len(get_recorded_queries())


@pytest.mark.parametrize("path", ["assessments", "method-decisions", "risks", ""])
def test_list_pages_use_a_fixed_number_of_queries(client, login, db, project, people, path):
    def add(n):
        for _ in range(n):
            methods.assess(project, COMPLEX, assessed_by=people["manager"])
            methods.decide(
                project,
                methods.DecisionData("stage_gated", ["tradition"], "Habit", None, None),
                decided_by=people["manager"],
            )
        db.session.commit()

    url = f"/projects/{project.id}/{path}".rstrip("/")
    login(people["manager"])
    add(2)
    few = _queries_for(client, url)
    assert few > 0
    add(5)
    assert _queries_for(client, url) == few


# --------------------------------------------------------------------------------------
# Saves racing someone else's: a clear message, never an error page
# --------------------------------------------------------------------------------------


def test_an_assessment_taking_a_number_someone_else_just_took_shows_the_message(
    client, login, db, project, people, monkeypatch
):
    """The other assessment is saved between this one counting the sequence and storing
    it: the unique (project, sequence) constraint catches it."""
    login(people["manager"])
    methods.assess(project, raw(), assessed_by=people["pmo"])
    db.session.commit()
    monkeypatch.setattr(methods, "_next_sequence", lambda model_class, project_id: 1)
    response = _assess(client, project, COMPLEX, expected_sequence="1")
    assert response.status_code == 400
    assert str(escape(methods.ASSESSED_MEANWHILE)) in response.get_data(as_text=True)
    assert _count(db, Assessment.id) == 1
