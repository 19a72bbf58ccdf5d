"""Pure rules of a business case: the Five Case Model's sections, the figures of the
options appraised (totals, present values and the net present value), what a version must
hold before it is frozen, and what changed between two versions. No Flask, no database.

The discounting follows HM Treasury's Green Book: year 0 is now and is not discounted; a
cost or benefit in year ``t`` is worth ``amount / (1 + r) ** t`` today, with ``r`` the
discount rate (3.5% a year by default). A worked example, checked in the tests: an option
costing £100,000 in year 0 and bringing £60,000 of benefit in each of years 1 and 2 has a
present value of benefits of 60,000 / 1.035 + 60,000 / 1.035² = £57,971.01 + £56,010.64 =
£113,981.65 (each year rounded to the penny) and so a net
present value of £13,981.65.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from tracker.frameworks.rules import CASE_VERSION_LABELS, CASE_VERSION_SHORT, CaseVersion

__all__ = [
    "CASE_VERSION_LABELS",
    "CASE_VERSION_SHORT",
    "CaseVersion",
]

DEFAULT_DISCOUNT_RATE = Decimal("0.035")
MAX_YEARS = 60
PENNY = Decimal("0.01")


class Section(StrEnum):
    """The five cases, in the Green Book's order."""

    STRATEGIC = "strategic"
    ECONOMIC = "economic"
    COMMERCIAL = "commercial"
    FINANCIAL = "financial"
    MANAGEMENT = "management"


SECTIONS = tuple(Section)
SECTION_LABELS = {
    Section.STRATEGIC: "Strategic case",
    Section.ECONOMIC: "Economic case",
    Section.COMMERCIAL: "Commercial case",
    Section.FINANCIAL: "Financial case",
    Section.MANAGEMENT: "Management case",
}
SECTION_QUESTIONS = {
    Section.STRATEGIC: "Is there a compelling case for change?",
    Section.ECONOMIC: "Which option gives the best public value?",
    Section.COMMERCIAL: "Can the preferred option be bought and delivered commercially?",
    Section.FINANCIAL: "Is it affordable, and where does the money come from?",
    Section.MANAGEMENT: "Can it be delivered, and how will we know it has been?",
}


class CaseStatus(StrEnum):
    """A version is a draft the manager edits until its gate is requested, then frozen."""

    DRAFT = "draft"
    FROZEN = "frozen"


CASE_STATUS_LABELS = {CaseStatus.DRAFT: "Draft", CaseStatus.FROZEN: "Frozen"}


class FundingSource(StrEnum):
    CAPITAL = "capital"
    REVENUE = "revenue"
    GRANT = "grant"
    PARTNER = "partner"


FUNDING_LABELS = {
    FundingSource.CAPITAL: "Capital",
    FundingSource.REVENUE: "Revenue",
    FundingSource.GRANT: "Grant",
    FundingSource.PARTNER: "Partner contribution",
}


class CaseError(ValueError):
    """Figures or a version the rules refuse; the message says what to fix. ``field``
    names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class YearFlow:
    year: int
    cost: Decimal
    benefit: Decimal


@dataclass(frozen=True)
class Option:
    number: int
    name: str
    description: str = ""
    flows: tuple[YearFlow, ...] = ()


@dataclass(frozen=True)
class Funding:
    source: FundingSource
    amount: Decimal
    confirmed: bool = False


@dataclass(frozen=True)
class Figures:
    options: tuple[Option, ...] = ()
    preferred: int | None = None
    funding: tuple[Funding, ...] = ()
    discount_rate: Decimal = DEFAULT_DISCOUNT_RATE


@dataclass(frozen=True)
class Appraisal:
    """One option's totals over its years, and their values today."""

    number: int
    name: str
    total_cost: Decimal
    total_benefit: Decimal
    pv_cost: Decimal
    pv_benefit: Decimal
    years: int

    @property
    def npv(self) -> Decimal:
        return self.pv_benefit - self.pv_cost

    @property
    def bcr(self) -> Decimal | None:
        """Benefit-cost ratio (present values), or None when nothing is spent."""
        if not self.pv_cost:
            return None
        return (self.pv_benefit / self.pv_cost).quantize(PENNY, ROUND_HALF_UP)


