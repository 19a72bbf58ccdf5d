"""Operations on governance frameworks: the PMO copies, edits and publishes them; a project
follows one published version, and its manager confirms each gate's checklist.

Published versions never change: every edit goes to a draft, and publishing the draft makes
it the framework's newest version. Every change writes an audit entry; publishing records
what changed, line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core import events
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks import rules
from tracker.frameworks.models import (
    ChecklistConfirmation,
    FrameworkVersion,
    GateTemplate,
    GateTemplateItem,
    GateTemplateRole,
    GovernanceFramework,
    ProjectFramework,
    TailoringRow,
)
from tracker.frameworks.rules import CaseVersion, FallsAt, ItemKind, VersionStatus
from tracker.projects.governance import BOARD_ROLES, GateBoundaries, Regime, SizeTier, gate_regime
from tracker.projects.models import Project

# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _lock(model, record_id: int):
    """Re-read a record under a row lock, replacing whatever the session held."""
    return db.session.scalars(
        select(model)
        .where(model.id == record_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def content_of(version: FrameworkVersion) -> rules.Framework:
    """A version as the pure rules see it."""
    return rules.Framework(
        name=version.framework.name,
        description=version.framework.description,
        gates=tuple(_gate_content(gate) for gate in version.gates),
        tailoring={
            SizeTier(row.level): rules.Tailoring(
                GateBoundaries(row.gates),
                row.highlight_every_months,
                row.budget_checkpoint_every_months,
            )
            for row in version.tailoring
        },
    )


def _gate_content(gate: GateTemplate) -> rules.GateTemplate:
    roles: dict[SizeTier, list[str]] = {level: [] for level in rules.LEVELS}
    for role in gate.roles:
        roles[SizeTier(role.level)].append(role.role)
    return rules.GateTemplate(
        key=gate.key,
        name=gate.name,
        falls_at=FallsAt(gate.falls_at),
        roles={level: tuple(r for r in BOARD_ROLES if r in held) for level, held in roles.items()},
        items=tuple(rules.Item(i.text, ItemKind(i.kind), i.evidence_required) for i in gate.items),
        description=gate.description,
        case_due=CaseVersion(gate.business_case_due) if gate.business_case_due else None,
        case_due_small=(
            CaseVersion(gate.business_case_due_small) if gate.business_case_due_small else None
        ),
    )


def version_query():
    return select(FrameworkVersion).options(
        selectinload(FrameworkVersion.gates).selectinload(GateTemplate.items),
        selectinload(FrameworkVersion.gates).selectinload(GateTemplate.roles),
        selectinload(FrameworkVersion.tailoring),
    )


def latest_published(framework_id: int) -> FrameworkVersion | None:
    return db.session.scalars(
        select(FrameworkVersion)
        .where(
            FrameworkVersion.framework_id == framework_id,
            FrameworkVersion.status == VersionStatus.PUBLISHED,
        )
        .order_by(FrameworkVersion.number.desc())
        .limit(1)
    ).first()


def draft_of(framework_id: int) -> FrameworkVersion | None:
    return db.session.scalars(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework_id,
            FrameworkVersion.status == VersionStatus.DRAFT,
        )
    ).first()


def default_framework() -> GovernanceFramework | None:
    return db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.is_default.is_(True)).limit(1)
    ).first()


@dataclass(frozen=True)
class Governance:
    """What a project's framework version says, read once per request."""

    version_id: int
    label: str
    content: rules.Framework
    template_ids: dict[str, int]
    items: dict[str, tuple[tuple[int, rules.Item], ...]]


# Published versions never change, so what one says is kept for the life of the process,
# keyed by the version and the moment it was published (a test database that reuses an id
# for another version publishes it at another moment).
_PUBLISHED_CONTENT: dict[tuple[int, object], Governance] = {}
_KEEP_AT_MOST = 256


def _request_cache() -> dict:
    """Which version each project follows, asked once per request."""
    if not has_app_context():
        return {}
    if "_framework_of_project" not in g:
        g._framework_of_project = {}
    return g._framework_of_project


