"""Re-assessment comparison and the Stacey-style chart geometry."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from tests.methods.helpers import answers, axes, raw
from tracker.methods.rules import compare, recommend, stacey_chart, zone_for


def stored(data):
    return {"answers": data, "result": recommend(answers(**data)).to_dict()}


def test_compare_nothing_changed():
    assert compare(stored(raw()), stored(raw())) == []


def test_compare_answer_change_within_the_zone():
    changes = compare(stored(raw()), stored(raw(R1=2)))
    assert changes == [
        {
            "kind": "answer",
            "key": "R1",
            "old": 4,
            "new": 2,
            "text": "Sponsor and member support for an adaptive approach: "
            "mostly supportive (4) → little support (2)",
        }
    ]


def test_compare_zone_move_suggests_a_method_change():
    before = raw((2, 2, 2, 2, 2, 2))
    after = {**before, "U1": 4, "U5": 4}
    changes = compare(stored(before), stored(after))
    assert [c["kind"] for c in changes] == ["zone", "method", "answer", "answer"]
    assert changes[0]["old"] == "complicated"
    assert changes[0]["new"] == "complex"
    assert changes[0]["text"] == (
        "The zone moved from complicated to complex. The recommendation is now agile "
        "(was stage-gated): consider a method change and record the decision."
    )
    assert changes[1]["text"] == "The recommended method moved from stage-gated to agile."
    assert changes[2]["text"] == (
        "Requirements expected to change each month: about 5% (2) → about 20 to 30% (4)"
    )


def test_compare_reports_model_version_and_missing_answers():
    previous = {
        "answers": {"U1": 2, "U10": 1},
        "result": {"zone": "clear", "model_version": "2025.9"},
    }
    current = stored(raw(U1=2))
    kinds = [(c["kind"], c["key"]) for c in compare(previous, current)]
    assert ("zone", "zone") not in kinds
    assert ("model_version", "model_version") in kinds
    assert ("answer", "U2") in kinds  # not answered before
    assert ("answer", "U10") in kinds  # a key this model does not know
    text = {c["key"]: c["text"] for c in compare(previous, current)}
    assert text["U2"] == "Agreement on the problem and its causes: not answered → fully agree (1)"


# --- chart -------------------------------------------------------------------------------


def test_chart_corners_and_axes():
    chart = stacey_chart(0, 0)
    assert (chart.point_x, chart.point_y) == (chart.plot_left, chart.plot_bottom)
    chart = stacey_chart(100, 100)
    assert (chart.point_x, chart.point_y) == (chart.plot_right, chart.plot_top)
    assert chart.x_ends == ("known", "unknown")
    assert chart.y_ends == ("agreed", "contested")
    assert [r.zone for r in chart.regions] == ["clear", "complicated", "complex", "chaotic"]
    assert all(r.path.startswith("M ") and r.path.endswith(" Z") for r in chart.regions)
    assert [r.is_overlay for r in chart.regions] == [False, False, False, True]


def test_chart_text_states_the_true_zone():
    result = recommend(answers(axes((4, 4, 4), (3, 3, 3)), U7=5))
    chart = stacey_chart(result.scores["certainty"], result.scores["agreement"], zone=result.zone)
    assert chart.description == (
        "Certainty 75.0 of 100 (0 is known, 100 unknown); agreement 50.0 of 100 (0 is "
        "agreed, 100 contested). The project is in the chaotic zone."
    )
    assert stacey_chart(75, 50).description.endswith("the complex zone.")


@pytest.mark.parametrize("value", [-0.1, 100.1, float("nan")])
def test_chart_refuses_scores_off_the_scale(value):
    with pytest.raises(ValueError):
        stacey_chart(value, 50)


def _inside(x, y, polygon):
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise((*polygon, polygon[0])):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_chart_regions_match_the_zone_rules():
    """Away from the boundary lines, a point lies in exactly the region of its zone."""
    values = [1.3 + 5 * i for i in range(20)]
    for certainty, agreement in itertools.product(values, repeat=2):
        chart = stacey_chart(certainty, agreement)
        found = [
            r.zone
            for r in chart.regions
            if not r.is_overlay and _inside(chart.point_x, chart.point_y, r.points)
        ]
        expected = zone_for(1, Fraction(str(certainty)), Fraction(str(agreement)))
        assert found == [expected], (certainty, agreement)
        chaotic = chart.regions[-1]
        assert _inside(chart.point_x, chart.point_y, chaotic.points) is (
            zone_for(5, Fraction(str(certainty)), Fraction(str(agreement))) == "chaotic"
        )