# --------------------------------------------------------------------------------------
# Appraisal
# --------------------------------------------------------------------------------------


def present_value(amount: Decimal, year: int, rate: Decimal) -> Decimal:
    """``amount`` in ``year`` as worth today, to the penny. Year 0 is not discounted."""
    if year < 0:
        raise CaseError("A year is 0 (now) or later: a figure cannot fall before the case.")
    return (Decimal(amount) / (1 + Decimal(rate)) ** year).quantize(PENNY, ROUND_HALF_UP)


def appraise(option: Option, rate: Decimal = DEFAULT_DISCOUNT_RATE) -> Appraisal:
    return Appraisal(
        number=option.number,
        name=option.name,
        total_cost=sum((f.cost for f in option.flows), Decimal(0)),
        total_benefit=sum((f.benefit for f in option.flows), Decimal(0)),
        pv_cost=sum((present_value(f.cost, f.year, rate) for f in option.flows), Decimal(0)),
        pv_benefit=sum((present_value(f.benefit, f.year, rate) for f in option.flows), Decimal(0)),
        years=len(option.flows),
    )


def appraise_all(figures: Figures) -> list[Appraisal]:
    return [appraise(option, figures.discount_rate) for option in figures.options]


def best_value(appraisals: Sequence[Appraisal]) -> int | None:
    """The option with the highest net present value (the lowest number on a tie)."""
    if not appraisals:
        return None
    return max(appraisals, key=lambda a: (a.npv, -a.number)).number


def funding_total(figures: Figures, *, confirmed_only: bool = False) -> Decimal:
    return sum((f.amount for f in figures.funding if f.confirmed or not confirmed_only), Decimal(0))


# --------------------------------------------------------------------------------------
# Reading figures a person typed
# --------------------------------------------------------------------------------------

_SPLIT = re.compile(r"\s*,\s*")
_SPLIT_STRONG = re.compile(r"\s*[;\t]\s*")


def _parts(line: str) -> list[str]:
    """A line's values: split at semicolons or tabs when it has any (so an amount may keep
    its thousands commas, as pasted from a spreadsheet), else at commas."""
    line = line.strip()
    return (_SPLIT_STRONG if (";" in line or "\t" in line) else _SPLIT).split(line)


def _money(text: str, what: str, line: int, name: str) -> Decimal:
    cleaned = text.strip().replace("£", "").replace(",", "")
    try:
        value = Decimal(cleaned or "0")
    except InvalidOperation:
        raise CaseError(
            f"Line {line}: {what} {text.strip()!r} is not an amount of money.", name
        ) from None
    if not value.is_finite():
        raise CaseError(f"Line {line}: {what} {text.strip()!r} is not an amount of money.", name)
    if value < 0:
        raise CaseError(f"Line {line}: {what} cannot be negative.", name)
    if value >= Decimal("1e12"):
        raise CaseError(f"Line {line}: {what} must be less than £1,000,000,000,000.", name)
    return value.quantize(PENNY, ROUND_HALF_UP)


def parse_flows(text: str, name: str = "flows") -> tuple[YearFlow, ...]:
    """Lines of ``year, cost, benefit`` (year 0 is now), in any order, into year flows.

    A negative year, a year twice, a year past 60 or an amount that is not money is
    refused with the line it is on.
    """
    flows: dict[int, YearFlow] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = _parts(raw)
        if len(parts) != 3:
            raise CaseError(
                f"Line {number}: write the year, the cost and the benefit, separated by "
                "commas (for example: 1, 25000, 40000).",
                name,
            )
        try:
            year = int(parts[0])
        except ValueError:
            raise CaseError(
                f"Line {number}: the year {parts[0]!r} is not a whole number.", name
            ) from None
        if year < 0:
            raise CaseError(
                f"Line {number}: year {year} is negative. Year 0 is now; later years count up "
                "from it.",
                name,
            )
        if year > MAX_YEARS:
            raise CaseError(f"Line {number}: an appraisal runs at most {MAX_YEARS} years.", name)
        if year in flows:
            raise CaseError(f"Line {number}: year {year} is given twice.", name)
        flows[year] = YearFlow(
            year,
            _money(parts[1], "the cost", number, name),
            _money(parts[2], "the benefit", number, name),
        )
    return tuple(flows[y] for y in sorted(flows))


