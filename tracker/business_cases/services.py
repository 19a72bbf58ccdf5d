"""Operations on a project's business case: the manager starts a version (a copy of the
last), edits its sections and figures while it is a draft; a gate request freezes it; the
board records whether the case is still justified at that gate, and a case that is not
puts the stage under way in exception.

Every change writes an audit entry; every edit of a version checks its version number, so
two people editing one draft meet a stale-edit refusal rather than overwriting each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.business_cases import rules
from tracker.business_cases.access import judgement_refusal
from tracker.business_cases.models import (
    BusinessCaseVersion,
    CaseFlow,
    CaseFunding,
    CaseOption,
)
from tracker.business_cases.rules import (
    CASE_VERSION_SHORT,
    SECTION_LABELS,
    CaseError,
    CaseStatus,
    CaseVersion,
    Section,
)
from tracker.core.dates import LONDON
from tracker.core.errors import RuleError, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks.rules import case_due
from tracker.projects.models import Project
from tracker.stages import rules as stage_rules
from tracker.stages import services as stages
from tracker.stages.models import GateReview, Stage

# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _with_figures(query):
    return query.options(
        selectinload(BusinessCaseVersion.options).selectinload(CaseOption.flows),
        selectinload(BusinessCaseVersion.funding),
    )


def _joined_figures(query):
    """The versions and their figures in one query (a handful of rows each): for the gate
    pages, which already ask many questions."""
    return query.options(
        joinedload(BusinessCaseVersion.options).joinedload(CaseOption.flows),
        joinedload(BusinessCaseVersion.funding),
    )


def versions_of(project_id: int, *, figures: bool = True) -> list[BusinessCaseVersion]:
    """Every version of the project's case, oldest first."""
    query = (
        select(BusinessCaseVersion)
        .where(BusinessCaseVersion.project_id == project_id)
        .order_by(BusinessCaseVersion.number)
    )
    return list(db.session.scalars(_with_figures(query) if figures else query))


def version_numbered(project_id: int, number: int) -> BusinessCaseVersion | None:
    return db.session.scalars(
        _with_figures(
            select(BusinessCaseVersion).where(
                BusinessCaseVersion.project_id == project_id,
                BusinessCaseVersion.number == number,
            )
        )
    ).one_or_none()


def label(version: BusinessCaseVersion) -> str:
    return f"Version {version.number} ({CASE_VERSION_SHORT[CaseVersion(version.kind)]})"


def sections_of(version: BusinessCaseVersion) -> dict[str, str]:
    return {section: getattr(version, section.value) or "" for section in Section}


def figures_of(version: BusinessCaseVersion) -> rules.Figures:
    """A version's figures as the pure rules see them."""
    return rules.Figures(
        options=tuple(
            rules.Option(
                o.number,
                o.name,
                o.description,
                tuple(rules.YearFlow(f.year, f.cost, f.benefit) for f in o.flows),
            )
            for o in version.options
        ),
        preferred=version.preferred_option,
        funding=tuple(
            rules.Funding(rules.FundingSource(f.source), f.amount, f.confirmed)
            for f in version.funding
        ),
        discount_rate=Decimal(version.discount_rate),
    )


def _lock(version_id: int) -> BusinessCaseVersion:
    return db.session.scalars(
        select(BusinessCaseVersion)
        .where(BusinessCaseVersion.id == version_id)
        .with_for_update(of=BusinessCaseVersion)
        .execution_options(populate_existing=True)
    ).one()


def _day(moment) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def frozen_message(version: BusinessCaseVersion) -> str:
    gate = db.session.get(GateReview, version.gate_review_id) if version.gate_review_id else None
    why = f" when {stages.gate_title(gate)} was requested" if gate is not None else ""
    return (
        f"{label(version)} was frozen on {_day(version.frozen_at)}{why}, so it cannot be "
        "changed: start a new version, which begins as a copy of it."
    )


def _require_draft(version: BusinessCaseVersion, stamp: int | None) -> BusinessCaseVersion:
    """Lock the version, refuse a frozen one and a stale edit (in that order: a version
    frozen since the page was opened says so, rather than "changed by someone else")."""
    locked = _lock(version.id)
    if locked.status != CaseStatus.DRAFT:
        raise RuleError(frozen_message(locked))
    check_version(locked, stamp)
    return locked


def _touch(version: BusinessCaseVersion) -> None:
    """Move the version number even when only child rows changed, so a stale edit of the
    options or the funding is caught like one of the sections."""
    flag_modified(version, "discount_rate")


