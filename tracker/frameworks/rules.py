"""Pure rules of governance frameworks: what a publishable framework is, what changed
between two versions, which gate template governs a boundary, and the regime a framework
gives a project. No Flask, no database.

A framework is a named, versioned set of gate templates plus its tailoring table (one row
per governance level). The level itself (size raised by criticality) stays the rule of
``projects.governance``: a framework says what each level gets, not which level a project
is at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tracker.projects.governance import (
    BOARD_ROLES,
    GateBoundaries,
    Regime,
    SizeTier,
    governance_level,
)

LEVELS = (SizeTier.SMALL, SizeTier.MEDIUM, SizeTier.LARGE)
LEVEL_LABELS = {
    SizeTier.SMALL: "Small (criticality 1–2)",
    SizeTier.MEDIUM: "Medium, or criticality 3",
    SizeTier.LARGE: "Large, or criticality 4–5",
}
ROLE_LABELS = {
    "executive": "Executive",
    "senior_user": "Senior user",
    "senior_supplier": "Senior supplier",
}


class FallsAt(StrEnum):
    """When a gate falls in a project's life."""

    PROJECT_START = "project_start"
    STAGE_BOUNDARY = "stage_boundary"
    PHASE_BOUNDARY = "phase_boundary"
    RELEASE = "release"
    CLOSURE = "closure"


FALLS_AT_LABELS = {
    FallsAt.PROJECT_START: "Project start",
    FallsAt.STAGE_BOUNDARY: "Stage boundary",
    FallsAt.PHASE_BOUNDARY: "Phase boundary",
    FallsAt.RELEASE: "Release",
    FallsAt.CLOSURE: "Closure",
}


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ItemKind(StrEnum):
    """An entry checklist item the manager confirms, or a document the manager confirms is
    attached by giving its reference (a link or a file reference)."""

    CHECKLIST = "checklist"
    DOCUMENT = "document"


ITEM_KIND_LABELS = {ItemKind.CHECKLIST: "Checklist item", ItemKind.DOCUMENT: "Required document"}


class CaseVersion(StrEnum):
    """The versions a business case goes through (HM Treasury's Green Book): a strategic
    outline, an outline and a full business case, or one business justification case for
    a small scheme. A gate template says which one it needs."""

    SOC = "soc"
    OBC = "obc"
    FBC = "fbc"
    BJC = "bjc"


CASE_VERSION_LABELS = {
    CaseVersion.SOC: "Strategic outline case (SOC)",
    CaseVersion.OBC: "Outline business case (OBC)",
    CaseVersion.FBC: "Full business case (FBC)",
    CaseVersion.BJC: "Business justification case (BJC)",
}
CASE_VERSION_SHORT = {
    CaseVersion.SOC: "SOC",
    CaseVersion.OBC: "OBC",
    CaseVersion.FBC: "FBC",
    CaseVersion.BJC: "BJC",
}

GATE_BOUNDARY_LABELS = {
    GateBoundaries.START_AND_CLOSE: "Start and close only",
    GateBoundaries.EVERY_BOUNDARY: "Every stage boundary",
}


class FrameworkError(ValueError):
    """A framework that cannot be published or saved; the message says what to fix."""


@dataclass(frozen=True)
class Item:
    text: str
    kind: ItemKind = ItemKind.CHECKLIST
    evidence_required: bool = False


@dataclass(frozen=True)
class GateTemplate:
    key: str
    name: str
    falls_at: FallsAt
    roles: Mapping[SizeTier, tuple[str, ...]]
    items: tuple[Item, ...] = ()
    description: str = ""
    # The business case version due at this gate: for medium and large projects, and for
    # small ones (often a single BJC, or none). None: no version is due.
    case_due: CaseVersion | None = None
    case_due_small: CaseVersion | None = None


@dataclass(frozen=True)
class Tailoring:
    gates: GateBoundaries
    highlight_every_months: int
    budget_checkpoint_every_months: int = 1


@dataclass(frozen=True)
class Framework:
    name: str
    description: str
    gates: tuple[GateTemplate, ...]
    tailoring: Mapping[SizeTier, Tailoring] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# What may be published
# --------------------------------------------------------------------------------------


