"""The method model's rules: from a complete set of answers to a recommendation.

Pure functions over plain data, with no Flask or database import, so the model can be
tested exhaustively and run the same way from a page, the CLI or a report. Every number and
text comes from ``model.py``.

The rules compare exact values (``Fraction``), never rounded ones: a score such as 41.67 is
shown rounded but decides as 125/3. Readiness and culture are read only to raise risks and
flags; they never reach the code that chooses the method.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from tracker.methods import model, wording
from tracker.methods.model import THRESHOLDS as T
from tracker.projects.rules import size_tier

# --------------------------------------------------------------------------------------
# Answers and validation
# --------------------------------------------------------------------------------------


class AnswerError(ValueError):
    """A set of answers that cannot be assessed; ``problems`` holds ``(key, message)``."""

    def __init__(self, problems: Iterable[tuple[str, str]]):
        self.problems: list[tuple[str, str]] = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


@dataclass(frozen=True, slots=True)
class Answers:
    """A complete, valid set of answers; build it with ``validate_answers``."""

    scale: Mapping[str, int]
    team_size: int
    culture: str

    def __getitem__(self, key: str) -> int:
        return self.scale[key]

    def to_dict(self) -> dict[str, int | str]:
        return {**self.scale, model.TEAM_SIZE_KEY: self.team_size, model.CULTURE_KEY: self.culture}


def _whole_number(value: object) -> int | None:
    """The integer a JSON number stands for, or None.

    JSON has one number type, so ``3.0`` is accepted as 3; booleans (an ``int`` subclass in
    Python), fractions, strings (even "3") and anything else are refused: answers travel as
    numbers, and a form converts its text before it gets here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def validate_answers(raw: Mapping[str, object]) -> Answers:
    """Check a mapping of answers and return them typed, or raise ``AnswerError``.

    Every problem is reported at once, in question order, then unknown keys.
    """
    problems: list[tuple[str, str]] = []
    scale: dict[str, int] = {}
    for key in model.SCALE_KEYS:
        if key not in raw:
            problems.append((key, f"Missing answer: {key}"))
            continue
        number = _whole_number(raw[key])
        if number is None or number not in model.SCALE:
            problems.append((key, f"{key} must be a whole number from 1 to 5"))
        else:
            scale[key] = number

    team_size = 0
    if model.TEAM_SIZE_KEY not in raw:
        problems.append((model.TEAM_SIZE_KEY, f"Missing answer: {model.TEAM_SIZE_KEY}"))
    else:
        number = _whole_number(raw[model.TEAM_SIZE_KEY])
        if number is None or number < 1:
            problems.append(
                (model.TEAM_SIZE_KEY, f"{model.TEAM_SIZE_KEY} must be a positive whole number")
            )
        else:
            team_size = number

    culture = ""
    if model.CULTURE_KEY not in raw:
        problems.append((model.CULTURE_KEY, f"Missing answer: {model.CULTURE_KEY}"))
    else:
        value = raw[model.CULTURE_KEY]
        if isinstance(value, str) and value in model.CULTURES:
            culture = value
        else:
            choices = ", ".join(model.CULTURES)
            problems.append((model.CULTURE_KEY, f"{model.CULTURE_KEY} must be one of {choices}"))

    known = set(model.ANSWER_KEYS)
    problems.extend((str(key), f"Unknown key: {key}") for key in raw if key not in known)

    if problems:
        raise AnswerError(problems)
    return Answers(MappingProxyType(scale), team_size, culture)


# --------------------------------------------------------------------------------------
# Scores, zone, method
# --------------------------------------------------------------------------------------


def score(answer: int) -> Fraction:
    """A 1-5 answer on the 0-100 scale."""
    return Fraction((answer - 1) * 25)


def _mean(values: Iterable[Fraction]) -> Fraction:
    items = list(values)
    return sum(items, Fraction(0)) / len(items)


@dataclass(frozen=True, slots=True)
class Scores:
    """Exact 0-100 scores; the rules read these, people see them rounded."""

    certainty: Fraction
    agreement: Fraction
    uncertainty: Fraction
    feasibility: Fraction
    readiness: Fraction

    def rounded(self) -> dict[str, float]:
        return {
            "certainty": _round(self.certainty),
            "agreement": _round(self.agreement),
            "uncertainty": _round(self.uncertainty),
            "feasibility": _round(self.feasibility),
            "readiness": _round(self.readiness),
        }