def forget(project_id: int | None = None) -> None:
    """Drop what this request knows of a project's framework (after it moves)."""
    cache = _request_cache()
    if project_id is None:
        cache.clear()
    else:
        cache.pop(project_id, None)


def _governance_of_version(version_id: int, published_at) -> Governance:
    key = (version_id, published_at)
    if key in _PUBLISHED_CONTENT:
        return _PUBLISHED_CONTENT[key]
    version = db.session.scalars(version_query().where(FrameworkVersion.id == version_id)).one()
    governance = Governance(
        version_id=version.id,
        label=version.label,
        content=content_of(version),
        template_ids={gate.key: gate.id for gate in version.gates},
        items={
            gate.key: tuple(
                (i.id, rules.Item(i.text, ItemKind(i.kind), i.evidence_required))
                for i in gate.items
            )
            for gate in version.gates
        },
    )
    if published_at is not None:
        if len(_PUBLISHED_CONTENT) >= _KEEP_AT_MOST:
            _PUBLISHED_CONTENT.clear()
        _PUBLISHED_CONTENT[key] = governance
    return governance


def governance_of(project: Project) -> Governance | None:
    """The version ``project`` follows, or None for a project with none recorded (it is
    governed by the built-in table, which the shipped PRINCE2 framework repeats).
    One query per project and request; the version's content is read once per process."""
    if project.id is None:
        return None
    cache = _request_cache()
    if project.id not in cache:
        cache[project.id] = db.session.execute(
            select(ProjectFramework.framework_version_id, FrameworkVersion.published_at)
            .join(FrameworkVersion, FrameworkVersion.id == ProjectFramework.framework_version_id)
            .where(ProjectFramework.project_id == project.id)
        ).first()
    found = cache[project.id]
    return _governance_of_version(found[0], found[1]) if found is not None else None


def regime_for(project: Project, tier: SizeTier | str) -> Regime:
    governance = governance_of(project)
    if governance is None:
        return gate_regime(tier, project.criticality)
    return rules.regime(governance.content, tier, project.criticality)


@dataclass(frozen=True)
class GateToPass:
    """The template a boundary's gate follows, with its items' ids for confirmation."""

    template_id: int
    template: rules.GateTemplate
    items: tuple[tuple[int, rules.Item], ...]


def gate_for(project: Project, falls_at: FallsAt, ordinal: int = 1) -> GateToPass | None:
    governance = governance_of(project)
    if governance is None:
        return None
    template = rules.template_for(governance.content.gates, falls_at, ordinal)
    if template is None:
        return None
    return GateToPass(
        governance.template_ids[template.key], template, governance.items[template.key]
    )


def confirmations(project: Project) -> dict[int, ChecklistConfirmation]:
    return {
        c.gate_template_item_id: c
        for c in db.session.scalars(
            select(ChecklistConfirmation).where(ChecklistConfirmation.project_id == project.id)
        )
    }


def check_gate_ready(project: Project, gate: GateToPass | None) -> None:
    """Refuse a gate request while its checklist is incomplete: every item confirmed, every
    required document attached (its reference given), evidence where the template asks."""
    if gate is None or not gate.items:
        return
    confirmed = {item_id: c.evidence for item_id, c in confirmations(project).items()}
    missing = rules.missing_confirmations(gate.items, confirmed)
    if missing:
        raise RuleError(
            f"{gate.template.name} cannot be requested yet: {'; '.join(missing)}. Confirm "
            "them on the project's framework page first."
        )


# --------------------------------------------------------------------------------------
# The PMO's changes
# --------------------------------------------------------------------------------------

_PUBLISHED = (
    "{label} is published, so it cannot be changed in place: start a new draft of the "
    "framework, change that, and publish it as the next version."
)


