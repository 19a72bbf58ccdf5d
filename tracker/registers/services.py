"""Operations on the registers: raise and change risks and issues.

Each validates (the form has already, but the API and the demo call here too), changes
state, keeps the risk's history, writes the audit entry and flushes; the caller commits.
A save based on a version someone else has changed since is refused (``check_version``
and the mapper's version counter), so two people editing one risk never lose a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import services as audit
from tracker.audit.rules import diff
from tracker.auth.models import User
from tracker.core.errors import RuleError, StaleEdit, check_version
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.services import notify_all, path_for
from tracker.projects import governance
from tracker.projects.access import governance_level, team
from tracker.projects.models import Project, ProjectMembership
from tracker.registers import access, rules
from tracker.registers.models import (
    Assumption,
    Dependency,
    Escalation,
    Issue,
    Risk,
    RiskChange,
)
from tracker.registers.rules import (
    ISSUE_KINDS,
    ISSUE_STATUSES,
    PRIORITIES,
    PROXIMITIES,
    RESPONSES,
    RISK_CATEGORIES,
    RISK_KINDS,
    RISK_STATUSES,
    EscalationStatus,
    IssueKind,
    IssueStatus,
    RiskStatus,
)

NOT_ON_PROJECT = "Choose an owner from the people on this project"


def project_people(project: Project) -> list[User]:
    """People who may own or action an entry: anyone active on the project."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active_user,
                User.id.in_(
                    select(ProjectMembership.user_id).where(
                        ProjectMembership.project_id == project.id
                    )
                ),
            )
            .order_by(User.name)
        )
    )


def _person(project: Project, user_id: int | None, field: str, message: str) -> User | None:
    if user_id is None:
        return None
    if user_id not in {person.id for person in project_people(project)}:
        raise RuleError(message, field)
    return db.session.get(User, user_id)


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None


# --------------------------------------------------------------------------------------
# Risks
# --------------------------------------------------------------------------------------


@dataclass
class RiskData:
    title: str
    owner_id: int | None
    kind: str = rules.RiskKind.THREAT
    category: str = rules.RiskCategory.ORGANISATIONAL
    cause: str = ""
    event: str = ""
    effect: str = ""
    description: str = ""
    actionee_id: int | None = None
    likelihood: int | None = 3
    impact: int | None = 3
    proximity: str | None = None
    response: str | None = None
    target_likelihood: int | None = None
    target_impact: int | None = None
    review_on: date | None = None
    status: str = RiskStatus.OPEN


# What the history and the audit trail show, field by field, as people read it.
def snapshot(risk: Risk) -> dict[str, Any]:
    target = risk.target_score
    return {
        "Title": risk.title,
        "Type": RISK_KINDS.get(risk.kind, risk.kind),
        "Category": RISK_CATEGORIES.get(risk.category, risk.category),
        "Cause": risk.cause,
        "Event": risk.event,
        "Effect": risk.effect,
        "Description": risk.description,
        "Owner": risk.owner.name if risk.owner else None,
        "Actionee": risk.actionee.name if risk.actionee else None,
        "Likelihood": str(risk.likelihood),
        "Impact": str(risk.impact),
        "Score": str(risk.score),
        "Proximity": PROXIMITIES.get(risk.proximity) if risk.proximity else None,
        "Response": RESPONSES.get(risk.response) if risk.response else None,
        "Target score": str(target) if target is not None else None,
        "Review date": risk.review_on.isoformat() if risk.review_on else None,
        "Status": RISK_STATUSES.get(risk.status, risk.status),
    }


def _check_risk(data: RiskData) -> None:
    if not (data.title or "").strip():
        raise RuleError("Enter a title for the risk", "title")
    if data.kind not in RISK_KINDS:
        raise RuleError("Choose whether the risk is a threat or an opportunity", "kind")
    if data.category not in RISK_CATEGORIES:
        raise RuleError("Choose the risk's category from the list", "category")
    if data.status not in RISK_STATUSES:
        raise RuleError("Choose whether the risk is open or closed", "status")
    problems = rules.scale_problems(
        {
            "likelihood": data.likelihood,
            "impact": data.impact,
            "target_likelihood": data.target_likelihood,
            "target_impact": data.target_impact,
        }
    )
    if problems:
        raise RuleError(problems[0][1], problems[0][0])
    if (data.target_likelihood is None) != (data.target_impact is None):
        field = "target_impact" if data.target_impact is None else "target_likelihood"
        raise RuleError("Give both the target likelihood and the target impact, or neither", field)
    if data.proximity not in (None, "") and data.proximity not in PROXIMITIES:
        raise RuleError("Choose the risk's proximity from the list", "proximity")
    if data.response not in (None, "") and data.response not in RESPONSES:
        raise RuleError("Choose a response from the list", "response")
    problem = rules.response_problem(data.kind, data.response)
    if problem:
        raise RuleError(problem, "response")


