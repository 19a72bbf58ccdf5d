"""Pure programme rules: the roles, the hierarchy's shape, honest roll-ups, tolerances.

No Flask, no database: the services and queries hand plain values in. Worked examples are
in tests/programmes/test_rules.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.core.money import money

MAX_DEPTH = 4
"""A portfolio's programmes nest at most this many levels (a programme, its sub-programme,
and two more): deeper than that, a board no longer sees what it governs."""


class ProgrammeRole(StrEnum):
    SRO = "sro"
    PROGRAMME_MANAGER = "programme_manager"
    SENIOR_USER = "senior_user"
    SENIOR_SUPPLIER = "senior_supplier"
    BOARD_MEMBER = "board_member"


PROGRAMME_ROLES = {
    ProgrammeRole.SRO: "Senior responsible owner",
    ProgrammeRole.PROGRAMME_MANAGER: "Programme manager",
    ProgrammeRole.SENIOR_USER: "Senior user",
    ProgrammeRole.SENIOR_SUPPLIER: "Senior supplier",
    ProgrammeRole.BOARD_MEMBER: "Board member",
}
# The programme board: the SRO chairs it; the programme manager runs the programme and,
# as on a project board (tracker.projects.governance), never sits on it.
PROGRAMME_BOARD_ROLES = (
    ProgrammeRole.SRO,
    ProgrammeRole.SENIOR_USER,
    ProgrammeRole.SENIOR_SUPPLIER,
    ProgrammeRole.BOARD_MEMBER,
)
SINGLE_HOLDER_ROLES = (ProgrammeRole.SRO, ProgrammeRole.PROGRAMME_MANAGER)


def role_conflict(held: Iterable[str], new_role: str) -> str | None:
    """Why a person holding ``held`` on a programme may not also take ``new_role``.

    The same separation as on a project board: the board directs and the programme manager
    manages, so the manager never decides on their own programme."""
    held = set(held) - {new_role}
    label = PROGRAMME_ROLES[ProgrammeRole(new_role)]
    if new_role in PROGRAMME_BOARD_ROLES and ProgrammeRole.PROGRAMME_MANAGER in held:
        return (
            f"The programme manager cannot also be the {label.lower()}: the programme board "
            "directs and the programme manager manages. Choose someone else for the board."
        )
    if new_role == ProgrammeRole.PROGRAMME_MANAGER and held & set(PROGRAMME_BOARD_ROLES):
        return (
            "This person is on the programme board, so cannot also manage the programme: the "
            "board directs and the programme manager manages. Remove their board role first "
            "or choose another manager."
        )
    return None


# --------------------------------------------------------------------------------------
# The hierarchy
# --------------------------------------------------------------------------------------


def parent_problem(
    programme_id: int | None, new_parent_id: int | None, parents: Mapping[int, int | None]
) -> str | None:
    """Why ``new_parent_id`` may not hold the programme, or None.

    ``parents`` maps every programme of the portfolio to its parent. A programme may not sit
    under itself or under one of its own sub-programmes (a cycle), and the tree may not grow
    deeper than ``MAX_DEPTH`` levels."""
    if new_parent_id is None:
        chain_above = 0
    else:
        seen: list[int] = []
        current: int | None = new_parent_id
        while current is not None:
            if current == programme_id or current in seen:
                return (
                    "A programme cannot sit under itself or under one of its own "
                    "sub-programmes: choose a parent outside this programme's tree."
                )
            seen.append(current)
            current = parents.get(current)
        chain_above = len(seen)
    depth_below = _depth_below(programme_id, parents) if programme_id is not None else 0
    if chain_above + 1 + depth_below > MAX_DEPTH:
        return (
            f"Programmes nest at most {MAX_DEPTH} levels deep; under this parent the tree "
            f"would be {chain_above + 1 + depth_below}. Choose a parent higher up."
        )
    return None


def _depth_below(programme_id: int, parents: Mapping[int, int | None]) -> int:
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    deepest, frontier = 0, [programme_id]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, []) if c != programme_id]
        if frontier:
            deepest += 1
        if deepest > MAX_DEPTH:
            break
    return deepest


def membership_on(day: date, from_on: date, to_on: date | None) -> bool:
    """Whether a membership from ``from_on`` up to (not including) ``to_on`` covers ``day``:
    a project moved on a day counts in its new programme from that day on."""
    return from_on <= day and (to_on is None or day < to_on)


# --------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------


def cost_tolerance_problem(
    programme_tolerance: Decimal | None, project_allowances: Iterable[Decimal]
) -> str | None:
    """A programme's cost tolerance may not be looser than the sum of what its projects are
    each allowed: otherwise every project could be within tolerance while the programme
    absorbed more than all of them together. With no projects yet there is nothing to
    compare with, so any tolerance stands until projects join (the page says so)."""
    allowances = [money(a) for a in project_allowances]
    if programme_tolerance is None or not allowances:
        return None
    total = money(sum(allowances, Decimal(0)))
    if money(programme_tolerance) > total:
        return (
            f"The programme's cost tolerance (£{money(programme_tolerance):,.2f}) is looser "
            f"than the £{total:,.2f} its {len(allowances)} projects are allowed together. "
            "Set it at or below that sum."
        )
    return None


class ToleranceState(StrEnum):
    WITHIN = "within"
    BREACHED = "breached"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Breach:
    dimension: str
    message: str


def tolerance_breaches(
    rollup: Rollup,
    *,
    cost_tolerance: Decimal | None,
    time_tolerance_days: int | None,
    forecast_slip_days: int | None,
) -> list[Breach]:
    """What the roll-up breaches: cost when the summed forecast overrun (EAC from the
    summed CPI, minus the summed budget) exceeds the cost tolerance; time when the latest
    project finish slips beyond the time tolerance."""
    found: list[Breach] = []
    overrun = rollup.forecast_overrun
    if cost_tolerance is not None and overrun is not None and overrun > money(cost_tolerance):
        found.append(
            Breach(
                "cost",
                f"Forecast overrun £{overrun:,.2f} exceeds the programme's cost tolerance "
                f"of £{money(cost_tolerance):,.2f}.",
            )
        )
    if (
        time_tolerance_days is not None
        and forecast_slip_days is not None
        and forecast_slip_days > time_tolerance_days
    ):
        found.append(
            Breach(
                "time",
                f"The programme's last project now finishes {forecast_slip_days} days late, "
                f"beyond the time tolerance of {time_tolerance_days} days.",
            )
        )
    return found


# --------------------------------------------------------------------------------------
# Roll-ups
# --------------------------------------------------------------------------------------

INDEX_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ProjectFigures:
    """One project's latest checkpoint on or before the roll-up's date (``taken_on`` None:
    none yet)."""

    project_id: int
    code: str
    name: str
    taken_on: date | None
    bac: Decimal | None
    pv: Decimal | None
    ev: Decimal | None
    ac: Decimal | None


@dataclass(frozen=True)
class Rollup:
    """A programme's earned-value figures on one day: sums over the projects that have a
    checkpoint, with those that have none named, never silently left out."""

    on: date
    projects: int
    covered: int
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    missing: tuple[tuple[int, str, str], ...] = field(default=())

    @property
    def cpi(self) -> Decimal | None:
        """EV / AC of the sums, never a mean of the projects' indices (a £10m project
        weighs a thousand times a £10k one)."""
        return None if not self.ac else (self.ev / self.ac).quantize(INDEX_PLACES)

    @property
    def spi(self) -> Decimal | None:
        return None if not self.pv else (self.ev / self.pv).quantize(INDEX_PLACES)

    @property
    def cv(self) -> Decimal:
        return money(self.ev - self.ac)

    @property
    def sv(self) -> Decimal:
        return money(self.ev - self.pv)

    @property
    def eac(self) -> Decimal | None:
        """BAC / CPI over the covered projects (undefined without actual cost or value)."""
        if not self.ac or not self.ev:
            return None
        return money(self.bac * self.ac / self.ev)

    @property
    def forecast_overrun(self) -> Decimal | None:
        eac = self.eac
        return None if eac is None else money(eac - self.bac)

    @property
    def coverage(self) -> str:
        return f"{self.covered} of {self.projects} projects"


def rollup(on: date, rows: Iterable[ProjectFigures]) -> Rollup:
    """Sum the money of the projects with a checkpoint; name the rest. The SQL already
    sums at scale (tracker.programmes.queries); this is the same arithmetic over a short
    list, used by the tests and the API to state the rule once."""
    rows = list(rows)
    covered = [r for r in rows if r.taken_on is not None]
    zero = Decimal(0)
    return Rollup(
        on=on,
        projects=len(rows),
        covered=len(covered),
        bac=money(sum((r.bac or zero for r in covered), zero)),
        pv=money(sum((r.pv or zero for r in covered), zero)),
        ev=money(sum((r.ev or zero for r in covered), zero)),
        ac=money(sum((r.ac or zero for r in covered), zero)),
        missing=tuple(sorted((r.project_id, r.code, r.name) for r in rows if r.taken_on is None)),
    )


def share(part: Decimal | None, whole: Decimal) -> Decimal | None:
    """A project's share of a summed figure, in percent (for "each project's contribution")."""
    if part is None or not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