def _require_draft(version: FrameworkVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise RuleError(_PUBLISHED.format(label=version.label))


def _touch(framework: GovernanceFramework) -> None:
    """Mark the framework edited, which moves its version number: two PMO officers editing
    one draft at once meet a stale-edit refusal rather than overwriting each other."""
    framework.edited_at = utcnow()


def _copy_content(source: FrameworkVersion, target: FrameworkVersion) -> None:
    for gate in source.gates:
        target.gates.append(
            GateTemplate(
                key=gate.key,
                position=gate.position,
                name=gate.name,
                falls_at=gate.falls_at,
                description=gate.description,
                business_case_due=gate.business_case_due,
                business_case_due_small=gate.business_case_due_small,
                items=[
                    GateTemplateItem(
                        position=i.position,
                        kind=i.kind,
                        text=i.text,
                        evidence_required=i.evidence_required,
                    )
                    for i in gate.items
                ],
                roles=[GateTemplateRole(level=r.level, role=r.role) for r in gate.roles],
            )
        )
    for row in source.tailoring:
        target.tailoring.append(
            TailoringRow(
                level=row.level,
                gates=row.gates,
                highlight_every_months=row.highlight_every_months,
                budget_checkpoint_every_months=row.budget_checkpoint_every_months,
            )
        )


def _check_unique_name(name: str) -> None:
    taken = db.session.scalar(
        select(GovernanceFramework.id).where(func.lower(GovernanceFramework.name) == name.lower())
    )
    if taken is not None:
        raise RuleError("A framework with this name already exists", "name")


def copy_framework(source: FrameworkVersion, *, name: str, actor: User) -> FrameworkVersion:
    """A new framework whose first draft is a copy of ``source`` (a published version)."""
    name = (name or "").strip()
    if not name:
        raise RuleError("Enter a name for the new framework", "name")
    if len(name) > 200:
        raise RuleError("Name must be 200 characters or fewer", "name")
    if not source.is_published:
        raise RuleError("Copy a published version: a draft may still change.")
    _check_unique_name(name)
    framework = GovernanceFramework(
        name=name,
        description=source.framework.description,
        copied_from_id=source.framework_id,
        created_by_id=actor.id,
    )
    db.session.add(framework)
    db.session.flush()
    draft = FrameworkVersion(
        framework_id=framework.id,
        number=1,
        status=VersionStatus.DRAFT,
        based_on_id=source.id,
        created_by_id=actor.id,
    )
    _copy_content(source, draft)
    db.session.add(draft)
    db.session.flush()
    audit.record(
        "framework.copied",
        framework,
        summary=f"Copied {source.label} as {framework.name}",
        changes={"copied_from": source.label, "name": framework.name},
        actor=actor,
    )
    return draft


def start_draft(framework: GovernanceFramework, *, actor: User) -> FrameworkVersion:
    """The next version's draft, copied from the newest published version."""
    framework = _lock(GovernanceFramework, framework.id)
    if draft_of(framework.id) is not None:
        raise RuleError(f"{framework.name} already has a draft: change that one.")
    source = latest_published(framework.id)
    if source is None:
        raise RuleError(f"{framework.name} has no published version to start from.")
    number = (
        db.session.scalar(
            select(func.max(FrameworkVersion.number)).where(
                FrameworkVersion.framework_id == framework.id
            )
        )
        or 0
    ) + 1
    draft = FrameworkVersion(
        framework_id=framework.id,
        number=number,
        status=VersionStatus.DRAFT,
        based_on_id=source.id,
        created_by_id=actor.id,
    )
    _copy_content(source, draft)
    db.session.add(draft)
    db.session.flush()
    audit.record(
        "framework.draft_started",
        draft,
        summary=f"Started a draft of {draft.label}",
        changes={"based_on": source.label},
        actor=actor,
    )
    return draft


KEEP = "keep"


@dataclass
class GateData:
    name: str
    falls_at: str
    description: str
    roles: dict[str, list[str]]  # level -> roles
    # A CaseVersion, or None (no business case version due); KEEP leaves it as it is, so a
    # caller that does not know of the setting does not clear it.
    case_due: str | None = KEEP
    case_due_small: str | None = KEEP


def _check_gate(version: FrameworkVersion, data: GateData, gate: GateTemplate | None) -> None:
    if not data.name.strip():
        raise RuleError("Enter the gate's name", "name")
    if len(data.name.strip()) > 200:
        raise RuleError("The gate's name must be 200 characters or fewer", "name")
    if data.falls_at not in set(FallsAt):
        raise RuleError("Choose when the gate falls", "falls_at")
    for name in ("case_due", "case_due_small"):
        if getattr(data, name) not in (None, KEEP, "", *CaseVersion):
            raise RuleError("Choose a business case version, or none", name)
    candidate = rules.GateTemplate(
        key=gate.key if gate else "new",
        name=data.name.strip(),
        falls_at=FallsAt(data.falls_at),
        roles={SizeTier(level): tuple(roles) for level, roles in data.roles.items()},
    )
    problem = rules.gate_problem(candidate)
    if problem:
        raise RuleError(problem, "roles_small")
    for other in version.gates:
        if other is not gate and other.name.strip().lower() == data.name.strip().lower():
            raise RuleError(f"This framework already has a gate called {other.name!r}", "name")


def _set_roles(gate: GateTemplate, roles: dict[str, list[str]]) -> None:
    """Keep the rows that stay and add or drop the others: replacing them all would insert
    the new rows before the old ones are deleted, against the UNIQUE constraint."""
    wanted = {
        (level.value, role)
        for level in rules.LEVELS
        for role in BOARD_ROLES
        if role in set(roles.get(level, ()))
    }
    for row in list(gate.roles):
        if (row.level, row.role) not in wanted:
            gate.roles.remove(row)
    held = {(row.level, row.role) for row in gate.roles}
    for level, role in sorted(wanted - held):
        gate.roles.append(GateTemplateRole(level=level, role=role))


def _gate_snapshot(gate: GateTemplate) -> dict[str, Any]:
    return {
        "name": gate.name,
        "falls_at": gate.falls_at,
        "business_case_due": gate.business_case_due,
        "business_case_due_small": gate.business_case_due_small,
        "roles": {
            level.value: [r.role for r in gate.roles if r.level == level] for level in rules.LEVELS
        },
    }


def _key_for(version: FrameworkVersion, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32] or "gate"
    taken = {gate.key for gate in version.gates}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def add_gate(
    version: FrameworkVersion, data: GateData, *, stamp: int | None, actor: User
) -> GateTemplate:
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    _check_gate(version, data, None)
    gate = GateTemplate(
        key=_key_for(version, data.name),
        position=max((g_.position for g_ in version.gates), default=0) + 1,
        name=data.name.strip(),
        falls_at=data.falls_at,
        description=(data.description or "").strip(),
        business_case_due=None if data.case_due == KEEP else (data.case_due or None),
        business_case_due_small=(
            None if data.case_due_small == KEEP else (data.case_due_small or None)
        ),
    )
    _set_roles(gate, data.roles)
    version.gates.append(gate)
    _touch(framework)
    db.session.flush()
    audit.record(
        "framework.gate_added",
        gate,
        summary=f"Added gate {gate.name} to the draft of {version.label}",
        changes=_gate_snapshot(gate),
        actor=actor,
    )
    return gate


def update_gate(
    gate: GateTemplate, data: GateData, *, stamp: int | None, actor: User
) -> GateTemplate:
    version = gate.framework_version
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    _check_gate(version, data, gate)
    before = _gate_snapshot(gate)
    gate.name = data.name.strip()
    gate.falls_at = data.falls_at
    gate.description = (data.description or "").strip()
    if data.case_due != KEEP:
        gate.business_case_due = data.case_due or None
    if data.case_due_small != KEEP:
        gate.business_case_due_small = data.case_due_small or None
    _set_roles(gate, data.roles)
    _touch(framework)
    db.session.flush()
    after = _gate_snapshot(gate)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            "framework.gate_changed",
            gate,
            summary=f"Changed gate {gate.name} in the draft of {version.label}",
            changes=changed,
            actor=actor,
        )
    return gate