def gate_problem(gate: GateTemplate) -> str | None:
    """Why ``gate`` cannot stand in a published framework, or None.

    Every gate is decided by someone: a gate with no deciding role at any level is refused.
    A release gate may leave a level empty (releases at that level go live without a gate,
    as the built-in table has it for small projects); every other gate needs deciding roles
    at every level, since the project cannot pass it otherwise.
    """
    label = gate.name.strip() or "A gate"
    if not gate.name.strip():
        return "Every gate needs a name."
    unknown = {r for roles in gate.roles.values() for r in roles} - set(BOARD_ROLES)
    if unknown:
        return f"{label}: {', '.join(sorted(unknown))} is not a board role."
    if not any(gate.roles.get(level) for level in LEVELS):
        return (
            f"{label} has no deciding role: choose at least one board role that decides it "
            "(Executive, Senior user or Senior supplier)."
        )
    if gate.falls_at is not FallsAt.RELEASE:
        missing = [LEVEL_LABELS[level] for level in LEVELS if not gate.roles.get(level)]
        if missing:
            return (
                f"{label} has no deciding role for {', '.join(missing).lower()} projects: "
                "every level needs at least one board role to decide it."
            )
    for item in gate.items:
        if not item.text.strip():
            return f"{label}: every checklist item and document needs its text."
    return None


def framework_problems(framework: Framework) -> list[str]:
    """Every reason ``framework`` cannot be published (empty when it can)."""
    problems = []
    if not framework.name.strip():
        problems.append("The framework needs a name.")
    if not framework.gates:
        problems.append("A framework needs at least one gate.")
    problems += [p for gate in framework.gates if (p := gate_problem(gate))]
    for level in LEVELS:
        row = framework.tailoring.get(level)
        if row is None:
            problems.append(f"The tailoring has no row for {LEVEL_LABELS[level].lower()}.")
        elif not 1 <= row.highlight_every_months <= 12:
            problems.append("Highlight reports fall every 1 to 12 months.")
        elif not 1 <= row.budget_checkpoint_every_months <= 12:
            problems.append("Budget checkpoints fall every 1 to 12 months.")
    return problems


# --------------------------------------------------------------------------------------
# What changed between two versions
# --------------------------------------------------------------------------------------


def _roles_text(roles: Sequence[str]) -> str:
    return ", ".join(ROLE_LABELS.get(r, r) for r in roles) or "no gate"


def _case_text(due: CaseVersion | None) -> str:
    return CASE_VERSION_SHORT[due] if due else "none"


def changes(before: Framework | None, after: Framework) -> list[str]:
    """What publishing ``after`` changes from ``before``, one plain line per change, for
    the audit entry and the version's page. Gates are matched by their key, which a copy
    keeps, so a renamed gate reads as renamed rather than removed and added."""
    if before is None:
        return [f"First version, with {len(after.gates)} gates."]
    lines = []
    if before.name != after.name:
        lines.append(f"Renamed the framework from {before.name!r} to {after.name!r}.")
    old = {g.key: g for g in before.gates}
    new = {g.key: g for g in after.gates}
    for key, gate in new.items():
        if key not in old:
            lines.append(f"Added gate {gate.name!r} ({FALLS_AT_LABELS[gate.falls_at].lower()}).")
            continue
        was = old[key]
        if was.name != gate.name:
            lines.append(f"Renamed gate {was.name!r} to {gate.name!r}.")
        if was.falls_at != gate.falls_at:
            lines.append(
                f"{gate.name}: now falls at {FALLS_AT_LABELS[gate.falls_at].lower()} "
                f"(was {FALLS_AT_LABELS[was.falls_at].lower()})."
            )
        for level in LEVELS:
            a, b = tuple(was.roles.get(level, ())), tuple(gate.roles.get(level, ()))
            if a != b:
                lines.append(
                    f"{gate.name}: decided by {_roles_text(b)} at {level.value} level "
                    f"(was {_roles_text(a)})."
                )
        for attr, who in (("case_due", ""), ("case_due_small", " for small projects")):
            a, b = getattr(was, attr), getattr(gate, attr)
            if a != b:
                lines.append(
                    f"{gate.name}: business case due{who} is {_case_text(b)} (was {_case_text(a)})."
                )
        was_items = {(i.kind, i.text): i for i in was.items}
        now_items = {(i.kind, i.text): i for i in gate.items}
        for key_, item in now_items.items():
            noun = "document" if item.kind is ItemKind.DOCUMENT else "checklist item"
            if key_ not in was_items:
                extra = " (evidence required)" if item.evidence_required else ""
                lines.append(f"{gate.name}: added {noun} {item.text!r}{extra}.")
            elif was_items[key_].evidence_required != item.evidence_required:
                state = "now requires" if item.evidence_required else "no longer requires"
                lines.append(f"{gate.name}: {noun} {item.text!r} {state} evidence.")
        for key_, item in was_items.items():
            if key_ not in now_items:
                noun = "document" if item.kind is ItemKind.DOCUMENT else "checklist item"
                lines.append(f"{gate.name}: removed {noun} {item.text!r}.")
    for key, gate in old.items():
        if key not in new:
            lines.append(f"Removed gate {gate.name!r}.")
    for level in LEVELS:
        a, b = before.tailoring.get(level), after.tailoring.get(level)
        if a != b and b is not None:
            lines.append(
                f"Tailoring at {level.value} level: {GATE_BOUNDARY_LABELS[b.gates].lower()}, "
                f"highlight reports every {b.highlight_every_months} months, budget "
                f"checkpoints every {b.budget_checkpoint_every_months} months."
            )
    return lines or ["No change from the previous version."]