def _apply(project: Project, risk: Risk, data: RiskData) -> None:
    owner = _person(project, data.owner_id, "owner_id", NOT_ON_PROJECT)
    if owner is None:
        raise RuleError(NOT_ON_PROJECT, "owner_id")
    actionee = _person(
        project,
        data.actionee_id,
        "actionee_id",
        "Choose an actionee from the people on this project, or nobody",
    )
    risk.title = data.title.strip()
    risk.kind = data.kind
    risk.category = data.category
    risk.cause = (data.cause or "").strip()
    risk.event = (data.event or "").strip()
    risk.effect = (data.effect or "").strip()
    risk.description = (data.description or "").strip()
    risk.owner = owner
    risk.actionee = actionee
    risk.likelihood = data.likelihood
    risk.impact = data.impact
    risk.proximity = data.proximity or None
    risk.response = data.response or None
    risk.target_likelihood = data.target_likelihood
    risk.target_impact = data.target_impact
    risk.review_on = data.review_on
    risk.status = data.status


def _keep_history(
    risk: Risk, before: dict[str, Any], after: dict[str, Any], actor: User | None
) -> list[tuple]:
    changed = rules.changes_between(before, after)
    at = utcnow()
    for field, old, new in changed:
        db.session.add(
            RiskChange(
                risk_id=risk.id,
                changed_at=at,
                changed_by_id=actor.id if actor is not None else None,
                field=field,
                from_value=old,
                to_value=new,
            )
        )
    return changed


def opened(risk: Risk, actor: User | None) -> None:
    """Start a risk's history and audit trail; for risks other domains open (a method
    decision against the recommendation) as well as those raised on the register."""
    db.session.flush()
    after = snapshot(risk)
    _keep_history(risk, {}, {k: v for k, v in after.items() if k in _OPENING}, actor)
    audit.record(
        "risk.created",
        risk,
        project_id=risk.project_id,
        actor=actor,
        summary=f"Opened risk: {risk.title}",
        changes=diff({}, after),
    )


# The fields whose first value the history shows: where the score started.
_OPENING = ("Likelihood", "Impact", "Score", "Status")


def create_risk(project: Project, data: RiskData, *, actor: User) -> Risk:
    _check_risk(data)
    risk = Risk(project=project, source="register", status=RiskStatus.OPEN)
    data.status = RiskStatus.OPEN
    _apply(project, risk, data)
    db.session.add(risk)
    db.session.flush()
    opened(risk, actor)
    escalate_if_needed(project, risk=risk, actor=actor)
    return risk


def update_risk(
    project: Project, risk: Risk, data: RiskData, *, version: int | None, actor: User
) -> Risk:
    if risk.project_id != project.id:
        raise RuleError("That risk is not on this project's register")
    check_version(risk, version)
    _check_risk(data)
    before = snapshot(risk)
    _apply(project, risk, data)
    after = snapshot(risk)
    if before == after:
        return risk
    _flush()
    changed = _keep_history(risk, before, after, actor)
    db.session.flush()
    audit.record(
        "risk.updated",
        risk,
        project_id=project.id,
        actor=actor,
        summary=f"Updated risk {risk.id}: {', '.join(field for field, _, _ in changed)}",
        changes={field: [old, new] for field, old, new in changed},
    )
    escalate_if_needed(project, risk=risk, actor=actor)
    return risk


# --------------------------------------------------------------------------------------
# Issues
# --------------------------------------------------------------------------------------


@dataclass
class IssueData:
    kind: str
    title: str
    owner_id: int | None
    priority: str
    severity: int | None
    description: str = ""
    status: str = IssueStatus.OPEN
    resolution: str = ""


def issue_snapshot(issue: Issue) -> dict[str, Any]:
    return {
        "Type": ISSUE_KINDS.get(issue.kind, issue.kind),
        "Title": issue.title,
        "Description": issue.description,
        "Priority": PRIORITIES.get(issue.priority, issue.priority),
        "Severity": str(issue.severity),
        "Owner": issue.owner.name if issue.owner else None,
        "Status": ISSUE_STATUSES.get(issue.status, issue.status),
        "Resolution": issue.resolution,
    }


