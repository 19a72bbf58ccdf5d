"""The calibration: the current model version's thresholds tested against the portfolio's
outcomes, and a candidate version with changed thresholds. Pure functions over plain data
(each project's answers, the method it was delivered with and its outcome), with no Flask
or database import.

**What is tested.** Each past project is placed by the current version's rules in a row of
the model's table (clear; complicated; complicated and iterable; complex; complex with
iteration constrained; complex and critical; chaotic). Within a row, the projects
delivered with the method the row recommends are compared with those delivered with each
other method: n, median and interval of the chosen outcome (``rules.cell``). Where an
alternative's interval lies wholly above the recommended method's, the evidence
contradicts that row, and so the thresholds that draw it.

**The candidate.** Each calibrated threshold is tried at the values in ``STEPS`` one at a
time, the others kept: a candidate scores the outcome the projects like each project got
under the method the candidate would recommend (the median over the projects with the same
answers' scores and that method, where there are at least ``min_n``; projects without such
a group count as the current version's score). The best change that scores higher than the
current version is the candidate; "no change" when none does. The candidate is checked
against the model's guarantees before it can be adopted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from tracker.evidence import rules
from tracker.methods import model
from tracker.methods.rules import method_for, score, zone_for

STEPS: Mapping[str, tuple[int, ...]] = {
    "clear_below": (10, 15, 20, 25, 30),
    "complex_from": (30, 35, 40, 45, 50),
    "chaotic_from": (55, 60, 65, 70),
    "axis_complex_from": (65, 70, 75, 80, 85),
    "feasibility_low": (30, 35, 40, 45, 50),
    "feasibility_high": (50, 55, 60, 65, 70),
}
ROWS = {
    "clear": "Clear → stage-gated",
    "complicated": "Complicated → stage-gated",
    "complicated_iterable": "Complicated, iterable → hybrid",
    "complex": "Complex → agile",
    "complex_constrained": "Complex, iteration constrained → hybrid",
    "complex_critical": "Complex, critical → hybrid",
    "chaotic": "Chaotic → agile",
}
ROW_THRESHOLDS = {
    "clear": ("clear_below",),
    "complicated": ("clear_below", "complex_from", "feasibility_high"),
    "complicated_iterable": ("complex_from", "feasibility_high"),
    "complex": ("complex_from", "axis_complex_from", "feasibility_low"),
    "complex_constrained": ("complex_from", "feasibility_low"),
    "complex_critical": ("complex_from",),
    "chaotic": ("chaotic_from",),
}


@dataclass(frozen=True, slots=True)
class Point:
    """One past project: what the rules read from its answers, and how it did."""

    project_id: int
    code: str
    delivered: str
    outcome: float
    u7: int
    certainty: Fraction
    agreement: Fraction
    feasibility: Fraction
    f2: int
    c1: int

    @property
    def key(self) -> tuple:
        return (self.u7, self.certainty, self.agreement, self.feasibility, self.f2, self.c1)


def point(
    project_id: int, code: str, delivered: str, outcome: float, answers: Mapping
) -> Point | None:
    """A point from stored answers, or None when they are incomplete."""
    try:
        values = {
            key: int(answers[key]) for key in (*model.UNCERTAINTY_KEYS, "F1", "F2", "F3", "C1")
        }
    except (KeyError, TypeError, ValueError):
        return None
    mean = lambda keys: sum((score(values[k]) for k in keys), Fraction(0)) / len(keys)  # noqa: E731
    return Point(
        project_id,
        code,
        delivered,
        float(outcome),
        values["U7"],
        mean(model.CERTAINTY_AXIS_KEYS),
        mean(model.AGREEMENT_AXIS_KEYS),
        mean(model.FEASIBILITY_KEYS),
        values["F2"],
        values["C1"],
    )


def recommended(p: Point, t: model.Thresholds) -> tuple[str, str]:
    """(method, table row) the thresholds give this project."""
    zone = zone_for(p.u7, p.certainty, p.agreement, t)
    return method_for(zone, p.feasibility, p.f2, p.c1, t)


@dataclass(frozen=True)
class RowTest:
    row: str
    label: str
    recommended: str
    cells: dict[str, rules.Cell]  # delivered method -> outcome cell
    contradicted_by: tuple[str, ...]  # methods whose interval lies wholly above
    thresholds: tuple[str, ...]


def row_tests(
    points: Sequence[Point], t: model.Thresholds, measure: rules.Measure, min_n: int
) -> list[RowTest]:
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    row_method: dict[str, str] = {}
    for p in points:
        method, row = recommended(p, t)
        row_method[row] = method
        values[(row, p.delivered)].append(p.outcome)
    tests = []
    for row, label in ROWS.items():
        if row not in row_method:
            continue
        method = row_method[row]
        cells = {
            m: rules.cell(measure, values.get((row, m), []), min_n) for m in model.METHOD_ORDER
        }
        own = cells[method]
        better = []
        for other, item in cells.items():
            if other == method or not (own.is_shown and item.is_shown):
                continue
            above = item.low > own.high if measure.higher_is_better else item.high < own.low
            if above:
                better.append(other)
        tests.append(RowTest(row, label, method, cells, tuple(better), ROW_THRESHOLDS[row]))
    return tests


@dataclass(frozen=True)
class Candidate:
    thresholds: model.Thresholds
    changed: dict[str, tuple[int, int]]  # threshold -> (current, candidate)
    score_current: float
    score_candidate: float


def propose(
    points: Sequence[Point], t: model.Thresholds, min_n: int, *, higher_is_better: bool = True
) -> Candidate:
    """The best one-threshold change (see the module's docstring), or no change."""
    groups: dict[tuple, list[float]] = defaultdict(list)
    for p in points:
        groups[(p.key, p.delivered)].append(p.outcome if higher_is_better else -p.outcome)
    medians = {key: rules.median(v) for key, v in groups.items() if len(v) >= min_n}
    # Projects whose answers have no group score the median of everything (neutral).
    everything = [p.outcome if higher_is_better else -p.outcome for p in points]
    fallback = rules.median(everything) if everything else 0.0
    # Distinct answer keys weigh by how many projects share them.
    by_key: dict[tuple, Point] = {}
    weight: dict[tuple, int] = defaultdict(int)
    for p in points:
        by_key.setdefault(p.key, p)
        weight[p.key] += 1

    def score_of(th: model.Thresholds) -> float:
        return sum(
            weight[key] * medians.get((key, recommended(p, th)[0]), fallback)
            for key, p in by_key.items()
        )

    current = score_of(t)
    best, best_score = t, current
    for name, steps in STEPS.items():
        for value in steps:
            if value == getattr(t, name):
                continue
            trial = replace(t, **{name: value})
            trial_score = score_of(trial)
            if trial_score > best_score + 1e-9:
                best, best_score = trial, trial_score
    changed = {
        name: (getattr(t, name), getattr(best, name))
        for name in model.CALIBRATED
        if getattr(t, name) != getattr(best, name)
    }
    return Candidate(best, changed, current, best_score)


@dataclass(frozen=True)
class Difference:
    project_id: int
    code: str
    delivered: str
    current: str
    candidate: str
    outcome: float


def differences(
    points: Sequence[Point], current: model.Thresholds, candidate: model.Thresholds
) -> list[Difference]:
    """The past projects the candidate would have recommended differently, by code."""
    found = []
    for p in points:
        now, _ = recommended(p, current)
        then, _ = recommended(p, candidate)
        if now != then:
            found.append(Difference(p.project_id, p.code, p.delivered, now, then, p.outcome))
    return sorted(found, key=lambda d: d.code)