def _round(value: Fraction, places: str = "0.1") -> float:
    """Round half up to one decimal place (6.25 shows as 6.3, not banker's 6.2)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def compute_scores(answers: Answers) -> Scores:
    certainty = _mean(score(answers[k]) for k in model.CERTAINTY_AXIS_KEYS)
    agreement = _mean(score(answers[k]) for k in model.AGREEMENT_AXIS_KEYS)
    return Scores(
        certainty=certainty,
        agreement=agreement,
        uncertainty=(certainty + agreement) / 2,
        feasibility=_mean(score(answers[k]) for k in model.FEASIBILITY_KEYS),
        readiness=_mean(score(answers[k]) for k in model.READINESS_KEYS),
    )


def zone_for(u7: int, certainty: Fraction, agreement: Fraction, t: model.Thresholds = T) -> str:
    """The zone, checked from most to least uncertain as the model's table reads."""
    uncertainty = (certainty + agreement) / 2
    if u7 >= t.chaotic_u7_from and uncertainty >= t.chaotic_from:
        return "chaotic"
    if (
        uncertainty >= t.complex_from
        or certainty >= t.axis_complex_from
        or agreement >= t.axis_complex_from
    ):
        return "complex"
    if uncertainty >= t.clear_below:
        return "complicated"
    return "clear"


def method_for(
    zone: str, feasibility: Fraction, f2: int, c1: int, t: model.Thresholds = T
) -> tuple[str, str]:
    """The method and the id of the table row that chose it.

    Takes only the zone, feasibility and criticality: readiness and culture cannot reach
    this decision by construction.
    """
    if zone == "chaotic":
        return "agile", "chaotic"
    if zone == "complex":
        if f2 == t.complex_f2_blocked or feasibility < t.feasibility_low:
            return "hybrid", "complex_constrained"
        if c1 >= t.critical_c1_from:
            return "hybrid", "complex_critical"
        return "agile", "complex"
    if zone == "complicated":
        if feasibility >= t.feasibility_high and f2 >= t.complicated_f2_from:
            return "hybrid", "complicated_iterable"
        return "stage_gated", "complicated"
    return "stage_gated", "clear"


def flags_for(
    answers: Answers, scores: Scores, zone: str, t: model.Thresholds = T
) -> tuple[str, ...]:
    flags: list[str] = []
    if scores.agreement - scores.certainty >= t.flag_gap:
        flags.append("political")
    if scores.certainty - scores.agreement >= t.flag_gap:
        flags.append("judgmental")
    if zone == "chaotic":
        flags.append("stabilise_first")
    if answers.culture == "control" and scores.readiness < t.readiness_tradition_below:
        flags.append("tradition_pull")
    return tuple(flags)


def confidence_for(
    answers: Answers, scores: Scores, t: model.Thresholds = T
) -> tuple[str, tuple[str, ...]]:
    """``("high" | "low", reasons)``.

    "Within 5 points" is inclusive: an uncertainty of exactly 25 is near the boundary at 20.
    The chaotic boundary at 60 only counts when U7 is high enough for it to exist.
    """
    reasons: list[str] = []
    boundaries = [t.clear_below, t.complex_from]
    if answers["U7"] >= t.chaotic_u7_from:
        boundaries.append(t.chaotic_from)
    for boundary in boundaries:
        if abs(scores.uncertainty - boundary) <= t.confidence_margin:
            names = {
                t.clear_below: ("clear", "complicated"),
                t.complex_from: ("complicated", "complex"),
                t.chaotic_from: ("complex", "chaotic"),
            }[boundary]
            lower, upper = (model.ZONES[z].label.lower() for z in names)
            reasons.append(
                f"Uncertainty ({_round(scores.uncertainty)}) is within "
                f"{t.confidence_margin} points of the boundary at {boundary} between "
                f"{lower} and {upper}"
            )
    values = [Fraction(answers[k]) for k in model.SPREAD_KEYS]
    mean = _mean(values)
    variance = _mean((v - mean) ** 2 for v in values)
    limit = Fraction(str(t.confidence_spread))
    if variance >= limit**2:
        spread = math.sqrt(variance)
        reasons.append(
            f"The uncertainty answers U1 to U6 spread widely (standard deviation {spread:.2f}, "
            f"{t.confidence_spread} or more): {model.SPREAD_NOTE}"
        )
    return ("low" if reasons else "high"), tuple(reasons)


