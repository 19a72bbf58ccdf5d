"""The evidence report: the outcome rows grouped into cells, for the page, the export and
the API alike (they cannot disagree: all three read ``build``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from tracker.evidence import queries, rules
from tracker.methods.model import DECISION_DRIVERS, ZONE_ORDER, ZONES
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS

GROUPINGS = {
    "zone": "Uncertainty zone",
    **{f"band_{key}": f"{label}, in bands" for key, label in rules.BAND_DIMENSIONS.items()},
}
FOLLOWS = {"followed": "Followed the recommendation", "departed": "Departed from it"}
# The measures compared between followed and departed, within each stratum.
FOLLOW_MEASURES = tuple(
    rules.MEASURE_BY_KEY[key] for key in ("cpi", "spi", "within", "on_time_budget")
)
STRATIFICATION = (
    "Stratified: projects are compared only with projects in the same uncertainty zone and "
    "size tier (one row per stratum). No stratum is pooled with another and nothing is "
    "weighted; a stratum where either side has fewer projects than the minimum says "
    '"too few to say".'
)


@dataclass
class Group:
    key: str
    label: str
    cells: dict[str, dict[str, rules.Cell]]  # method -> measure -> cell


@dataclass
class Stratum:
    zone: str
    tier: str
    cells: dict[str, dict[str, rules.Cell]]  # follows -> measure -> cell
    notes: dict[str, str]  # measure -> difference note
    drivers: dict[str, int]  # driver -> departed decisions citing it
    departed: int


@dataclass
class Report:
    grouping: str
    min_n: int
    groups: list[Group]
    strata: list[Stratum]
    rows: list[dict] = field(repr=False)
    periods: int = 0
    projects: int = 0
    switched: int = 0


def _group_labels(grouping: str) -> dict[str, str]:
    if grouping == "zone":
        return {key: ZONES[key].label for key in ZONE_ORDER}
    return dict(rules.BANDS)


def _group_of(grouping: str):
    if grouping == "zone":
        return lambda row: row["zone"] if row["zone"] in ZONES else None
    dimension = grouping.removeprefix("band_")
    return lambda row: rules.band(dimension, row.get(dimension))


def build(filters: queries.Filters, today: date, *, grouping: str, min_n: int) -> Report:
    """The whole report for the filters: two statements, then the statistics."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    rules.check_min_n(min_n)
    rows = queries.outcome_rows(filters, today, with_scores=grouping != "zone")
    group_of = _group_of(grouping)
    for row in rows:
        row["group"] = group_of(row)
    cells = rules.group_cells(
        rows,
        lambda row: (
            (row["group"], row["method"])
            if row["group"] and row["method"] in DELIVERY_METHODS
            else None
        ),
        rules.MEASURES,
        min_n,
    )
    empty = {m.key: rules.Cell(0, m.kind, reason=rules.NO_DATA) for m in rules.MEASURES}
    groups = [
        Group(key, label, {m: cells.get((key, m), empty) for m in DELIVERY_METHODS})
        for key, label in _group_labels(grouping).items()
    ]
    # Followed against departed: each project once, under its latest method decision.
    latest = [row for row in rows if row["is_last"] and row["follows"] in FOLLOWS]
    follow_cells = rules.group_cells(
        latest,
        lambda row: (row["zone"], row["tier"], row["follows"]) if row["zone"] in ZONES else None,
        FOLLOW_MEASURES,
        min_n,
    )
    drivers: dict[tuple[str, str], Counter] = {}
    for item in queries.departure_drivers(filters, today):
        drivers.setdefault((item["zone"], item["tier"]), Counter())[item["driver"]] += item[
            "decisions"
        ]
    departed = Counter((row["zone"], row["tier"]) for row in latest if row["follows"] == "departed")
    present = Counter((row["zone"], row["tier"]) for row in latest)
    empty_follow = {m.key: rules.Cell(0, m.kind, reason=rules.NO_DATA) for m in FOLLOW_MEASURES}
    strata = []
    for zone in ZONE_ORDER:
        for tier in SIZE_TIERS:
            sides = {f: follow_cells.get((zone, tier, f), empty_follow) for f in FOLLOWS}
            if not present[(zone, tier)]:
                continue
            strata.append(
                Stratum(
                    zone=zone,
                    tier=tier,
                    cells=sides,
                    notes={
                        m.key: rules.difference_note(
                            sides["followed"][m.key], sides["departed"][m.key]
                        )
                        for m in FOLLOW_MEASURES
                    },
                    drivers={d: drivers.get((zone, tier), Counter())[d] for d in DECISION_DRIVERS},
                    departed=departed[(zone, tier)],
                )
            )
    project_ids = {row["project_id"] for row in rows}
    methods_of: dict[int, set[str]] = {}
    for row in rows:
        methods_of.setdefault(row["project_id"], set()).add(row["method"])
    switched = [pid for pid, methods in methods_of.items() if len(methods) > 1]
    return Report(
        grouping=grouping,
        min_n=min_n,
        groups=groups,
        strata=strata,
        rows=rows,
        periods=len(rows),
        projects=len(project_ids),
        switched=len(switched),
    )


# --------------------------------------------------------------------------------------
# The calibration
# --------------------------------------------------------------------------------------

CALIBRATION_MEASURES = ("cpi", "spi", "within", "on_time_budget")
DIFFERENCES_SHOWN = 100


@dataclass
class Calibration:
    version: str
    thresholds: dict[str, int]
    measure: rules.Measure
    min_n: int
    projects: int
    rows: list
    candidate: object
    problems: list[str]
    differences: list
    changed_cells: dict[str, rules.Cell] = field(default_factory=dict)


def calibration(today: date, *, measure_key: str, min_n: int) -> Calibration:
    """The current version's thresholds tested against every project's outcome, and a
    candidate. One statement (the outcome rows with the latest assessment's answers)."""
    from tracker.evidence import calibration as calibrate
    from tracker.methods import model
    from tracker.methods import rules as model_rules
    from tracker.methods import services as methods

    if measure_key not in CALIBRATION_MEASURES:
        raise ValueError(f"unknown measure {measure_key!r}")
    rules.check_min_n(min_n)
    measure = rules.MEASURE_BY_KEY[measure_key]
    current = methods.current_model()
    thresholds = current.thresholds()
    rows = queries.outcome_rows(queries.Filters(), today, with_scores=True)
    points = []
    for row in rows:
        value = row.get(measure_key)
        if not row["is_last"] or value is None or row["method"] not in DELIVERY_METHODS:
            continue
        found = calibrate.point(
            row["project_id"], row["code"], row["method"], value, row.get("answers") or {}
        )
        if found is not None:
            points.append(found)
    tests = calibrate.row_tests(points, thresholds, measure, min_n)
    candidate = calibrate.propose(
        points, thresholds, min_n, higher_is_better=measure.higher_is_better
    )
    problems = model_rules.property_problems(candidate.thresholds) if candidate.changed else []
    found = calibrate.differences(points, thresholds, candidate.thresholds)
    # How the projects recommended differently did, by the method they were delivered with.
    changed_cells = {
        "delivered as the candidate recommends": rules.cell(
            measure, [d.outcome for d in found if d.delivered == d.candidate], min_n
        ),
        "delivered as the current version recommends": rules.cell(
            measure, [d.outcome for d in found if d.delivered == d.current], min_n
        ),
    }
    return Calibration(
        version=current.version,
        thresholds=model.calibrated_values(thresholds),
        measure=measure,
        min_n=min_n,
        projects=len(points),
        rows=tests,
        candidate=candidate,
        problems=problems,
        differences=found,
        changed_cells=changed_cells,
    )