def _check_issue(data: IssueData) -> None:
    if data.kind not in ISSUE_KINDS:
        raise RuleError("Choose the type of issue from the list", "kind")
    if not (data.title or "").strip():
        raise RuleError("Enter a title for the issue", "title")
    if data.priority not in PRIORITIES:
        raise RuleError("Choose the issue's priority from the list", "priority")
    if not rules.in_scale(data.severity):
        raise RuleError("Severity must be a whole number from 1 to 5", "severity")
    if data.status not in ISSUE_STATUSES:
        raise RuleError("Choose the issue's status from the list", "status")
    if data.status == IssueStatus.CLOSED and not (data.resolution or "").strip():
        raise RuleError("Say how the issue was resolved before closing it", "resolution")


def _apply_issue(project: Project, issue: Issue, data: IssueData) -> None:
    owner = _person(project, data.owner_id, "owner_id", NOT_ON_PROJECT)
    if owner is None:
        raise RuleError(NOT_ON_PROJECT, "owner_id")
    if issue.status != IssueStatus.CLOSED and data.status == IssueStatus.CLOSED:
        issue.closed_at = utcnow()
    elif data.status != IssueStatus.CLOSED:
        issue.closed_at = None
    issue.kind = data.kind
    issue.title = data.title.strip()
    issue.description = (data.description or "").strip()
    issue.priority = data.priority
    issue.severity = data.severity
    issue.owner = owner
    issue.status = data.status
    issue.resolution = (data.resolution or "").strip()


def create_issue(
    project: Project, data: IssueData, *, actor: User, from_risk: Risk | None = None
) -> Issue:
    """Raise an issue. ``from_risk``: the risk happened, so the issue is a problem linked
    to it and the risk is closed (its history says why)."""
    data.status = IssueStatus.OPEN
    data.resolution = ""
    if from_risk is not None:
        if from_risk.project_id != project.id:
            raise RuleError("That risk is not on this project's register")
        if not from_risk.is_open:
            raise RuleError("That risk is already closed; raise the issue on its own")
        data.kind = IssueKind.PROBLEM
    _check_issue(data)
    issue = Issue(project=project, raised_by=actor, status=IssueStatus.OPEN, risk=from_risk)
    _apply_issue(project, issue, data)
    db.session.add(issue)
    db.session.flush()
    audit.record(
        "issue.created",
        issue,
        project_id=project.id,
        actor=actor,
        summary=f"Raised issue: {issue.title}",
        changes=diff({}, issue_snapshot(issue)),
    )
    if from_risk is not None:
        before = snapshot(from_risk)
        from_risk.status = RiskStatus.CLOSED
        _flush()
        _keep_history(
            from_risk,
            before,
            {**snapshot(from_risk), "Happened": f"Raised as issue {issue.id}"},
            actor,
        )
        audit.record(
            "risk.happened",
            from_risk,
            project_id=project.id,
            actor=actor,
            summary=f"Risk {from_risk.id} happened: raised as issue {issue.id}",
            changes={"Status": [before["Status"], RISK_STATUSES[RiskStatus.CLOSED]]},
        )
    escalate_if_needed(project, issue=issue, actor=actor)
    return issue


def update_issue(
    project: Project, issue: Issue, data: IssueData, *, version: int | None, actor: User
) -> Issue:
    if issue.project_id != project.id:
        raise RuleError("That issue is not on this project's register")
    check_version(issue, version)
    _check_issue(data)
    before = issue_snapshot(issue)
    _apply_issue(project, issue, data)
    changes = diff(before, issue_snapshot(issue))
    if changes:
        _flush()
        audit.record(
            "issue.updated",
            issue,
            project_id=project.id,
            actor=actor,
            summary=f"Updated issue {issue.id}: {', '.join(changes)}",
            changes=changes,
        )
        escalate_if_needed(project, issue=issue, actor=actor)
    return issue


# --------------------------------------------------------------------------------------
# Escalation to the board
# --------------------------------------------------------------------------------------


def _awaiting(*, risk: Risk | None = None, issue: Issue | None = None) -> Escalation | None:
    column, entry = (Escalation.risk_id, risk) if risk is not None else (Escalation.issue_id, issue)
    return db.session.scalars(
        select(Escalation).where(column == entry.id, Escalation.status == EscalationStatus.AWAITING)
    ).first()