# --------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------


def start_version(project: Project, *, kind: str, actor: User) -> BusinessCaseVersion:
    """A new draft: the first one empty, later ones a copy of the last version."""
    if kind not in set(CaseVersion):
        raise RuleError("Choose which version this is: SOC, OBC, FBC or BJC", "kind")
    db.session.scalars(
        select(Project).where(Project.id == project.id).with_for_update(of=Project)
    ).one()
    existing = versions_of(project.id)
    draft = next((v for v in existing if v.status == CaseStatus.DRAFT), None)
    if draft is not None:
        raise RuleError(
            f"{label(draft)} is still a draft: change it, or request its gate to freeze it. A "
            "new version starts once the last one is frozen.",
            "kind",
        )
    last = existing[-1] if existing else None
    version = BusinessCaseVersion(
        project_id=project.id,
        number=(last.number + 1) if last else 1,
        kind=kind,
        status=CaseStatus.DRAFT,
        based_on_id=last.id if last else None,
        created_by_id=actor.id,
        created_at=utcnow(),
        discount_rate=last.discount_rate if last else rules.DEFAULT_DISCOUNT_RATE,
        preferred_option=last.preferred_option if last else None,
    )
    if last is not None:
        for section in Section:
            setattr(version, section.value, getattr(last, section.value))
        for option in last.options:
            version.options.append(
                CaseOption(
                    number=option.number,
                    name=option.name,
                    description=option.description,
                    flows=[
                        CaseFlow(year=f.year, cost=f.cost, benefit=f.benefit) for f in option.flows
                    ],
                )
            )
        for row in last.funding:
            version.funding.append(
                CaseFunding(source=row.source, amount=row.amount, confirmed=row.confirmed)
            )
    db.session.add(version)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RuleError("Another version was started at the same time: reload the page.") from None
    audit.record(
        "business_case.started",
        version,
        project_id=project.id,
        summary=f"Started {label(version)} of the business case"
        + (f", a copy of {label(last)}" if last else ""),
        changes={"kind": kind, "number": version.number, "copy_of": last.number if last else None},
        actor=actor,
    )
    return version


def update_section(
    version: BusinessCaseVersion, section: str, text: str, *, stamp: int | None, actor: User
) -> BusinessCaseVersion:
    if section not in set(Section):
        raise RuleError("There is no such section of a business case.")
    version = _require_draft(version, stamp)
    text = (text or "").strip()
    if len(text) > 50_000:
        raise RuleError("A section must be 50,000 characters or fewer", "text")
    before = getattr(version, section)
    if before == text:
        return version
    setattr(version, section, text)
    db.session.flush()
    audit.record(
        "business_case.section_changed",
        version,
        project_id=version.project_id,
        summary=f"Changed the {SECTION_LABELS[Section(section)].lower()} of {label(version)}",
        changes={"section": section, "length": [len(before), len(text)]},
        actor=actor,
    )
    return version


@dataclass
class OptionData:
    name: str
    description: str
    flows: str  # lines of "year, cost, benefit"
    is_preferred: bool = False


def _rule(error: CaseError) -> RuleError:
    return RuleError(str(error), error.field)