# --------------------------------------------------------------------------------------
# Tailoring
# --------------------------------------------------------------------------------------


def size_tier_for(
    budget: Decimal,
    small_below: Decimal = T.small_budget_below,
    large_above: Decimal = T.large_budget_above,
) -> str:
    """The size tier for a budget at completion: small below, large above, else medium.

    Checks its input, then asks the projects domain, which owns the one definition of a
    size tier (the project pages and lists use it too), so the two can never disagree.
    """
    if not isinstance(budget, Decimal | int) or isinstance(budget, bool):
        raise TypeError("budget must be a Decimal (money is never a float)")
    if budget < 0:
        raise ValueError("budget must not be negative")
    return size_tier(Decimal(budget), small_below, large_above)


def effective_tier(size_tier: str | None, c1: int) -> str:
    """The larger of the size tier (small when unknown) and the tier criticality calls for."""
    base = "small" if size_tier is None else size_tier
    if base not in model.SIZE_TIERS:
        raise ValueError(f"size_tier must be one of {', '.join(model.SIZE_TIERS)}")
    by_criticality = model.CRITICALITY_TIER[c1]
    return max(base, by_criticality, key=model.SIZE_TIERS.index)


@dataclass(frozen=True, slots=True)
class Tailoring:
    """The governance regime for one method at one tier; None where it does not apply."""

    tier: str
    gates: str | None
    highlight_reports: str | None
    approvers: tuple[str, ...]
    iteration_review: str | None
    release_gate: str | None
    budget_checkpoint: str
    stabilise_first: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "gates": self.gates,
            "highlight_reports": self.highlight_reports,
            "approvers": list(self.approvers),
            "iteration_review": self.iteration_review,
            "release_gate": self.release_gate,
            "budget_checkpoint": self.budget_checkpoint,
            "stabilise_first": self.stabilise_first,
        }


def tailoring_for(method: str, tier: str, *, stabilise_first: bool = False) -> Tailoring:
    """The regime for a method at a tier; also usable for a chosen method, not only the
    recommended one."""
    regime = model.TAILORING[tier]
    staged = method in ("stage_gated", "hybrid")
    iterative = method in ("agile", "hybrid")
    return Tailoring(
        tier=tier,
        gates=regime.gates if staged else None,
        highlight_reports=regime.highlight_reports if staged else None,
        approvers=regime.approvers,
        iteration_review=regime.iteration_review if iterative else None,
        release_gate=regime.release_gate if iterative else None,
        budget_checkpoint=regime.budget_checkpoint,
        stabilise_first=model.STABILISE_FIRST if stabilise_first else None,
    )


# --------------------------------------------------------------------------------------
# Reasons and risks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    title: str
    mitigation: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "mitigation": self.mitigation}


@dataclass(frozen=True, slots=True)
class _Reason:
    weight: int  # 3: decided the table row; 2 or 1: distance of the answer from the middle
    text: str


def _answer_phrase(key: str, value: int) -> str:
    question = model.QUESTIONS_BY_ID[key]
    return f"{question.topic}: {question.label(value)} ({key} = {value})"


def _method_word(method: str) -> str:
    return model.METHODS[method].lower()


