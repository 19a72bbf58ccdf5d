"""The registers' section of the reports the board reads: highlight, end-stage and exception
reports, and the gate page.

A report keeps the section as it stood when it was sent (``section`` returns plain,
JSON-safe data the stage domain stores with the report), so the board reads later what it
read then; the gate page shows the live open high risks and open issues. Four statements,
whatever the size of the registers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import case, select

from tracker.extensions import db
from tracker.registers import rules
from tracker.registers.models import Issue, Risk, RiskChange
from tracker.registers.rules import HIGH_SCORE, IssueStatus, RiskStatus

TOP_RISKS = 5
LISTED = 10
_SCORE = Risk.likelihood * Risk.impact
_PRIORITY = case((Issue.priority == "high", 0), (Issue.priority == "medium", 1), else_=2)


def _risk_row(risk: Risk) -> dict[str, Any]:
    return {
        "id": risk.id,
        "title": risk.title,
        "kind": risk.kind,
        "score": risk.score,
        "band": str(risk.band),
        "owner": risk.owner.name,
    }


def _issue_row(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "title": issue.title,
        "kind": issue.kind,
        "priority": issue.priority,
        "severity": issue.severity,
        "owner": issue.owner.name,
    }


def section(project_id: int, since: datetime | None) -> dict[str, Any]:
    """Top open risks by score, risks raised and closed since ``since`` (the last report;
    everything when None), and the open issues, highest priority first."""
    open_risks = list(
        db.session.scalars(
            select(Risk)
            .where(Risk.project_id == project_id, Risk.status == RiskStatus.OPEN)
            .order_by(_SCORE.desc(), Risk.id.desc())
            .limit(TOP_RISKS)
        )
    )
    new_query = select(Risk).where(Risk.project_id == project_id)
    closed_query = (
        select(Risk)
        .join(RiskChange, RiskChange.risk_id == Risk.id)
        .where(
            Risk.project_id == project_id,
            Risk.status == RiskStatus.CLOSED,
            RiskChange.field == "Status",
            RiskChange.to_value == rules.RISK_STATUSES[RiskStatus.CLOSED],
        )
    )
    if since is not None:
        new_query = new_query.where(Risk.created_at > since)
        closed_query = closed_query.where(RiskChange.changed_at > since)
    new_risks = list(db.session.scalars(new_query.order_by(Risk.id.desc()).limit(LISTED)))
    closed_risks = list(
        db.session.scalars(closed_query.distinct().order_by(Risk.id.desc()).limit(LISTED))
    )
    issues = list(
        db.session.scalars(
            select(Issue)
            .where(Issue.project_id == project_id, Issue.status != IssueStatus.CLOSED)
            .order_by(_PRIORITY, Issue.severity.desc(), Issue.id.desc())
            .limit(LISTED)
        )
    )
    return {
        "since": since.isoformat() if since is not None else None,
        "top_risks": [_risk_row(r) for r in open_risks],
        "new_risks": [_risk_row(r) for r in new_risks],
        "closed_risks": [_risk_row(r) for r in closed_risks],
        "open_issues": [_issue_row(i) for i in issues],
    }


def gate_section(project_id: int) -> dict[str, Any]:
    """What the gate page shows: the open high risks (score 12 or more) and the open issues."""
    high = list(
        db.session.scalars(
            select(Risk)
            .where(
                Risk.project_id == project_id,
                Risk.status == RiskStatus.OPEN,
                _SCORE >= HIGH_SCORE,
            )
            .order_by(_SCORE.desc(), Risk.id.desc())
            .limit(LISTED)
        )
    )
    issues = list(
        db.session.scalars(
            select(Issue)
            .where(Issue.project_id == project_id, Issue.status != IssueStatus.CLOSED)
            .order_by(Issue.severity.desc(), Issue.id.desc())
            .limit(LISTED)
        )
    )
    return {
        "high_risks": [_risk_row(r) for r in high],
        "open_issues": [_issue_row(i) for i in issues],
    }


def stored(text: str | None) -> dict[str, Any] | None:
    """A section as a report stored it, or None for reports sent before the registers fed
    them."""
    return json.loads(text) if text else None