# --------------------------------------------------------------------------------------
# Multi-agency working and programme gates
# --------------------------------------------------------------------------------------


class PledgeKind(StrEnum):
    ASK = "ask"
    OFFER = "offer"
    COMMITMENT = "commitment"


PLEDGE_KINDS = {
    PledgeKind.ASK: "Asks",
    PledgeKind.OFFER: "Offers",
    PledgeKind.COMMITMENT: "Commitments",
}


class PledgeStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    WITHDRAWN = "withdrawn"


PLEDGE_STATUSES = {
    PledgeStatus.OPEN: "Open",
    PledgeStatus.DONE: "Done",
    PledgeStatus.WITHDRAWN: "Withdrawn",
}

# The five conditions of collective impact (Kania and Kramer, 2011), as the seed documents
# name them.
CONDITIONS = {
    "shared_mission": "A shared mission",
    "shared_metrics": "Agreed shared metrics",
    "differentiated_roles": "Clearly differentiated roles",
    "communication": "High levels of communication",
    "backbone": "A backbone organisation",
}
SCORES = {1: "Absent", 2: "Weak", 3: "Developing", 4: "Good", 5: "Strong"}


class GateStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


GATE_STATUSES = {
    GateStatus.REQUESTED: "Waiting for the programme board",
    GateStatus.APPROVED: "Approved",
    GateStatus.REJECTED: "Rejected",
}