def _reasons(
    answers: Answers,
    scores: Scores,
    zone: str,
    method: str,
    row: str,
    t: model.Thresholds = T,
) -> tuple[str, ...]:
    """Plain-words reasons, strongest first, then a summary that every result has.

    Strength: the answers that decided the table row (or the zone, for U7 and an axis at
    75) come first; then answers by how far they sit from the middle of the scale, with
    uncertainty answers before the feasibility answers that agree with the row."""
    found: list[_Reason] = []  # deciding answers, then uncertainty answers
    support: list[_Reason] = []  # feasibility answers that agree with the row
    adaptive_zone = zone in ("complex", "chaotic")

    if zone == "chaotic":
        found.append(_Reason(3, f"{_answer_phrase('U7', answers['U7'])} → agile, stabilise first"))
    if zone == "complex" and scores.uncertainty < t.complex_from:
        axis = "certainty" if scores.certainty >= t.axis_complex_from else "agreement"
        value = max(scores.certainty, scores.agreement)
        found.append(
            _Reason(
                3,
                f"The {axis} axis scores {_round(value)} of 100 ({t.axis_complex_from} or "
                f"more) → complex zone",
            )
        )

    feasibility = _round(scores.feasibility)
    if row == "complex_constrained":
        if answers["F2"] == t.complex_f2_blocked:
            found.append(_Reason(3, f"{_answer_phrase('F2', answers['F2'])} → hybrid"))
        if scores.feasibility < t.feasibility_low:
            found.append(
                _Reason(
                    3,
                    f"Feasibility of iterating scores {feasibility} of 100, below "
                    f"{t.feasibility_low} → hybrid",
                )
            )
        support.extend(_feasibility_reasons(answers, low=True, towards="hybrid", skip=("F2",)))
    elif row == "complex_critical":
        found.append(
            _Reason(
                3,
                f"{_answer_phrase('C1', answers['C1'])} → hybrid ({model.CRITICAL_HYBRID_NOTE})",
            )
        )
    elif row == "complex":
        support.extend(_feasibility_reasons(answers, low=False, towards="agile"))
    elif row == "complicated_iterable":
        found.append(
            _Reason(
                3,
                f"Feasibility of iterating scores {feasibility} of 100 "
                f"({t.feasibility_high} or more) and {_answer_phrase('F2', answers['F2'])} "
                f"→ hybrid",
            )
        )
        support.extend(_feasibility_reasons(answers, low=False, towards="hybrid", skip=("F2",)))
    elif row == "complicated":
        if scores.feasibility < t.feasibility_high:
            found.append(
                _Reason(
                    3,
                    f"Feasibility of iterating scores {feasibility} of 100, below "
                    f"{t.feasibility_high} → stage-gated",
                )
            )
        if answers["F2"] < t.complicated_f2_from:
            found.append(_Reason(3, f"{_answer_phrase('F2', answers['F2'])} → stage-gated"))
        support.extend(_feasibility_reasons(answers, low=True, towards="stage-gated", skip=("F2",)))

    for key in model.SPREAD_KEYS:
        value = answers[key]
        if adaptive_zone and value >= 4:
            found.append(_Reason(value - 3, f"{_answer_phrase(key, value)} → agile"))
        elif not adaptive_zone and value <= 2:
            found.append(_Reason(3 - value, f"{_answer_phrase(key, value)} → stage-gated"))

    found += support
    found.sort(key=lambda reason: -reason.weight)  # stable: ties keep the order above
    zone_label = model.ZONES[zone].label.lower()
    summary = (
        f"Uncertainty scores {_round(scores.uncertainty)} of 100 (certainty "
        f"{_round(scores.certainty)}, agreement {_round(scores.agreement)}): "
        f"{zone_label} zone → {_method_word(method)}"
    )
    return (*(reason.text for reason in found), summary)


def _feasibility_reasons(
    answers: Answers, *, low: bool, towards: str, skip: tuple[str, ...] = ()
) -> list[_Reason]:
    reasons = []
    for key in model.FEASIBILITY_KEYS:
        value = answers[key]
        if key in skip:
            continue
        if (low and value <= 2) or (not low and value >= 4):
            reasons.append(_Reason(abs(value - 3), f"{_answer_phrase(key, value)} → {towards}"))
    return reasons


def _risks(
    answers: Answers, flags: tuple[str, ...], row: str, t: model.Thresholds = T
) -> tuple[Risk, ...]:
    risks: list[Risk] = []
    if row == "complex_constrained":
        text = model.ITERATION_CONSTRAINED_RISK
        risks.append(Risk(text.id, text.title, text.mitigation))
    for key in model.READINESS_KEYS:
        value = answers[key]
        if value <= t.readiness_risk_at_most:
            text = model.READINESS_RISKS[key]
            risks.append(Risk(text.id, f"{text.title} ({key} = {value})", text.mitigation))
    if "tradition_pull" in flags:
        text = model.TRADITION_PULL_RISK
        risks.append(Risk(text.id, text.title, text.mitigation))
    return tuple(risks)