# --------------------------------------------------------------------------------------
# Which template governs a boundary, and the regime a framework gives
# --------------------------------------------------------------------------------------


def template_for(
    gates: Sequence[GateTemplate], falls_at: FallsAt | str, ordinal: int = 1
) -> GateTemplate | None:
    """The template for the ``ordinal``-th boundary of kind ``falls_at`` (1-based): the
    templates of that kind in their order, the last one repeating for later boundaries
    (a council's Gateway 3 governs every stage boundary after the third). None when the
    framework names no gate of that kind."""
    matching = [g for g in gates if g.falls_at == falls_at]
    if not matching:
        return None
    return matching[min(max(ordinal, 1), len(matching)) - 1]


def regime(framework: Framework, tier: SizeTier | str, criticality: int) -> Regime:
    """The regime ``framework`` gives a project of ``tier`` and ``criticality``.

    Stage approvers are the roles of the framework's first stage-boundary gate (or, with
    none, its start gate), at the project's level; release approvers those of its release
    gate. With the shipped PRINCE2 framework this is exactly the built-in table.
    """
    level, reason = governance_level(tier, criticality)
    row = framework.tailoring[level]
    stage_gate = template_for(framework.gates, FallsAt.STAGE_BOUNDARY) or template_for(
        framework.gates, FallsAt.PROJECT_START
    )
    release = template_for(framework.gates, FallsAt.RELEASE)
    return Regime(
        level=level,
        gates=row.gates,
        approver_roles=_ordered(stage_gate.roles.get(level, ())) if stage_gate else (),
        highlight_every_months=row.highlight_every_months,
        release_gate_roles=_ordered(release.roles.get(level, ())) if release else (),
        feedback_each_iteration=True,
        budget_checkpoint_every_months=row.budget_checkpoint_every_months,
        reason=reason,
    )


def case_due(gate: GateTemplate, tier: SizeTier | str, criticality: int) -> CaseVersion | None:
    """The business case version ``gate`` needs from a project of this size and
    criticality: small projects follow the gate's small-project setting."""
    level, _reason = governance_level(tier, criticality)
    return gate.case_due_small if level is SizeTier.SMALL else gate.case_due


def _ordered(roles) -> tuple[str, ...]:
    return tuple(r for r in BOARD_ROLES if r in set(roles))


def deciding_roles(gate: GateTemplate, tier: SizeTier | str, criticality: int) -> tuple:
    """The board roles that decide ``gate`` for a project of this size and criticality."""
    level, _reason = governance_level(tier, criticality)
    return _ordered(gate.roles.get(level, ()))


def missing_confirmations(
    items: Sequence[tuple[int, Item]], confirmed: Mapping[int, str | None]
) -> list[str]:
    """What the manager has still to confirm before requesting a gate, one line per item:
    ``items`` are (id, item), ``confirmed`` maps a confirmed item's id to its evidence."""
    missing = []
    for item_id, item in items:
        if item_id not in confirmed:
            if item.kind is ItemKind.DOCUMENT:
                missing.append(f"the document {item.text!r} is not attached")
            else:
                missing.append(f"{item.text!r} is not confirmed")
        elif (item.evidence_required or item.kind is ItemKind.DOCUMENT) and not (
            confirmed[item_id] or ""
        ).strip():
            missing.append(f"{item.text!r} has no evidence")
    return missing


def confirmation_problem(item: Item, evidence: str | None) -> str | None:
    """Why confirming ``item`` with ``evidence`` is refused, or None."""
    if item.kind is ItemKind.DOCUMENT and not (evidence or "").strip():
        return (
            f"{item.text!r} is a required document: give its reference or link to confirm "
            "it is attached."
        )
    if item.evidence_required and not (evidence or "").strip():
        return f"{item.text!r} needs evidence: say where it is (a link or a reference)."
    return None


class Verdict(StrEnum):
    """How a decision by a gate template's roles stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def verdict(required_roles: Sequence[str], approvals: Mapping[str, bool]) -> Verdict:
    """A decision by the roles a template names: one required role saying no decides it
    (a release rejected, an assessment not passed); every required role saying yes
    approves it. With no required role (a level whose tailoring has no such gate) it is
    approved. Votes of roles the template does not name do not count."""
    if any(approvals.get(role) is False for role in required_roles):
        return Verdict.REJECTED
    if all(approvals.get(role) is True for role in required_roles):
        return Verdict.APPROVED
    return Verdict.PENDING