def save_option(
    version: BusinessCaseVersion,
    data: OptionData,
    *,
    number: int | None,
    stamp: int | None,
    actor: User,
) -> CaseOption:
    """Add an option (``number`` None) or change one: its name, what it is, its costs and
    benefits year by year, and whether it is the preferred option."""
    version = _require_draft(version, stamp)
    name = (data.name or "").strip()
    if not name:
        raise RuleError("Enter the option's name", "name")
    if len(name) > 200:
        raise RuleError("The option's name must be 200 characters or fewer", "name")
    try:
        flows = rules.parse_flows(data.flows)
    except CaseError as error:
        raise _rule(error) from None
    options = {o.number: o for o in version.options}
    if any(o.name.strip().lower() == name.lower() and n != number for n, o in options.items()):
        raise RuleError(f"This version already has an option called {name!r}", "name")
    if number is None:
        option = CaseOption(number=max(options, default=0) + 1, name=name)
        version.options.append(option)
        before = None
    else:
        option = options.get(number)
        if option is None:
            raise RuleError(f"{label(version)} has no option {number}.")
        before = rules.appraise(figures_of(version).options[list(options).index(number)])
    option.name = name
    option.description = (data.description or "").strip()
    existing = {f.year: f for f in option.flows}
    wanted = {f.year: f for f in flows}
    for year, row in list(existing.items()):
        if year not in wanted:
            option.flows.remove(row)
    for year, flow in wanted.items():
        row = existing.get(year)
        if row is None:
            option.flows.append(CaseFlow(year=year, cost=flow.cost, benefit=flow.benefit))
        else:
            row.cost, row.benefit = flow.cost, flow.benefit
    preferred_before = version.preferred_option
    if data.is_preferred:
        version.preferred_option = option.number
    elif version.preferred_option == option.number:
        version.preferred_option = None
    _touch(version)
    db.session.flush()
    after = rules.appraise(
        rules.Option(option.number, name, option.description, flows), Decimal(version.discount_rate)
    )
    audit.record(
        "business_case.option_saved",
        version,
        project_id=version.project_id,
        summary=f"{'Added' if before is None else 'Changed'} option {option.number}, {name}, "
        f"of {label(version)}",
        changes={
            "option": option.number,
            "total_cost": [str(before.total_cost) if before else None, str(after.total_cost)],
            "total_benefit": [
                str(before.total_benefit) if before else None,
                str(after.total_benefit),
            ],
            "npv": [str(before.npv) if before else None, str(after.npv)],
            "preferred_option": [preferred_before, version.preferred_option],
        },
        actor=actor,
    )
    return option


def remove_option(
    version: BusinessCaseVersion, number: int, *, stamp: int | None, actor: User
) -> None:
    version = _require_draft(version, stamp)
    option = next((o for o in version.options if o.number == number), None)
    if option is None:
        raise RuleError(f"{label(version)} has no option {number}.")
    version.options.remove(option)
    if version.preferred_option == number:
        version.preferred_option = None
    _touch(version)
    db.session.flush()
    audit.record(
        "business_case.option_removed",
        version,
        project_id=version.project_id,
        summary=f"Removed option {number}, {option.name}, from {label(version)}",
        changes={"option": number},
        actor=actor,
    )


def save_funding(
    version: BusinessCaseVersion,
    *,
    funding: str,
    discount_rate: str,
    stamp: int | None,
    actor: User,
) -> BusinessCaseVersion:
    """The funding sources (lines of ``source, amount, confirmed``) and the discount rate."""
    version = _require_draft(version, stamp)
    try:
        rows = rules.parse_funding(funding)
        rate = rules.parse_rate(discount_rate)
    except CaseError as error:
        raise _rule(error) from None
    before = rules.funding_text(figures_of(version).funding)
    rate_before = Decimal(version.discount_rate)
    existing = {f.source: f for f in version.funding}
    wanted = {f.source.value: f for f in rows}
    for source, row in list(existing.items()):
        if source not in wanted:
            version.funding.remove(row)
    for source, row in wanted.items():
        if source in existing:
            existing[source].amount, existing[source].confirmed = row.amount, row.confirmed
        else:
            version.funding.append(
                CaseFunding(source=source, amount=row.amount, confirmed=row.confirmed)
            )
    version.discount_rate = rate
    _touch(version)
    db.session.flush()
    audit.record(
        "business_case.funding_saved",
        version,
        project_id=version.project_id,
        summary=f"Changed the funding of {label(version)}",
        changes={
            "funding": [before, rules.funding_text(rows)],
            "discount_rate": [str(rate_before), str(rate)],
        },
        actor=actor,
    )
    return version


# --------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------


def due_at(project: Project, gate: GateReview) -> CaseVersion | None:
    """The version the project's framework asks for at ``gate`` (None: no version due).

    A gate past the start that authorises no stage is the closing gate; the others are
    the start gate or the ``boundary``-th stage boundary (``stages.gate_template``'s rule,
    without counting the stages again)."""
    if gate.boundary == 0:
        stage_count = 1
    elif gate.authorises_stage_id is None:
        stage_count = gate.boundary
    else:
        stage_count = gate.boundary + 1
    template = stages.gate_template(project, gate.boundary, stage_count)
    if template is None:
        return None
    return case_due(template.template, stages.project_tier(project), project.criticality)


def versions_for_gate(gate: GateReview) -> list[BusinessCaseVersion]:
    """The versions a gate's page needs, with their figures, in one query: those frozen
    up to the gate's request (the one before the board and the one before it)."""
    query = (
        select(BusinessCaseVersion)
        .where(
            BusinessCaseVersion.project_id == gate.project_id,
            BusinessCaseVersion.frozen_at.is_not(None),
        )
        .order_by(BusinessCaseVersion.number)
    )
    return list(db.session.scalars(_joined_figures(query)).unique())