def escalate_if_needed(
    project: Project, *, risk: Risk | None = None, issue: Issue | None = None, actor: User | None
) -> Escalation | None:
    """Send an open entry to the board when it reaches the tailoring's threshold: a risk's
    score, an issue's severity. Once per crossing: an entry already waiting for the board is
    not escalated again; after the board's answer, it is escalated again if it rises anew.
    The board hears in its inbox (and by email), in the same transaction."""
    entry = risk if risk is not None else issue
    if entry is None or not entry.is_open:
        return None
    level = governance_level(project)
    threshold = governance.escalation_threshold(level)
    if risk is not None:
        reason = rules.escalation_reason(
            score=risk.score, threshold=threshold.risk_score, level=level
        )
    else:
        reason = rules.escalation_reason(
            severity=issue.severity, threshold=threshold.issue_severity, level=level
        )
    if reason is None or _awaiting(risk=risk, issue=issue) is not None:
        return None
    answered = db.session.scalars(
        select(Escalation)
        .where(
            Escalation.risk_id == risk.id if risk is not None else Escalation.issue_id == issue.id
        )
        .order_by(Escalation.id.desc())
        .limit(1)
    ).first()
    if answered is not None and answered.reason == reason:
        return None  # the board has answered this very level already
    escalation = Escalation(
        project_id=project.id,
        risk_id=risk.id if risk is not None else None,
        issue_id=issue.id if issue is not None else None,
        reason=reason,
        escalated_at=utcnow(),
        escalated_by_id=actor.id if actor is not None else None,
        status=EscalationStatus.AWAITING,
    )
    db.session.add(escalation)
    db.session.flush()
    noun = f"risk {risk.id}" if risk is not None else f"issue {issue.id}"
    audit.record(
        "escalation.raised",
        escalation,
        project_id=project.id,
        actor=actor,
        summary=f"Escalated {noun} to the board: {reason}"[:300],
        changes={"entry": noun, "title": entry.title, "reason": reason},
    )
    notify_all(
        team(project.id).holders(governance.BOARD_ROLES),
        "escalation",
        f"{project.code}: {noun} escalated to the board",
        f"{entry.title}\n\n{reason}. The board's answer is recorded on the escalation's page.",
        link=path_for(
            "registers.show_escalation", project_id=project.id, escalation_id=escalation.id
        ),
        project_id=project.id,
    )
    return escalation


def answer_escalation(
    project: Project, escalation: Escalation, response: str, *, version: int | None, actor: User
) -> Escalation:
    """Record the board's answer. A board member answers; whoever escalated it never does."""
    if escalation.project_id != project.id:
        raise RuleError("That escalation is not on this project")
    check_version(escalation, version)
    if not escalation.is_awaiting:
        raise RuleError("The board has already answered this escalation")
    refusal = access.answer_refusal(actor, escalation)
    if refusal:
        raise RuleError(refusal)
    text = (response or "").strip()
    if not text:
        raise RuleError("Enter the board's response", "response")
    escalation.status = EscalationStatus.ANSWERED
    escalation.response = text
    escalation.responded_by_id = actor.id
    escalation.responded_at = utcnow()
    _flush()
    audit.record(
        "escalation.answered",
        escalation,
        project_id=project.id,
        actor=actor,
        summary=f"The board answered escalation {escalation.id}",
        changes={"status": ["awaiting", "answered"], "response": text},
    )
    notify_all(
        team(project.id).holders([governance.PROJECT_MANAGER]),
        "escalation_answered",
        f"{project.code}: the board answered an escalation",
        f"{escalation.title}\n\nThe board's response ({actor.name}): {text}",
        link=path_for(
            "registers.show_escalation", project_id=project.id, escalation_id=escalation.id
        ),
        project_id=project.id,
    )
    return escalation


# --------------------------------------------------------------------------------------
# Assumptions and dependencies
# --------------------------------------------------------------------------------------