# --------------------------------------------------------------------------------------
# The recommendation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    """A recommendation as computed; stored as ``to_dict()`` and never recomputed."""

    method: str
    zone: str
    flags: tuple[str, ...]
    confidence: str
    confidence_reasons: tuple[str, ...]
    scores: Mapping[str, float]
    reasons: tuple[str, ...]
    risks: tuple[Risk, ...]
    tailoring: Tailoring
    model_version: str = model.MODEL_VERSION
    exact_scores: Scores | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the keys the issue names, plus ``confidence_reasons``."""
        return {
            "method": self.method,
            "zone": self.zone,
            "flags": list(self.flags),
            "confidence": self.confidence,
            "confidence_reasons": list(self.confidence_reasons),
            "scores": dict(self.scores),
            "reasons": list(self.reasons),
            "risks": [risk.to_dict() for risk in self.risks],
            "tailoring": self.tailoring.to_dict(),
            "model_version": self.model_version,
        }


def recommend(
    answers: Answers,
    *,
    size_tier: str | None = None,
    thresholds: model.Thresholds = T,
    version: str = model.MODEL_VERSION,
) -> Result:
    """Recommend a delivery method from a validated set of answers.

    ``size_tier`` is the project's tier from its budget (see ``size_tier_for``); without it
    the regime is sized by criticality alone, starting from small. ``thresholds`` and
    ``version`` are a model version's (the current one unless given): every version keeps
    the wording and rules, only the numbers it compares against change.
    """
    t = thresholds
    scores = compute_scores(answers)
    zone = zone_for(answers["U7"], scores.certainty, scores.agreement, t)
    method, row = method_for(zone, scores.feasibility, answers["F2"], answers["C1"], t)
    flags = flags_for(answers, scores, zone, t)
    confidence, confidence_reasons = confidence_for(answers, scores, t)
    tier = effective_tier(size_tier, answers["C1"])
    return Result(
        method=method,
        zone=zone,
        flags=flags,
        confidence=confidence,
        confidence_reasons=confidence_reasons,
        scores=MappingProxyType(scores.rounded()),
        reasons=_reasons(answers, scores, zone, method, row, t),
        risks=_risks(answers, flags, row, t),
        tailoring=tailoring_for(method, tier, stabilise_first=zone == "chaotic"),
        model_version=version,
        exact_scores=scores,
    )


# --------------------------------------------------------------------------------------
# Re-assessment: what changed
# --------------------------------------------------------------------------------------


def compare(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed between two stored assessments, each ``{"answers": …, "result": …}``
    with ``result`` as stored from ``Result.to_dict()``.

    Returns change records ``{"kind", "key", "old", "new", "text"}``: first the zone (with
    a prompt to reconsider the method), then the method, the model version, and each
    changed answer in question order. An empty list means nothing changed.
    """
    changes: list[dict[str, Any]] = []
    old_result = previous.get("result", {})
    new_result = current.get("result", {})
    old_zone, new_zone = old_result.get("zone"), new_result.get("zone")
    old_method, new_method = old_result.get("method"), new_result.get("method")

    if old_zone != new_zone:
        text = f"The zone moved from {_zone_word(old_zone)} to {_zone_word(new_zone)}."
        if old_method != new_method:
            text += (
                f" The recommendation is now {_method_label(new_method)} (was "
                f"{_method_label(old_method)}): consider a method change and record the "
                f"decision."
            )
        changes.append(
            {"kind": "zone", "key": "zone", "old": old_zone, "new": new_zone, "text": text}
        )
    if old_method != new_method:
        changes.append(
            {
                "kind": "method",
                "key": "method",
                "old": old_method,
                "new": new_method,
                "text": f"The recommended method moved from {_method_label(old_method)} to "
                f"{_method_label(new_method)}.",
            }
        )
    old_version, new_version = old_result.get("model_version"), new_result.get("model_version")
    if old_version != new_version:
        changes.append(
            {
                "kind": "model_version",
                "key": "model_version",
                "old": old_version,
                "new": new_version,
                "text": f"Assessed with model version {new_version} (was {old_version}).",
            }
        )

    old_answers = previous.get("answers", {})
    new_answers = current.get("answers", {})
    keys = [*model.ANSWER_KEYS]
    keys += sorted(k for k in {*old_answers, *new_answers} if k not in model.ANSWER_KEYS)
    for key in keys:
        old, new = old_answers.get(key), new_answers.get(key)
        if old == new:
            continue
        question = model.QUESTIONS_BY_ID.get(key)
        if question is not None:
            text = f"{question.topic}: {_label(question, old)} → {_label(question, new)}"
        else:
            text = f"{key}: {old} → {new}"
        changes.append({"kind": "answer", "key": key, "old": old, "new": new, "text": text})
    return changes