def version_at_gate(gate: GateReview, versions=None) -> BusinessCaseVersion | None:
    """The version the board decided ``gate`` on: the one frozen for it, or else the last
    frozen before the gate was requested."""
    versions = versions if versions is not None else versions_of(gate.project_id)
    frozen_for = [v for v in versions if v.gate_review_id == gate.id]
    if frozen_for:
        return frozen_for[-1]
    earlier = [v for v in versions if v.frozen_at is not None and v.frozen_at <= gate.requested_at]
    return earlier[-1] if earlier else None


def freeze_for_gate(gate: GateReview, *, actor: User | None) -> BusinessCaseVersion | None:
    """Freeze the project's draft for the gate just requested, with the manager's answer to
    "still justified?". A draft that cannot stand at a gate (an FBC with no preferred
    option) refuses the request, with what to fix. No draft: nothing to freeze."""
    draft = db.session.scalars(
        _with_figures(
            select(BusinessCaseVersion).where(
                BusinessCaseVersion.project_id == gate.project_id,
                BusinessCaseVersion.status == CaseStatus.DRAFT,
            )
        ).with_for_update(of=BusinessCaseVersion)
    ).one_or_none()
    if draft is None:
        return None
    kind = CaseVersion(draft.kind)
    problems = rules.freeze_problems(kind, sections_of(draft), figures_of(draft))
    if problems:
        raise RuleError(
            f"The gate cannot be requested while the business case's {label(draft)} is "
            f"incomplete: {' '.join(problems)} Complete it on the business case page, then "
            "request the gate again."
        )
    draft.status = CaseStatus.FROZEN
    draft.frozen_at = utcnow()
    draft.frozen_by_id = actor.id if actor is not None else None
    draft.gate_review_id = gate.id
    draft.manager_justified = gate.business_case_justified
    db.session.flush()
    due = due_at(gate.project, gate)
    audit.record(
        "business_case.frozen",
        draft,
        project_id=gate.project_id,
        summary=f"Froze {label(draft)} of the business case for {stages.gate_title(gate)}",
        changes={
            "gate_id": gate.id,
            "due": due.value if due else None,
            "is_due_version": due is None or due == kind,
            "manager_justified": gate.business_case_justified,
        },
        actor=actor,
    )
    return draft


def judge(
    version: BusinessCaseVersion,
    *,
    justified: bool,
    note: str,
    stamp: int | None,
    actor: User,
) -> Stage | None:
    """Record the board's judgement: still justified, or not. Not justified puts the stage
    under way in exception (the tolerance check's own path): the manager raises an
    exception report and the board decides what happens. Returns that stage, if any."""
    db.session.scalars(
        select(Project).where(Project.id == version.project_id).with_for_update(of=Project)
    ).one()
    version = _lock(version.id)
    check_version(version, stamp)
    gate = db.session.get(GateReview, version.gate_review_id) if version.gate_review_id else None
    refusal = judgement_refusal(actor, version, gate)
    if refusal:
        raise RuleError(refusal)
    note = (note or "").strip()
    if not justified and not note:
        raise RuleError("Say why the business case is no longer justified", "note")
    version.board_justified = justified
    version.judgement_note = note or None
    version.judged_at = utcnow()
    version.judged_by_id = actor.id
    db.session.flush()
    audit.record(
        "business_case.judged",
        version,
        project_id=version.project_id,
        summary=f"The board found {label(version)} "
        + ("still justified" if justified else "no longer justified"),
        changes={"justified": justified, "note": note, "gate_id": gate.id},
        actor=actor,
    )
    if justified:
        return None
    stage = stages.current_stage(gate.project)
    if stage is None or stage.status != stage_rules.StageStatus.ACTIVE:
        return None
    before = stage.status
    stage.status = stage_rules.check_transition(
        stage_rules.StageStatus(stage.status), stage_rules.StageStatus.IN_EXCEPTION
    ).value
    db.session.flush()
    audit.record(
        "stage.business_case_exception",
        stage,
        project_id=stage.project_id,
        summary=f"{stage.label} is in exception: the board found the business case no longer "
        "justified",
        changes={"status": [before, stage.status], "business_case_version": version.number},
        actor=actor,
    )
    return stage


