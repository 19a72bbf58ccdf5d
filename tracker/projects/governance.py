"""Pure governance rules for every project: how much governance its size and criticality
earn (the tailoring table of METHOD_MODEL.md) and the segregation of duties on its board.
No Flask, no database.

They live with projects, not stages, because the team's rules (who may hold which role)
are checked when the team changes, whatever the delivery method; the stage domain's rules
build on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class SizeTier(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


EXECUTIVE = "executive"
SENIOR_USER = "senior_user"
SENIOR_SUPPLIER = "senior_supplier"
BOARD_ROLES = (EXECUTIVE, SENIOR_USER, SENIOR_SUPPLIER)


class GateBoundaries(StrEnum):
    START_AND_CLOSE = "start_and_close"
    EVERY_BOUNDARY = "every_boundary"


@dataclass(frozen=True)
class Regime:
    """How much governance a project gets (METHOD_MODEL.md "Governance tailoring").

    ``level`` is the tier whose row applies, after criticality has raised it.
    ``release_gate_roles`` is empty when agile releases need no gate.
    ``highlight_every_months`` and ``budget_checkpoint_every_months`` are cadences.
    """

    level: SizeTier
    gates: GateBoundaries
    approver_roles: tuple[str, ...]
    highlight_every_months: int
    release_gate_roles: tuple[str, ...]
    feedback_each_iteration: bool
    budget_checkpoint_every_months: int
    reason: str


_REGIMES: Mapping[SizeTier, tuple[GateBoundaries, tuple[str, ...], int, tuple[str, ...]]] = {
    # The table names monthly highlight reports only for the large row, so the smaller rows
    # report less often: quarterly for small, every two months for medium.
    SizeTier.SMALL: (GateBoundaries.START_AND_CLOSE, (EXECUTIVE,), 3, ()),
    SizeTier.MEDIUM: (GateBoundaries.EVERY_BOUNDARY, (EXECUTIVE, SENIOR_USER), 2, (EXECUTIVE,)),
    SizeTier.LARGE: (GateBoundaries.EVERY_BOUNDARY, BOARD_ROLES, 1, BOARD_ROLES),
}

_TIER_ORDER = (SizeTier.SMALL, SizeTier.MEDIUM, SizeTier.LARGE)


def governance_level(tier: SizeTier | str, criticality: int) -> tuple[SizeTier, str]:
    """The tailoring row that applies, and why: size sets the floor, criticality (C1, 1-5)
    can raise it. Small with C1 ≤ 2 stays small, C1 = 3 raises to medium, C1 ≥ 4 to large:
    whichever row is higher wins, so a small project that could cost a life is governed as
    a large one."""
    tier = SizeTier(tier)
    if isinstance(criticality, bool) or not isinstance(criticality, int):
        raise TypeError("criticality must be an integer from 1 to 5")
    if not 1 <= criticality <= 5:
        raise ValueError(f"criticality must be from 1 to 5, not {criticality}")
    by_criticality = (
        SizeTier.SMALL
        if criticality <= 2
        else SizeTier.MEDIUM
        if criticality == 3
        else SizeTier.LARGE
    )
    level = max(tier, by_criticality, key=_TIER_ORDER.index)
    if level == tier:
        return level, f"{tier.value} project with criticality {criticality}"
    return level, (
        f"{tier.value} project raised to {level.value} governance by criticality {criticality}"
    )


def gate_regime(tier: SizeTier | str, criticality: int) -> Regime:
    """The tailored gate regime of the built-in table (METHOD_MODEL.md).

    Per the tailoring table: small with C1 ≤ 2 → start and close gates, Executive only;
    medium or C1 = 3 → every boundary, Executive and Senior User; large or C1 ≥ 4 →
    every boundary, the full board, monthly highlight reports. The PRINCE2 framework the
    PMO edits (``tracker.frameworks``) starts from this table; a project with no framework
    recorded is governed by it.
    """
    level, reason = governance_level(tier, criticality)
    gates, approvers, highlight, release = _REGIMES[level]
    return Regime(
        level=level,
        gates=gates,
        approver_roles=approvers,
        highlight_every_months=highlight,
        release_gate_roles=release,
        feedback_each_iteration=True,
        budget_checkpoint_every_months=1,
        reason=reason,
    )


def builtin_table() -> Mapping[SizeTier, tuple[GateBoundaries, tuple[str, ...], int, tuple]]:
    """The built-in tailoring table, row by row: the default the frameworks start from."""
    return dict(_REGIMES)


def _role_label(role: str) -> str:
    return role.replace("_", " ").capitalize()


def _board_order(roles: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(roles), key=BOARD_ROLES.index))


PROJECT_MANAGER = "project_manager"

_COMBINABLE: Mapping[SizeTier, frozenset[str]] = {
    # PRINCE2 lets a small, low-criticality project merge the business and user interests in
    # one person; the supplier's interest is never merged with them, and from medium
    # governance up every board role is a different person.
    SizeTier.SMALL: frozenset({EXECUTIVE, SENIOR_USER}),
}


def may_combine(level: SizeTier | str, board_roles: Iterable[str]) -> bool:
    """Whether one person may hold all of ``board_roles`` together under governance
    ``level`` (the regime's level, after criticality has raised it)."""
    held = set(board_roles) & set(BOARD_ROLES)
    if len(held) < 2:
        return True
    return held <= _COMBINABLE.get(SizeTier(level), frozenset())


def decision_counts_for_combined_roles(level: SizeTier | str) -> bool:
    """Whether one person's decision counts for every board role they hold: only where the
    tailoring lets the roles be combined at all (small, low-criticality projects)."""
    return SizeTier(level) in _COMBINABLE


def role_conflict(level: SizeTier | str, held: Iterable[str], new_role: str) -> str | None:
    """Why a person holding ``held`` on a project may not also take ``new_role``, or None.

    The project manager never sits on the board of their own project (PRINCE2: the board
    directs, the manager manages), and board roles combine only where the tailoring allows.
    """
    held = set(held) - {new_role}
    label = _role_label(new_role)
    if new_role in BOARD_ROLES and PROJECT_MANAGER in held:
        return (
            f"The project manager cannot also be the {label}: under PRINCE2 the board "
            "directs and the project manager manages, so the manager never decides on their "
            "own project. Choose someone else for the board."
        )
    if new_role == PROJECT_MANAGER and held & set(BOARD_ROLES):
        roles = ", ".join(_role_label(r) for r in _board_order(held & set(BOARD_ROLES)))
        return (
            f"This person is on the project board ({roles}), so cannot also manage the "
            "project: under PRINCE2 the board directs and the project manager manages. "
            "Remove their board role first or choose another manager."
        )
    if new_role in BOARD_ROLES and not may_combine(level, held | {new_role}):
        roles = " and ".join(_role_label(r) for r in _board_order(held & set(BOARD_ROLES)))
        if SizeTier(level) in _COMBINABLE:
            allowed = "only Executive and Senior user may be combined on this project"
        else:
            allowed = (
                f"this project has {SizeTier(level).value} governance, where each board "
                "role is held by a different person"
            )
        return (
            f"This person is already {roles} on this project and cannot also be the "
            f"{label}: {allowed}."
        )
    return None


def team_conflicts(
    level: SizeTier | str, roles_by_person: Mapping[str, Iterable[str]]
) -> list[str]:
    """Every way a team breaks the segregation of duties, one line per person, for
    ``flask governance check``. Empty when the team obeys the rule."""
    found = []
    for person, roles in sorted(roles_by_person.items()):
        roles = set(roles)
        board = _board_order(roles & set(BOARD_ROLES))
        names = " and ".join(_role_label(r) for r in board)
        if PROJECT_MANAGER in roles and board:
            found.append(f"{person} is the project manager and also {names}")
        elif not may_combine(level, board):
            found.append(
                f"{person} holds {names}, which {SizeTier(level).value} governance does not "
                "allow one person to combine"
            )
    return found


@dataclass(frozen=True)
class EscalationThreshold:
    """When a register entry goes to the board: a risk whose score (likelihood x impact,
    1-25) reaches ``risk_score``, an issue whose severity (1-5) reaches ``issue_severity``."""

    risk_score: int
    issue_severity: int


_ESCALATION: Mapping[SizeTier, EscalationThreshold] = {
    # The more governance a project earns, the more of its register the board sees: a large
    # (or critical) project's board hears of every high risk (12+, the register's "high"
    # band), a small project's only of the very high ones (20+) and critical issues.
    SizeTier.SMALL: EscalationThreshold(risk_score=20, issue_severity=5),
    SizeTier.MEDIUM: EscalationThreshold(risk_score=16, issue_severity=4),
    SizeTier.LARGE: EscalationThreshold(risk_score=12, issue_severity=4),
}


def escalation_threshold(level: SizeTier | str) -> EscalationThreshold:
    """The tailoring's escalation threshold for governance ``level`` (the regime's level,
    after criticality has raised it)."""
    return _ESCALATION[SizeTier(level)]