def create_assumption(
    project: Project,
    statement: str,
    owner_id: int | None,
    confirm_by: date | None,
    *,
    actor: User,
) -> Assumption:
    text = (statement or "").strip()
    if not text:
        raise RuleError("Enter the assumption", "statement")
    owner = _person(project, owner_id, "owner_id", NOT_ON_PROJECT)
    if owner is None:
        raise RuleError(NOT_ON_PROJECT, "owner_id")
    if confirm_by is None:
        raise RuleError("Enter the date by which it must be confirmed", "confirm_by")
    assumption = Assumption(
        project_id=project.id, statement=text[:300], owner=owner, confirm_by=confirm_by
    )
    db.session.add(assumption)
    db.session.flush()
    audit.record(
        "assumption.created",
        assumption,
        project_id=project.id,
        actor=actor,
        summary=f"Recorded an assumption: {text}"[:300],
        changes={"owner": owner.name, "confirm_by": confirm_by},
    )
    return assumption


def settle_assumption(
    project: Project, assumption: Assumption, status: str, *, version: int | None, actor: User
) -> Assumption:
    if assumption.project_id != project.id:
        raise RuleError("That assumption is not on this project")
    check_version(assumption, version)
    if status not in rules.ASSUMPTION_STATUSES:
        raise RuleError("Choose whether the assumption is confirmed or proved false", "status")
    before = assumption.status
    assumption.status = status
    _flush()
    audit.record(
        "assumption.updated",
        assumption,
        project_id=project.id,
        actor=actor,
        summary=f"Assumption {assumption.id}: {rules.ASSUMPTION_STATUSES[status].lower()}",
        changes={"status": [before, status]},
    )
    return assumption


def assumption_snapshot(assumption: Assumption) -> dict[str, Any]:
    """The assumption as its history tells it: labels and names, not codes and ids."""
    return {
        "Assumption": assumption.statement,
        "Owner": assumption.owner.name,
        "Confirm by": assumption.confirm_by,
        "Status": rules.ASSUMPTION_STATUSES.get(assumption.status, assumption.status),
    }


def update_assumption(
    project: Project,
    assumption: Assumption,
    statement: str,
    owner_id: int | None,
    confirm_by: date | None,
    status: str,
    *,
    version: int | None,
    actor: User,
) -> Assumption:
    """Change an assumption (its wording, owner, date or status); a stale page's save is
    refused; every change is audited from → to."""
    if assumption.project_id != project.id:
        raise RuleError("That assumption is not on this project")
    check_version(assumption, version)
    text = (statement or "").strip()
    if not text:
        raise RuleError("Enter the assumption", "statement")
    owner = _person(project, owner_id, "owner_id", NOT_ON_PROJECT)
    if owner is None:
        raise RuleError(NOT_ON_PROJECT, "owner_id")
    if confirm_by is None:
        raise RuleError("Enter the date by which it must be confirmed", "confirm_by")
    if status not in rules.ASSUMPTION_STATUSES:
        raise RuleError("Choose the assumption's status from the list", "status")
    before = assumption_snapshot(assumption)
    assumption.statement = text[:300]
    assumption.owner = owner
    assumption.confirm_by = confirm_by
    assumption.status = status
    changes = diff(before, assumption_snapshot(assumption))
    if not changes:
        return assumption
    _flush()
    audit.record(
        "assumption.updated",
        assumption,
        project_id=project.id,
        actor=actor,
        summary=f"Changed assumption {assumption.id}: {', '.join(changes)}"[:300],
        changes=changes,
    )
    return assumption


def _dependency_edges() -> list[tuple[int, int]]:
    return [
        (a, b)
        for a, b in db.session.execute(
            select(Dependency.project_id, Dependency.on_project_id).where(
                Dependency.on_project_id.is_not(None)
            )
        )
    ]


@dataclass
class DependencyData:
    kind: str
    what: str
    needed_by: date | None
    on_project_id: int | None = None
    external_party: str = ""
    on_project_code: str | None = None