def counts(project_id: int) -> tuple[int, int]:
    """(versions, frozen versions) of a project's case."""
    row = db.session.execute(
        select(
            func.count(BusinessCaseVersion.id),
            func.count(BusinessCaseVersion.frozen_at),
        ).where(BusinessCaseVersion.project_id == project_id)
    ).one()
    return row[0], row[1]


# --------------------------------------------------------------------------------------
# The API's whole-draft write
# --------------------------------------------------------------------------------------


@dataclass
class DraftData:
    """What the API writes to the draft, each part optional (None: left as it is)."""

    sections: dict[str, str] | None = None
    options: list[rules.Option] | None = None
    preferred_option: int | None = None
    set_preferred: bool = False
    funding: list[rules.Funding] | None = None
    discount_rate: Decimal | None = None


def draft_of(project_id: int) -> BusinessCaseVersion | None:
    return db.session.scalars(
        _with_figures(
            select(BusinessCaseVersion).where(
                BusinessCaseVersion.project_id == project_id,
                BusinessCaseVersion.status == CaseStatus.DRAFT,
            )
        )
    ).one_or_none()


def save_draft(
    version: BusinessCaseVersion, data: DraftData, *, stamp: int | None, actor: User
) -> BusinessCaseVersion:
    """Write the parts of the draft given, checked as the pages check them: years 0 to 60
    given once per option, amounts not negative, the preferred option one of the options."""
    version = _require_draft(version, stamp)
    changed: dict[str, object] = {}
    if data.sections is not None:
        for name, text in data.sections.items():
            if name not in set(Section):
                raise RuleError(f"{name!r} is not a section of a business case", "sections")
            text = (text or "").strip()
            if getattr(version, name) != text:
                changed[name] = [len(getattr(version, name)), len(text)]
                setattr(version, name, text)
    if data.discount_rate is not None:
        if not Decimal(0) <= data.discount_rate <= Decimal("0.2"):
            raise RuleError("The discount rate is a fraction from 0 to 0.2", "discount_rate")
        changed["discount_rate"] = [str(version.discount_rate), str(data.discount_rate)]
        version.discount_rate = data.discount_rate
    if data.options is not None:
        names = set()
        for option in data.options:
            if not option.name.strip():
                raise RuleError("Every option needs a name", "options")
            if option.name.strip().lower() in names:
                raise RuleError(f"Two options are called {option.name!r}", "options")
            names.add(option.name.strip().lower())
            years = [f.year for f in option.flows]
            if any(y < 0 for y in years):
                raise RuleError(
                    f"{option.name}: a year is negative. Year 0 is now; later years count up "
                    "from it.",
                    "options",
                )
            if any(y > rules.MAX_YEARS for y in years) or len(set(years)) != len(years):
                raise RuleError(
                    f"{option.name}: each year from 0 to {rules.MAX_YEARS} at most once",
                    "options",
                )
            if any(f.cost < 0 or f.benefit < 0 for f in option.flows):
                raise RuleError(f"{option.name}: costs and benefits cannot be negative", "options")
        version.options.clear()
        db.session.flush()
        for number, option in enumerate(data.options, start=1):
            version.options.append(
                CaseOption(
                    number=number,
                    name=option.name.strip(),
                    description=option.description.strip(),
                    flows=[
                        CaseFlow(year=f.year, cost=f.cost, benefit=f.benefit) for f in option.flows
                    ],
                )
            )
        changed["options"] = len(data.options)
    if data.set_preferred:
        version.preferred_option = data.preferred_option
        changed["preferred_option"] = data.preferred_option
    if version.preferred_option is not None and version.preferred_option not in {
        o.number for o in version.options
    }:
        raise RuleError(
            f"The preferred option {version.preferred_option} is not one of the options",
            "preferred_option",
        )
    if data.funding is not None:
        sources = [f.source for f in data.funding]
        if len(set(sources)) != len(sources):
            raise RuleError("Each funding source at most once", "funding")
        if any(f.amount < 0 for f in data.funding):
            raise RuleError("Funding cannot be negative", "funding")
        version.funding.clear()
        db.session.flush()
        for row in data.funding:
            version.funding.append(
                CaseFunding(source=row.source.value, amount=row.amount, confirmed=row.confirmed)
            )
        changed["funding"] = rules.funding_text(data.funding)
    _touch(version)
    db.session.flush()
    audit.record(
        "business_case.saved",
        version,
        project_id=version.project_id,
        summary=f"Changed {label(version)} of the business case",
        changes=changed,
        actor=actor,
    )
    return version