def flows_text(flows: Sequence[YearFlow]) -> str:
    return "\n".join(f"{f.year}, {f.cost}, {f.benefit}" for f in flows)


_YES = {"yes", "y", "confirmed", "true", "1"}
_NO = {"no", "n", "unconfirmed", "not confirmed", "false", "0", ""}


def parse_funding(text: str, name: str = "funding") -> tuple[Funding, ...]:
    """Lines of ``source, amount, confirmed`` (capital, revenue, grant or partner; yes or
    no) into funding rows, one per source."""
    rows: dict[FundingSource, Funding] = {}
    by_label = {label.lower(): source for source, label in FUNDING_LABELS.items()}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = _parts(raw)
        if len(parts) not in (2, 3):
            raise CaseError(
                f"Line {number}: write the source, the amount and whether it is confirmed "
                "(for example: grant, 150000, yes).",
                name,
            )
        key = parts[0].lower()
        source = by_label.get(key) or next((s for s in FundingSource if s.value == key), None)
        if source is None:
            raise CaseError(
                f"Line {number}: {parts[0]!r} is not a funding source: use capital, revenue, "
                "grant or partner.",
                name,
            )
        if source in rows:
            raise CaseError(f"Line {number}: {FUNDING_LABELS[source]} is given twice.", name)
        confirmed_text = parts[2].strip().lower() if len(parts) == 3 else ""
        if confirmed_text not in _YES | _NO:
            raise CaseError(f"Line {number}: say yes or no for whether it is confirmed.", name)
        rows[source] = Funding(
            source, _money(parts[1], "the amount", number, name), confirmed_text in _YES
        )
    return tuple(rows[s] for s in FundingSource if s in rows)


def funding_text(funding: Sequence[Funding]) -> str:
    return "\n".join(
        f"{f.source.value}, {f.amount}, {'yes' if f.confirmed else 'no'}" for f in funding
    )


def parse_rate(text: str | Decimal | None, name: str = "discount_rate") -> Decimal:
    """A discount rate given as a percentage (3.5) into a fraction (0.035)."""
    try:
        percent = Decimal(str(text).strip().rstrip("%")) if text not in (None, "") else None
    except InvalidOperation:
        percent = None
    if percent is None or not percent.is_finite() or not 0 <= percent <= 20:
        raise CaseError(
            "Enter the discount rate as a percentage from 0 to 20 (3.5 is the Green Book's).", name
        )
    return (percent / 100).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# --------------------------------------------------------------------------------------
# What a version must hold
# --------------------------------------------------------------------------------------


def freeze_problems(kind: CaseVersion, sections: Mapping[str, str], figures: Figures) -> list[str]:
    """Why a version of ``kind`` cannot be frozen for a gate, one sentence each (empty when
    it can). A strategic outline needs its strategic case; an outline case its options; a
    full case (and a BJC, which stands for all three) its preferred option and funding."""
    label = CASE_VERSION_SHORT[kind]
    problems = []
    if not (sections.get(Section.STRATEGIC) or "").strip():
        problems.append(f"The {label} has no strategic case: write why the change is needed.")
    numbers = {o.number for o in figures.options}
    if figures.preferred is not None and figures.preferred not in numbers:
        problems.append(
            f"The {label}'s preferred option {figures.preferred} is not one of its options."
        )
    if kind in (CaseVersion.OBC, CaseVersion.FBC, CaseVersion.BJC) and not figures.options:
        problems.append(
            f"The {label} appraises no options: add at least one, with its costs and benefits."
        )
    if kind in (CaseVersion.FBC, CaseVersion.BJC):
        if figures.preferred is None:
            problems.append(
                f"The {label} has no preferred option: choose the option it recommends."
            )
        if not figures.funding:
            problems.append(f"The {label} has no funding: say where the money comes from.")
    return problems