def add_item(
    gate: GateTemplate,
    *,
    text: str,
    kind: str,
    evidence_required: bool,
    stamp: int | None,
    actor: User,
) -> GateTemplateItem:
    version = gate.framework_version
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    text = (text or "").strip()
    if not text:
        raise RuleError("Enter what the manager confirms", "text")
    if len(text) > 300:
        raise RuleError("The item must be 300 characters or fewer", "text")
    if kind not in set(ItemKind):
        raise RuleError("Choose a checklist item or a required document", "kind")
    if any(i.text.lower() == text.lower() for i in gate.items):
        raise RuleError(f"{gate.name} already lists {text!r}", "text")
    item = GateTemplateItem(
        position=max((i.position for i in gate.items), default=0) + 1,
        kind=kind,
        text=text,
        evidence_required=bool(evidence_required),
    )
    gate.items.append(item)
    _touch(framework)
    db.session.flush()
    audit.record(
        "framework.item_added",
        item,
        summary=f"Added {rules.ITEM_KIND_LABELS[ItemKind(kind)].lower()} {text!r} to {gate.name}",
        changes={"gate": gate.name, "text": text, "kind": kind, "evidence": item.evidence_required},
        actor=actor,
    )
    return item


def remove_item(item: GateTemplateItem, gate: GateTemplate, *, stamp: int | None, actor: User):
    version = gate.framework_version
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    gate.items.remove(item)
    _touch(framework)
    db.session.flush()
    audit.record(
        "framework.item_removed",
        gate,
        summary=f"Removed {item.text!r} from {gate.name}",
        changes={"gate": gate.name, "text": item.text},
        actor=actor,
    )