def create_dependency(project: Project, data: DependencyData, *, actor: User) -> Dependency:
    """Record what the project needs from another project (which must not be itself, nor
    depend on this one already, directly or through others) or from an outside party."""
    what = (data.what or "").strip()
    if not what:
        raise RuleError("Say what the project needs", "what")
    if data.needed_by is None:
        raise RuleError("Enter the date it is needed by", "needed_by")
    if data.kind not in rules.DEPENDENCY_KINDS:
        raise RuleError("Choose another project or an outside party", "kind")
    on_project = None
    party = ""
    if data.kind == rules.DependencyKind.PROJECT:
        if data.on_project_id is None and data.on_project_code:
            data.on_project_id = db.session.scalar(
                select(Project.id).where(Project.code == data.on_project_code.strip().upper())
            )
            if data.on_project_id is None:
                raise RuleError(
                    f"No project has the code {data.on_project_code.strip()}", "on_project_id"
                )
        if data.on_project_id is None:
            raise RuleError("Enter the code of the project it depends on", "on_project_id")
        if data.on_project_id == project.id:
            raise RuleError("A project cannot depend on itself", "on_project_id")
        on_project = db.session.get(Project, data.on_project_id)
        if on_project is None:
            raise RuleError("Choose the project it depends on", "on_project_id")
        # Locked order: the dependent project's row first, so two people adding the two
        # halves of a loop at once are serialised and the second sees the first.
        db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
        if rules.would_cycle(_dependency_edges(), project.id, on_project.id):
            raise RuleError(
                f"{on_project.code} already depends on {project.code}, directly or through "
                "other projects: this dependency would make a loop",
                "on_project_id",
            )
    else:
        party = (data.external_party or "").strip()
        if not party:
            raise RuleError("Name the outside party", "external_party")
    dependency = Dependency(
        project_id=project.id,
        kind=data.kind,
        on_project_id=on_project.id if on_project else None,
        external_party=party[:200],
        what=what[:300],
        needed_by=data.needed_by,
        raised_by_id=actor.id,
    )
    db.session.add(dependency)
    db.session.flush()
    audit.record(
        "dependency.created",
        dependency,
        project_id=project.id,
        actor=actor,
        summary=f"Depends on {on_project.code if on_project else party}: {what}"[:300],
        changes={"needed_by": data.needed_by, "on": on_project.code if on_project else party},
    )
    return dependency


def dependency_snapshot(dependency: Dependency) -> dict[str, Any]:
    return {
        "What is needed": dependency.what,
        "Needed by": dependency.needed_by,
        "Outside party": dependency.external_party or None,
        "Acknowledged": dependency.acknowledged_at.date() if dependency.acknowledged_at else None,
    }


def update_dependency(
    project: Project,
    dependency: Dependency,
    what: str,
    needed_by: date | None,
    external_party: str = "",
    *,
    version: int | None,
    actor: User,
) -> Dependency:
    """Change what the project needs, by when, or (outside the tracker) from whom. The
    project depended on is not changed here: that is another dependency. A changed need or
    date asks the other project's manager to acknowledge it again."""
    if dependency.project_id != project.id:
        raise RuleError("That dependency is not this project's")
    check_version(dependency, version)
    text = (what or "").strip()
    if not text:
        raise RuleError("Say what the project needs", "what")
    if needed_by is None:
        raise RuleError("Enter the date it is needed by", "needed_by")
    before = dependency_snapshot(dependency)
    if dependency.kind == rules.DependencyKind.EXTERNAL:
        party = (external_party or "").strip()
        if not party:
            raise RuleError("Name the outside party", "external_party")
        dependency.external_party = party[:200]
    asked_again = (text[:300], needed_by) != (dependency.what, dependency.needed_by)
    dependency.what = text[:300]
    dependency.needed_by = needed_by
    if asked_again and dependency.acknowledged_at is not None:
        dependency.acknowledged_at = None
        dependency.acknowledged_by_id = None
    changes = diff(before, dependency_snapshot(dependency))
    if not changes:
        return dependency
    _flush()
    audit.record(
        "dependency.updated",
        dependency,
        project_id=project.id,
        actor=actor,
        summary=f"Changed dependency {dependency.id}: {', '.join(changes)}"[:300],
        changes=changes,
    )
    return dependency


def acknowledge_dependency(
    dependency: Dependency, *, version: int | None, actor: User
) -> Dependency:
    """The other project's manager acknowledges what is needed from their project."""
    if dependency.on_project_id is None:
        raise RuleError("An outside party's dependency is not acknowledged here")
    check_version(dependency, version)
    if dependency.acknowledged_at is not None:
        raise RuleError("This dependency has already been acknowledged")
    if PROJECT_MANAGER_ROLE not in team(dependency.on_project_id).roles_of(actor.id):
        raise RuleError("Only the manager of the project depended on acknowledges it")
    dependency.acknowledged_by_id = actor.id
    dependency.acknowledged_at = utcnow()
    _flush()
    audit.record(
        "dependency.acknowledged",
        dependency,
        project_id=dependency.on_project_id,
        actor=actor,
        summary=f"Acknowledged dependency {dependency.id}: {dependency.what}"[:300],
        changes={"acknowledged_by": actor.name},
    )
    return dependency


PROJECT_MANAGER_ROLE = governance.PROJECT_MANAGER
