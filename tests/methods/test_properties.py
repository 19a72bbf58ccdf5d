"""Properties the model promises for every possible answer set."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tracker.methods import model
from tracker.methods.rules import method_for, recommend, score, validate_answers, zone_for

ADAPTIVENESS = {method: rank for rank, method in enumerate(model.METHOD_ORDER)}

answer_sets = st.fixed_dictionaries(
    {
        **{key: st.integers(1, 5) for key in model.SCALE_KEYS},
        "team_size": st.integers(1, 500),
        "culture": st.sampled_from(sorted(model.CULTURES)),
    }
)


@given(answer_sets, st.sampled_from([None, *model.SIZE_TIERS]))
def test_every_answer_set_gives_one_method_and_a_reason(raw, size_tier):
    result = recommend(validate_answers(raw), size_tier=size_tier)
    assert result.method in model.METHODS
    assert result.zone in model.ZONES
    assert result.confidence in ("high", "low")
    assert set(result.flags) <= set(model.FLAGS)
    assert len(result.reasons) >= 1
    assert all(isinstance(reason, str) and reason for reason in result.reasons)
    assert all(0 <= value <= 100 for value in result.scores.values())


@given(answer_sets, st.sampled_from(model.UNCERTAINTY_KEYS))
def test_raising_an_uncertainty_answer_never_makes_the_method_less_adaptive(raw, key):
    if raw[key] == 5:
        raw[key] = 4
    before = recommend(validate_answers(raw)).method
    after = recommend(validate_answers({**raw, key: raw[key] + 1})).method
    assert ADAPTIVENESS[after] >= ADAPTIVENESS[before], (key, raw)


def test_monotonicity_holds_exhaustively():
    """The same property over all 5^11 combinations of U1..U7, F1..F3 and C1.

    The method depends on the U answers only through the zone, so it is enough to check
    that (1) raising any U answer never lowers the zone, over all 5^7 U answer sets, and
    (2) for every F1..F3 and C1, a higher zone never gives a less adaptive method.
    """
    zone_rank = {zone: rank for rank, zone in enumerate(model.ZONE_ORDER)}
    keys = model.UNCERTAINTY_KEYS
    zones = {}
    for values in itertools.product(model.SCALE, repeat=len(keys)):
        u = dict(zip(keys, values, strict=True))
        certainty = sum(score(u[k]) for k in model.CERTAINTY_AXIS_KEYS) / 3
        agreement = sum(score(u[k]) for k in model.AGREEMENT_AXIS_KEYS) / 3
        zones[values] = zone_rank[zone_for(u["U7"], certainty, agreement)]
    for values, rank in zones.items():
        for i, value in enumerate(values):
            if value < 5:
                raised = (*values[:i], value + 1, *values[i + 1 :])
                assert zones[raised] >= rank, (values, keys[i])

    for f1, f2, f3, c1 in itertools.product(model.SCALE, repeat=4):
        feasibility = Fraction(score(f1) + score(f2) + score(f3), 3)
        ranks = [
            ADAPTIVENESS[method_for(zone, feasibility, f2, c1)[0]] for zone in model.ZONE_ORDER
        ]
        assert ranks == sorted(ranks), (f1, f2, f3, c1, ranks)


@given(
    answer_sets,
    st.fixed_dictionaries({key: st.integers(1, 5) for key in model.READINESS_KEYS}),
    st.sampled_from(sorted(model.CULTURES)),
    st.integers(1, 500),
)
def test_readiness_culture_and_team_size_never_change_the_method(raw, readiness, culture, size):
    before = recommend(validate_answers(raw))
    after = recommend(validate_answers({**raw, **readiness, "culture": culture, "team_size": size}))
    assert after.method == before.method
    assert after.zone == before.zone


@given(answer_sets)
def test_results_are_json_ready(raw):
    import json

    data = recommend(validate_answers(raw)).to_dict()
    assert json.loads(json.dumps(data)) == data