@dataclass
class TailoringData:
    rows: dict[str, tuple[str, int, int]]  # level -> (gates, highlight months, checkpoint months)


def update_tailoring(
    version: FrameworkVersion, data: TailoringData, *, stamp: int | None, actor: User
) -> None:
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    rows = {row.level: row for row in version.tailoring}
    changed = {}
    for level in rules.LEVELS:
        gates, highlight, checkpoint = data.rows[level]
        if gates not in set(GateBoundaries):
            raise RuleError("Choose which boundaries have gates", f"gates_{level}")
        for value, field in ((highlight, "highlight"), (checkpoint, "checkpoint")):
            if not isinstance(value, int) or not 1 <= value <= 12:
                raise RuleError("Enter a number of months from 1 to 12", f"{field}_{level}")
        row = rows.get(level) or TailoringRow(level=level)
        before = (row.gates, row.highlight_every_months, row.budget_checkpoint_every_months)
        row.gates, row.highlight_every_months = gates, highlight
        row.budget_checkpoint_every_months = checkpoint
        if level not in rows:
            version.tailoring.append(row)
        if before != (gates, highlight, checkpoint):
            changed[level.value] = [list(before), [gates, highlight, checkpoint]]
    if changed:
        _touch(framework)
        db.session.flush()
        audit.record(
            "framework.tailoring_changed",
            version,
            summary=f"Changed the tailoring of the draft of {version.label}",
            changes=changed,
            actor=actor,
        )


def publish(version: FrameworkVersion, *, stamp: int | None, actor: User) -> list[str]:
    """Publish a draft: check it, record what changed since the version it was based on,
    and make it the framework's newest version. Returns the lines of change."""
    framework = _lock(GovernanceFramework, version.framework_id)
    check_version(framework, stamp)
    _require_draft(version)
    content = content_of(version)
    problems = rules.framework_problems(content)
    if problems:
        raise RuleError(" ".join(problems))
    previous = latest_published(framework.id)
    base = previous
    if base is None and version.based_on_id is not None:
        base = db.session.get(FrameworkVersion, version.based_on_id)
    lines = rules.changes(content_of(base) if base is not None else None, content)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    version.published_by_id = actor.id
    version.change_summary = "\n".join(lines)
    _touch(framework)
    db.session.flush()
    audit.record(
        "framework.published",
        version,
        summary=f"Published {version.label}",
        changes={"what_changed": lines, "compared_with": base.label if base else None},
        actor=actor,
    )
    return lines


def set_default(framework: GovernanceFramework, *, actor: User) -> None:
    """New projects start on this framework's newest published version."""
    if latest_published(framework.id) is None:
        raise RuleError(f"{framework.name} has no published version yet: publish it first.")
    for other in db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.is_default.is_(True))
    ):
        other.is_default = False
    framework.is_default = True
    db.session.flush()
    audit.record(
        "framework.made_default",
        framework,
        summary=f"New projects now start on {framework.name}",
        actor=actor,
    )


