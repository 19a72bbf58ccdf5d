"""Every sentence the recommendation page shows about the model, checked against the
model's rules: the numbers and answers each sentence names are read back out of it and
tried on ``rules.zone_for`` (and the model's constants), so a sentence that says one thing
while the rules do another fails here."""

from __future__ import annotations

import re
from fractions import Fraction
from html import unescape

from sqlalchemy import select

from tests.methods.conftest import form_data
from tests.methods.helpers import raw
from tracker.methods import model, rules, wording
from tracker.methods.models import Assessment

U7 = model.QUESTIONS_BY_ID["U7"]
EPSILON = Fraction(1, 10)


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return int(match.group(1))


def _zone(u7: int, position: Fraction, *, lean: Fraction = Fraction(0)) -> str:
    """The zone of a project whose two axes average ``position`` (``lean`` apart)."""
    return rules.zone_for(u7, position + lean, position - lean)


def test_the_chaotic_condition_names_exactly_the_answers_that_make_a_project_chaotic():
    sentence = wording.chaotic_condition()
    for value in model.SCALE:
        named = f'"{U7.label(value)}"' in sentence
        chaotic = _zone(value, Fraction(100)) == "chaotic"
        assert named == chaotic, f"U7 = {value} ({U7.label(value)}): named {named}, rule {chaotic}"
    # "Harm is likely soon" is one of them: the page must not say "only when happening now".
    assert '"harm is likely soon"' in sentence


def test_the_chaotic_condition_states_its_thresholds_as_the_rule_applies_them():
    sentence = wording.chaotic_condition()
    u7_from = _number(r"answered (\d+) or more", sentence)
    position_from = _number(r"zone position is (\d+) or more", sentence)
    assert _zone(u7_from, Fraction(100)) == "chaotic"
    assert _zone(u7_from - 1, Fraction(100)) != "chaotic"
    assert _zone(5, Fraction(position_from)) == "chaotic"
    assert _zone(5, Fraction(position_from) - EPSILON) != "chaotic"
    assert wording.chaotic_condition() in wording.CHART_CAPTION
    label_from = _number(r"U7 is (\d+) or more", wording.CHAOTIC_REGION_LABEL)
    assert label_from == u7_from


def test_the_zone_position_meaning_matches_every_boundary():
    text = wording.zone_position_meaning()
    clear_below = _number(r"clear below (\d+)", text)
    complicated_from = _number(r"complicated from (\d+)", text)
    complex_from = _number(r"complex from (\d+)", text)
    axis_from = _number(r"either axis is (\d+) or more", text)
    chaotic_from = _number(r"chaotic from (\d+) when U7", text)
    chaotic_u7 = _number(r"when U7 is (\d+) or more", text)
    assert complicated_from == clear_below
    assert _zone(1, Fraction(clear_below) - EPSILON) == "clear"
    assert _zone(1, Fraction(clear_below)) == "complicated"
    assert _zone(1, Fraction(complex_from) - EPSILON) == "complicated"
    assert _zone(1, Fraction(complex_from)) == "complex"
    # Either axis alone at the axis threshold makes it complex, below the position one.
    assert rules.zone_for(1, Fraction(axis_from), Fraction(0)) == "complex"
    assert rules.zone_for(1, Fraction(axis_from) - EPSILON, Fraction(0)) == "complicated"
    assert rules.zone_for(1, Fraction(0), Fraction(axis_from)) == "complex"
    assert _zone(chaotic_u7, Fraction(chaotic_from)) == "chaotic"
    assert _zone(chaotic_u7, Fraction(chaotic_from) - EPSILON) == "complex"
    assert _zone(chaotic_u7 - 1, Fraction(100)) == "complex"


def test_the_scores_table_names_the_questions_each_score_is_made_of():
    scores = rules.compute_scores(rules.validate_answers(raw((5, 1, 1, 5, 5, 1), F1=2)))
    rows = wording.score_rows(scores.rounded())
    expected = {
        "Certainty axis": (model.CERTAINTY_AXIS_KEYS, scores.certainty),
        "Agreement axis": (model.AGREEMENT_AXIS_KEYS, scores.agreement),
        "Feasibility of iterating": (model.FEASIBILITY_KEYS, scores.feasibility),
        "Readiness": (model.READINESS_KEYS, scores.readiness),
    }
    for name, value, _meaning in rows:
        if name == wording.ZONE_POSITION_NAME:
            # Named for what it is: the mean of the two axes, the zone's position.
            assert value == rules._round((scores.certainty + scores.agreement) / 2)
            assert "mean" in name and "score" not in name.lower()
            continue
        title = name.split(" (")[0]
        keys, exact = expected.pop(title)
        named = re.findall(r"[A-Z]\d", name)
        if " to " in name:
            first, last = named
            named = [k for k in model.SCALE_KEYS if first[0] == k[0] and first <= k <= last]
        assert tuple(named) == keys, name
        assert value == rules._round(exact), name
    assert not expected, f"rows missing: {expected}"
    # What is said of the scores holds: the position is not called a score.
    assert "mean of the certainty and agreement axes" in wording.SCORES_INTRO
    assert "never averaged" not in wording.SCORES_INTRO


def test_the_chaotic_zone_explanation_covers_every_answer_that_makes_it():
    explanation = model.ZONES["chaotic"].explanation
    for value in wording.chaotic_answers():
        tail = " ".join(U7.label(value).split()[-2:])  # "likely soon", "happening now"
        assert tail in explanation, f"{tail!r} (U7 = {value}) not in {explanation!r}"


def test_the_stabilise_first_flag_says_the_length_the_rules_allow():
    words = {6: "six"}
    weeks = words[model.THRESHOLDS.stabilise_weeks_at_most]
    assert f"at most {weeks} weeks" in model.FLAGS["stabilise_first"].explanation


def test_the_result_page_shows_these_sentences_and_no_other_account_of_the_model(
    client, login, db, project, people
):
    login(people["manager"])
    # Harm likely soon and everything contested and unknown: the chaotic zone.
    answers = raw((5, 5, 5, 5, 5, 5), U7=4)
    response = client.post(f"/projects/{project.id}/assessments/new", data=form_data(answers))
    assert response.status_code == 302
    assessment = db.session.scalars(select(Assessment)).one()
    assert assessment.zone == "chaotic"
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    page = " ".join(page.split())
    assert wording.SCORES_INTRO in page
    assert wording.CHART_CAPTION in page
    assert model.ZONES["chaotic"].explanation in page
    assert wording.CHAOTIC_REGION_LABEL in page
    for name, _value, meaning in wording.score_rows(assessment.scores):
        assert name in page and meaning in page
    for wrong in ("never averaged", "Uncertainty (both axes)", "harm is happening now (question"):
        assert wrong not in page, wrong