def _label(question: model.Question, value: object) -> str:
    number = _whole_number(value)
    if number in model.SCALE:
        return f"{question.label(number)} ({number})"
    return "not answered" if value is None else str(value)


def _zone_word(zone: object) -> str:
    return model.ZONES[zone].label.lower() if zone in model.ZONES else str(zone)


def _method_label(method: object) -> str:
    return _method_word(method) if method in model.METHODS else str(method)


# --------------------------------------------------------------------------------------
# Prompt to re-assess
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReassessPrompt:
    """Why a project should be assessed again; ``kind`` is ``none``, ``stale`` or
    ``boundary``."""

    kind: str
    text: str
    since: date | None = None


def reassess_prompt(
    last_assessed_on: date | None,
    today: date,
    *,
    after_days: int = T.reassess_after_days,
    boundaries: Iterable[date] = (),
) -> ReassessPrompt | None:
    """Whether a project should be re-assessed, and why; None when it need not be.

    ``boundaries`` are dates of later events that call for a fresh look (stage boundaries,
    iteration reviews): any of them after the last assessment, and not in the future,
    prompts a re-assessment whatever the age of the last one.
    """
    if after_days < 1:
        raise ValueError("after_days must be at least 1")
    if last_assessed_on is None:
        return ReassessPrompt(
            "none",
            "This project has not been assessed yet: assess it to get a method recommendation.",
        )
    passed = [b for b in boundaries if last_assessed_on < b <= today]
    if passed:
        latest = max(passed)
        return ReassessPrompt(
            "boundary",
            f"A stage boundary or iteration review on {_long_date(latest)} came after the "
            f"last assessment on {_long_date(last_assessed_on)}: re-assess the project.",
            latest,
        )
    age = (today - last_assessed_on).days
    if age > after_days:
        return ReassessPrompt(
            "stale",
            f"The last assessment, on {_long_date(last_assessed_on)}, is {age} days old "
            f"(more than {after_days}): re-assess the project.",
            last_assessed_on,
        )
    return None


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --------------------------------------------------------------------------------------
# Batch use (``flask method recommend FILE``)
# --------------------------------------------------------------------------------------


class BatchError(ValueError):
    """Input the batch command cannot assess; the message names each record and problem.

    ``problems`` holds ``(record, key, message)`` with ``record`` the record's 1-based
    number (None for a problem with the whole file).
    """

    def __init__(self, problems: Iterable[tuple[int | None, str, str]], lines: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(lines))


_BATCH_EXTRAS = ("project", "size_tier")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"Duplicate key: {key}")
        seen[key] = value
    return seen


def parse_batch(text: str) -> list[dict[str, Any]]:
    """Assess every record in a JSON document: one answers object or a list of them.

    A record may carry ``project`` (a label, echoed back first in its result) and
    ``size_tier``. Nothing is returned unless every record is valid, so a file is never
    half processed. Records are numbered from 1 in messages.
    """
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        message = f"Invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        raise BatchError([(None, "", message)], [message]) from None
    except ValueError as error:  # a duplicate key, from the hook
        message = f"Invalid JSON: {error}"
        raise BatchError([(None, "", message)], [message]) from None

    records = data if isinstance(data, list) else [data]
    problems: list[tuple[int | None, str, str]] = []
    lines: list[str] = []
    results: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        name = f"Record {number}"
        if not isinstance(record, dict):
            problems.append((number, "", "must be a JSON object of answers"))
            lines.append(f"{name}: must be a JSON object of answers")
            continue
        project = record.get("project")
        has_label = isinstance(project, str) and bool(project.strip())
        if has_label:
            name += f" ({project})"
        record_problems: list[tuple[str, str]] = []
        if "project" in record and not has_label:
            record_problems.append(("project", "project must be a non-empty text label"))
        size_tier = record.get("size_tier")
        if size_tier is not None and size_tier not in model.SIZE_TIERS:
            record_problems.append(
                ("size_tier", f"size_tier must be one of {', '.join(model.SIZE_TIERS)}")
            )
        answers_raw = {k: v for k, v in record.items() if k not in _BATCH_EXTRAS}
        try:
            answers = validate_answers(answers_raw)
        except AnswerError as error:
            record_problems = error.problems + record_problems
            answers = None
        if record_problems or answers is None:
            for key, message in record_problems:
                problems.append((number, key, message))
                lines.append(f"{name}: {message}")
            continue
        result = recommend(answers, size_tier=size_tier).to_dict()
        results.append({"project": project, **result} if "project" in record else result)
    if problems:
        raise BatchError(problems, lines)
    return results