def next_kind(previous: CaseVersion | None) -> CaseVersion:
    """The version that usually follows ``previous`` (SOC, OBC, FBC; a BJC stays a BJC)."""
    return {
        None: CaseVersion.SOC,
        CaseVersion.SOC: CaseVersion.OBC,
        CaseVersion.OBC: CaseVersion.FBC,
        CaseVersion.FBC: CaseVersion.FBC,
        CaseVersion.BJC: CaseVersion.BJC,
    }[previous]


# --------------------------------------------------------------------------------------
# What changed between two versions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of words that stayed (``same``), were added (``added``) or removed."""

    kind: str
    text: str


@dataclass(frozen=True)
class SectionChange:
    section: Section
    changed: bool
    pieces: tuple[Piece, ...] = field(default_factory=tuple)


_TOKENS = re.compile(r"\s+|[^\s]+")


def diff_text(before: str, after: str) -> tuple[Piece, ...]:
    """Word by word, what changed from ``before`` to ``after`` (whitespace kept)."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if tag in ("replace", "delete"):
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if tag in ("replace", "insert"):
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return tuple(p for p in pieces if p.text)


def diff_sections(before: Mapping[str, str], after: Mapping[str, str]) -> list[SectionChange]:
    return [
        SectionChange(
            section,
            (before.get(section) or "").strip() != (after.get(section) or "").strip(),
            diff_text(before.get(section) or "", after.get(section) or ""),
        )
        for section in SECTIONS
    ]


def _pounds(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def diff_figures(before: Figures, after: Figures) -> list[str]:
    """The figures that changed, one plain line each (options matched by number)."""
    lines = []
    if before.discount_rate != after.discount_rate:
        lines.append(
            f"Discount rate {after.discount_rate * 100:.2f}% "
            f"(was {before.discount_rate * 100:.2f}%)."
        )
    old = {a.number: a for a in appraise_all(before)}
    new = {a.number: a for a in appraise_all(after)}
    old_options = {o.number: o for o in before.options}
    for number, now in new.items():
        if number not in old:
            lines.append(
                f"Added option {number}, {now.name}: cost {_pounds(now.total_cost)}, benefit "
                f"{_pounds(now.total_benefit)}, net present value {_pounds(now.npv)}."
            )
            continue
        was = old[number]
        if was.name != now.name:
            lines.append(f"Option {number} renamed from {was.name!r} to {now.name!r}.")
        if old_options[number].flows != next(o for o in after.options if o.number == number).flows:
            lines.append(
                f"Option {number}, {now.name}: cost {_pounds(now.total_cost)} (was "
                f"{_pounds(was.total_cost)}), benefit {_pounds(now.total_benefit)} (was "
                f"{_pounds(was.total_benefit)}), net present value {_pounds(now.npv)} (was "
                f"{_pounds(was.npv)})."
            )
    for number, was in old.items():
        if number not in new:
            lines.append(f"Removed option {number}, {was.name}.")
    if before.preferred != after.preferred:
        name = {o.number: o.name for o in after.options}.get(after.preferred or 0)
        lines.append(
            f"Preferred option: {f'{after.preferred}, {name}' if name else 'none'} "
            f"(was {before.preferred or 'none'})."
        )
    was_funding = {f.source: f for f in before.funding}
    now_funding = {f.source: f for f in after.funding}
    for source in FundingSource:
        a, b = was_funding.get(source), now_funding.get(source)
        if a == b:
            continue
        label = FUNDING_LABELS[source]
        if b is None:
            lines.append(f"Removed {label.lower()} funding of {_pounds(a.amount)}.")
        elif a is None:
            state = "confirmed" if b.confirmed else "not confirmed"
            lines.append(f"Added {label.lower()} funding of {_pounds(b.amount)} ({state}).")
        else:
            state = "confirmed" if b.confirmed else "not confirmed"
            lines.append(
                f"{label} funding {_pounds(b.amount)}, {state} (was {_pounds(a.amount)}, "
                f"{'confirmed' if a.confirmed else 'not confirmed'})."
            )
    return lines