# --------------------------------------------------------------------------------------
# Projects and their framework
# --------------------------------------------------------------------------------------


def assign_default(project: Project, *, actor: User | None) -> ProjectFramework | None:
    """A new project starts on the default framework's newest published version."""
    framework = default_framework()
    version = latest_published(framework.id) if framework else None
    if version is None:
        return None
    link = ProjectFramework(
        project_id=project.id,
        framework_version_id=version.id,
        assigned_by_id=actor.id if actor is not None else None,
    )
    db.session.add(link)
    db.session.flush()
    forget(project.id)
    audit.record(
        "project.framework_set",
        link,
        object_type="projects",
        object_id=project.id,
        project_id=project.id,
        summary=f"Governed by {version.label}",
        changes={"framework_version": [None, version.label]},
        actor=actor,
    )
    return link


def move_project(
    project: Project, version: FrameworkVersion, *, reason: str, actor: User
) -> ProjectFramework:
    """Move a project to another published version at a boundary: while no gate is
    waiting for a decision (the stages domain says so through ``framework_move_blockers``)."""
    if project.status in ("closed", "closed_early"):
        raise RuleError("The project is closed: its framework no longer changes.")
    if not version.is_published:
        raise RuleError("A project follows a published version, not a draft.", "version_id")
    if not (reason or "").strip():
        raise RuleError("Say why the project moves to this framework", "reason")
    # Serialised with gate requests on this project (they lock it too), so a gate cannot be
    # requested under the old version while the project moves to the new one.
    _lock(Project, project.id)
    blockers = [b for b in events.send(events.framework_move_blockers, project) if b]
    if blockers:
        raise RuleError(f"The project is not at a boundary: {blockers[0]}")
    link = db.session.get(ProjectFramework, project.id)
    before = link.framework_version.label if link else None
    if link is not None and link.framework_version_id == version.id:
        raise RuleError(f"The project already follows {version.label}.", "version_id")
    if link is None:
        link = ProjectFramework(project_id=project.id, framework_version_id=version.id)
        db.session.add(link)
    link.framework_version_id = version.id
    link.since_at = utcnow()
    link.assigned_by_id = actor.id
    db.session.flush()
    forget(project.id)
    audit.record(
        "project.framework_moved",
        link,
        object_type="projects",
        object_id=project.id,
        project_id=project.id,
        summary=f"Moved to {version.label}: {reason.strip()}",
        changes={"framework_version": [before, version.label], "reason": reason.strip()},
        actor=actor,
    )
    return link


def confirm_item(
    project: Project, item: GateTemplateItem, *, evidence: str | None, actor: User
) -> ChecklistConfirmation:
    """The manager confirms a checklist item (or that a required document is attached,
    by its reference) of a gate in the version the project follows."""
    governance = governance_of(project)
    gate = db.session.get(GateTemplate, item.gate_template_id)
    if governance is None or gate is None or gate.framework_version_id != governance.version_id:
        raise RuleError("This item is not part of the framework the project follows.", "item")
    problem = rules.confirmation_problem(
        rules.Item(item.text, ItemKind(item.kind), item.evidence_required), evidence
    )
    if problem:
        raise RuleError(problem, "evidence")
    evidence = (evidence or "").strip() or None
    if evidence is not None and len(evidence) > 500:
        raise RuleError("Evidence must be 500 characters or fewer", "evidence")
    existing = db.session.scalars(
        select(ChecklistConfirmation).where(
            ChecklistConfirmation.project_id == project.id,
            ChecklistConfirmation.gate_template_item_id == item.id,
        )
    ).first()
    if existing is not None:
        raise RuleError(f"{item.text!r} is already confirmed.")
    confirmation = ChecklistConfirmation(
        project_id=project.id,
        gate_template_item_id=item.id,
        evidence=evidence,
        confirmed_by_id=actor.id,
    )
    db.session.add(confirmation)
    db.session.flush()
    audit.record(
        "gate.checklist_confirmed",
        confirmation,
        project_id=project.id,
        summary=f"{gate.name}: confirmed {item.text!r}",
        changes={"gate": gate.name, "item": item.text, "evidence": evidence},
        actor=actor,
    )
    return confirmation