# --------------------------------------------------------------------------------------
# Stacey-style chart geometry
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartRegion:
    zone: str
    label: str
    points: tuple[tuple[float, float], ...]  # pixel coordinates, in drawing order
    label_x: float
    label_y: float
    is_overlay: bool = False  # chaotic: drawn over complex, since it also needs U7

    @property
    def path(self) -> str:
        """The region as an SVG path ``d`` attribute."""
        head, *tail = self.points
        steps = " ".join(f"L {x:g} {y:g}" for x, y in tail)
        return f"M {head[0]:g} {head[1]:g} {steps} Z"


@dataclass(frozen=True, slots=True)
class ChartGeometry:
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    regions: tuple[ChartRegion, ...]
    point_x: float
    point_y: float
    x_label: str
    y_label: str
    x_ends: tuple[str, str]  # labels at the left and right ends of the x axis
    y_ends: tuple[str, str]  # labels at the bottom and top ends of the y axis
    description: str  # the text equivalent of the chart


# Regions in score space (certainty, agreement), exact for the zone rules: clear is
# x + y < 40, complicated 40 ≤ x + y < 80 with both axes under 75, complex the rest.
# Chaotic needs U7 as well, so it is drawn as an overlay where uncertainty ≥ 60 (x + y ≥ 120).
_REGIONS: tuple[tuple[str, str, tuple[tuple[float, float], ...], tuple[float, float], bool], ...]
_REGIONS = (
    ("clear", "Clear", ((0, 0), (40, 0), (0, 40)), (11, 11), False),
    (
        "complicated",
        "Complicated",
        ((40, 0), (75, 0), (75, 5), (5, 75), (0, 75), (0, 40)),
        (30, 30),
        False,
    ),
    (
        "complex",
        "Complex",
        ((75, 0), (100, 0), (100, 100), (0, 100), (0, 75), (5, 75), (75, 5)),
        (86, 14),
        False,
    ),
    (
        "chaotic",
        wording.CHAOTIC_REGION_LABEL,
        ((100, 20), (100, 100), (20, 100)),
        (78, 86),
        True,
    ),
)


def stacey_chart(
    certainty: float,
    agreement: float,
    *,
    zone: str | None = None,
    width: int = 480,
    height: int = 400,
) -> ChartGeometry:
    """Geometry for a server-rendered Stacey-style chart of certainty x agreement.

    x runs from known (0, left) to unknown (100, right); y from agreed (0, bottom) to
    contested (100, top). Pass the result's ``zone`` so the text equivalent states the true
    zone; without it the zone is read from the axes alone, which cannot see U7 and so never
    says chaotic.
    """
    for name, value in (("certainty", certainty), ("agreement", agreement)):
        if not 0 <= value <= 100:
            raise ValueError(f"{name} must be from 0 to 100")
    left, right, top, bottom = 64.0, width - 16.0, 16.0, height - 56.0

    def px(x: float, y: float) -> tuple[float, float]:
        return (
            round(left + (right - left) * x / 100, 1),
            round(bottom - (bottom - top) * y / 100, 1),
        )

    regions = tuple(
        ChartRegion(
            zone_id,
            label,
            tuple(px(x, y) for x, y in points),
            *px(*label_at),
            is_overlay=overlay,
        )
        for zone_id, label, points, label_at, overlay in _REGIONS
    )
    if zone is None:
        exact_c, exact_a = Fraction(str(certainty)), Fraction(str(agreement))
        zone = zone_for(1, exact_c, exact_a)
    point_x, point_y = px(certainty, agreement)
    description = (
        f"Certainty {_round(Fraction(str(certainty)))} of 100 (0 is known, 100 unknown); "
        f"agreement {_round(Fraction(str(agreement)))} of 100 (0 is agreed, 100 contested). "
        f"The project is in the {model.ZONES[zone].label.lower()} zone."
    )
    return ChartGeometry(
        width=width,
        height=height,
        plot_left=left,
        plot_top=top,
        plot_right=right,
        plot_bottom=bottom,
        regions=regions,
        point_x=point_x,
        point_y=point_y,
        x_label="Certainty: how unknown the what and the how are",
        y_label="Agreement: how contested, and how many hands",
        x_ends=("known", "unknown"),
        y_ends=("agreed", "contested"),
        description=description,
    )


