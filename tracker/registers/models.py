"""The project's registers: risks (with every change kept) and issues.

The ``risks`` table predates this package (method decisions open risks on it); its new
columns have server defaults, so those risks read as organisational threats scored 3 x 3
until their owner scores them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.rules import ProjectStatus
from tracker.registers.rules import (
    AssumptionStatus,
    DependencyKind,
    EscalationStatus,
    IssueKind,
    IssueStatus,
    Priority,
    Proximity,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
    band,
    score,
)

# Where a risk came from; other parts of the tracker add theirs here.
RISK_SOURCES = {"method_decision": "Method decision", "register": "Raised on the register"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _scale(column: str, *, nullable: bool = False) -> str:
    check = f"{column} BETWEEN 1 AND 5"
    return f"{column} IS NULL OR {check}" if nullable else check


class Risk(db.Model):
    """A threat or an opportunity on a project's register, scored on a 5x5 grid."""

    __tablename__ = "risks"
    __table_args__ = (
        CheckConstraint(_in("status", RiskStatus), name="status_known"),
        CheckConstraint(_in("source", RISK_SOURCES), name="source_known"),
        CheckConstraint(_in("kind", RiskKind), name="kind_known"),
        CheckConstraint(_in("category", RiskCategory), name="category_known"),
        CheckConstraint(_scale("likelihood"), name="likelihood_range"),
        CheckConstraint(_scale("impact"), name="impact_range"),
        CheckConstraint(_scale("target_likelihood", nullable=True), name="target_lik_range"),
        CheckConstraint(_scale("target_impact", nullable=True), name="target_imp_range"),
        CheckConstraint(
            "proximity IS NULL OR " + _in("proximity", Proximity), name="proximity_known"
        ),
        CheckConstraint("response IS NULL OR " + _in("response", RiskResponse), name="resp_known"),
        Index("ix_risks_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=RiskStatus.OPEN)
    source: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(
        String(12), default=RiskKind.THREAT, server_default=text("'threat'")
    )
    category: Mapped[str] = mapped_column(
        String(20),
        default=RiskCategory.ORGANISATIONAL,
        server_default=text("'organisational'"),
    )
    # Cause, event, effect: "Because of <cause>, <event> may happen, which would <effect>."
    cause: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    event: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    effect: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    actionee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    likelihood: Mapped[int] = mapped_column(default=3, server_default=text("3"))
    impact: Mapped[int] = mapped_column(default=3, server_default=text("3"))
    proximity: Mapped[str | None] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(String(12))
    target_likelihood: Mapped[int | None]
    target_impact: Mapped[int | None]
    review_on: Mapped[date | None]

    project: Mapped[Project] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    actionee: Mapped[User | None] = relationship(foreign_keys=[actionee_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def score(self) -> int:
        return score(self.likelihood, self.impact)

    @property
    def band(self):
        return band(self.score)

    @property
    def target_score(self) -> int | None:
        if self.target_likelihood is None or self.target_impact is None:
            return None
        return score(self.target_likelihood, self.target_impact)

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN

    def __repr__(self) -> str:
        return f"<Risk {self.id} {self.status}>"


class RiskChange(db.Model):
    """One field of one risk changed: who, when, from what to what. Appended, never
    edited, so the risk's page can show how its score moved."""

    __tablename__ = "risk_changes"
    __table_args__ = (Index("ix_risk_changes_risk_changed", "risk_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(40))
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)

    changed_by: Mapped[User | None] = relationship(lazy="joined")


class Issue(db.Model):
    """Something that has happened and needs dealing with: a request for change, an
    off-specification, a problem (perhaps a risk that happened) or a concern."""

    __tablename__ = "issues"
    __table_args__ = (
        CheckConstraint(_in("kind", IssueKind), name="kind_known"),
        CheckConstraint(_in("status", IssueStatus), name="status_known"),
        CheckConstraint(_in("priority", Priority), name="priority_known"),
        CheckConstraint(_scale("severity"), name="severity_range"),
        CheckConstraint("status <> 'closed' OR resolution <> ''", name="closed_has_resolution"),
        Index("ix_issues_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10))
    severity: Mapped[int]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default=IssueStatus.OPEN)
    resolution: Mapped[str] = mapped_column(Text, default="")
    # The risk that happened, when the issue is a problem raised from one.
    risk_id: Mapped[int | None] = mapped_column(
        ForeignKey("risks.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    risk: Mapped[Risk | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != IssueStatus.CLOSED

    def __repr__(self) -> str:
        return f"<Issue {self.id} {self.kind} {self.status}>"


class Escalation(db.Model):
    """A risk or an issue sent to the project board because it passed the threshold the
    tailoring sets, and the board's answer."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(_in("status", EscalationStatus), name="status_known"),
        CheckConstraint("(risk_id IS NULL) <> (issue_id IS NULL)", name="one_entry"),
        CheckConstraint(
            "status <> 'answered' OR (response <> '' AND responded_at IS NOT NULL)",
            name="answered_has_response",
        ),
        Index("ix_escalations_status_project", "status", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    risk_id: Mapped[int | None] = mapped_column(
        ForeignKey("risks.id", ondelete="CASCADE"), index=True
    )
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    escalated_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=EscalationStatus.AWAITING)
    response: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    risk: Mapped[Risk | None] = relationship()
    issue: Mapped[Issue | None] = relationship()
    escalated_by: Mapped[User | None] = relationship(foreign_keys=[escalated_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        entry = self.risk or self.issue
        return entry.title if entry is not None else ""

    @property
    def is_awaiting(self) -> bool:
        return self.status == EscalationStatus.AWAITING


class Assumption(db.Model):
    """Something the plan takes as true, with who confirms it and by when."""

    __tablename__ = "assumptions"
    __table_args__ = (
        CheckConstraint(_in("status", AssumptionStatus), name="status_known"),
        Index("ix_assumptions_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirm_by: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=AssumptionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Dependency(db.Model):
    """What a project needs from another project in the tracker (whose manager acknowledges
    it) or from a named outside party, and by when."""

    __tablename__ = "dependencies"
    __table_args__ = (
        CheckConstraint(_in("kind", DependencyKind), name="kind_known"),
        CheckConstraint("on_project_id IS NULL OR on_project_id <> project_id", name="not_self"),
        CheckConstraint(
            "(kind = 'project' AND on_project_id IS NOT NULL) OR "
            "(kind = 'external' AND on_project_id IS NULL AND external_party <> '')",
            name="kind_matches",
        ),
        Index("ix_dependencies_on_project", "on_project_id"),
        Index("ix_dependencies_project", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    on_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_party: Mapped[str] = mapped_column(String(200), default="")
    what: Mapped[str] = mapped_column(String(300))
    needed_by: Mapped[date]
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(foreign_keys=[project_id])
    on_project: Mapped[Project | None] = relationship(foreign_keys=[on_project_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_at_risk(self) -> bool:
        """The other project now plans to finish after the date this one needs it by (or
        was stopped)."""
        other = self.on_project
        if other is None:
            return False
        return other.status == ProjectStatus.CLOSED_EARLY or other.planned_finish > self.needed_by