# --------------------------------------------------------------------------------------
# The guarantees every model version keeps
# --------------------------------------------------------------------------------------


def property_problems(t: model.Thresholds) -> list[str]:
    """What stops a set of thresholds from being a model version, in plain words; empty
    when it keeps the model's guarantees:

    1. the zone boundaries are in order (clear below complicated below complex below
       chaotic) and within 0-100;
    2. monotone in uncertainty: raising any uncertainty answer never gives a less adaptive
       method, checked over every combination (U7 and the two axes' sums for the zone, then
       every F1-F3 and C1 for the method in each zone), as the model's tests do;
    3. readiness never changes the method: the method is chosen by ``method_for``, which
       takes only the zone, feasibility, F2 and C1; a sample of answer sets is recomputed
       with every readiness answer and culture changed to make sure.
    """
    import itertools

    problems: list[str] = []
    if not 0 < t.clear_below < t.complex_from < t.chaotic_from <= 100:
        problems.append(
            "The zone boundaries must rise: clear below "
            f"{t.clear_below}, complex from {t.complex_from}, chaotic from {t.chaotic_from}"
        )
        return problems
    if not 0 < t.axis_complex_from <= 100 or not 0 <= t.feasibility_low <= 100:
        problems.append("Every score threshold must be between 0 and 100")
        return problems
    if not 0 <= t.feasibility_high <= 100:
        problems.append("Every score threshold must be between 0 and 100")
        return problems
    rank = {zone: index for index, zone in enumerate(model.ZONE_ORDER)}
    adaptive = {method: index for index, method in enumerate(model.METHOD_ORDER)}
    # The zone reads the uncertainty answers only through U7 and the two axes' sums
    # (three answers each, 3 to 15): raising one answer raises one sum by one, or U7.
    sums = range(3, 16)
    zones: dict[tuple[int, int, int], int] = {}
    for u7, certainty_sum, agreement_sum in itertools.product(model.SCALE, sums, sums):
        certainty = Fraction((certainty_sum - 3) * 25, 3)
        agreement = Fraction((agreement_sum - 3) * 25, 3)
        zones[(u7, certainty_sum, agreement_sum)] = rank[zone_for(u7, certainty, agreement, t)]
    for (u7, c, a), zone_rank in zones.items():
        for raised, what in (
            ((u7 + 1, c, a), "U7"),
            ((u7, c + 1, a), "a certainty answer (U1, U4 or U5)"),
            ((u7, c, a + 1), "an agreement answer (U2, U3 or U6)"),
        ):
            if raised in zones and zones[raised] < zone_rank:
                problems.append(f"Not monotone in uncertainty: raising {what} lowers the zone")
                return problems
    for f1, f2, f3, c1 in itertools.product(model.SCALE, repeat=4):
        feasibility = Fraction(score(f1) + score(f2) + score(f3), 3)
        ranks = [adaptive[method_for(zone, feasibility, f2, c1, t)[0]] for zone in model.ZONE_ORDER]
        if ranks != sorted(ranks):
            problems.append(
                "Not monotone in uncertainty: with F1-F3 = "
                f"{f1}, {f2}, {f3} and C1 = {c1} a more uncertain zone gets a less adaptive "
                "method"
            )
            return problems
    base = {key: 3 for key in model.SCALE_KEYS}
    for key, value in itertools.product(model.UNCERTAINTY_KEYS + model.FEASIBILITY_KEYS, (1, 5)):
        answers = validate_answers({**base, key: value, "team_size": 5, "culture": "control"})
        before = recommend(answers, thresholds=t).method
        for ready in (1, 5):
            changed = validate_answers(
                {
                    **base,
                    key: value,
                    **dict.fromkeys(model.READINESS_KEYS, ready),
                    "team_size": 50,
                    "culture": "cultivation",
                }
            )
            if recommend(changed, thresholds=t).method != before:
                problems.append("Readiness or culture changes the method")
                return problems
    return problems
