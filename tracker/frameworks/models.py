"""Governance frameworks: named, versioned sets of gate templates with their tailoring, the
version each project follows, and the manager's confirmations of each gate's checklist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.frameworks.rules import FallsAt, ItemKind, VersionStatus
from tracker.projects.governance import GateBoundaries, SizeTier

VERSION_STATUSES = {VersionStatus.DRAFT: "Draft", VersionStatus.PUBLISHED: "Published"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class GovernanceFramework(db.Model):
    """A named framework. Its content lives in its versions; the name is the framework's."""

    __tablename__ = "governance_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("governance_frameworks.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime | None]
    # Moved by every change to a draft of this framework: serialises edits and publishing.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    copied_from: Mapped[GovernanceFramework | None] = relationship(remote_side=[id])


class FrameworkVersion(db.Model):
    """One version of a framework: a draft the PMO edits, then published and immutable."""

    __tablename__ = "framework_versions"
    __table_args__ = (
        UniqueConstraint("framework_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in("status", VersionStatus), name="status_known"),
        CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name="published_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("governance_frameworks.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.DRAFT)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("framework_versions.id"))
    change_summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    framework: Mapped[GovernanceFramework] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    gates: Mapped[list[GateTemplate]] = relationship(
        back_populates="framework_version",
        order_by="GateTemplate.position",
        cascade="all, delete-orphan",
    )
    tailoring: Mapped[list[TailoringRow]] = relationship(
        cascade="all, delete-orphan", order_by="TailoringRow.id"
    )

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def label(self) -> str:
        return f"{self.framework.name}, version {self.number}"


class TailoringRow(db.Model):
    """What one governance level gets under this version (METHOD_MODEL.md's table)."""

    __tablename__ = "framework_tailoring"
    __table_args__ = (
        UniqueConstraint("framework_version_id", "level"),
        CheckConstraint(_in("level", SizeTier), name="level_known"),
        CheckConstraint(_in("gates", GateBoundaries), name="gates_known"),
        CheckConstraint("highlight_every_months BETWEEN 1 AND 12", name="highlight_range"),
        CheckConstraint("budget_checkpoint_every_months BETWEEN 1 AND 12", name="checkpoint_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(20))
    gates: Mapped[str] = mapped_column(String(20))
    highlight_every_months: Mapped[int]
    budget_checkpoint_every_months: Mapped[int] = mapped_column(default=1)


class GateTemplate(db.Model):
    """A gate of a framework version. ``key`` stays the same across versions and copies,
    so what changed between two versions can be told gate by gate."""

    __tablename__ = "gate_templates"
    __table_args__ = (
        UniqueConstraint("framework_version_id", "key"),
        CheckConstraint(_in("falls_at", FallsAt), name="falls_at_known"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    falls_at: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    # The business case version due (``rules.CaseVersion``), or None: for medium and large
    # projects, and for small ones.
    business_case_due: Mapped[str | None] = mapped_column(String(10))
    business_case_due_small: Mapped[str | None] = mapped_column(String(10))

    framework_version: Mapped[FrameworkVersion] = relationship(back_populates="gates")
    items: Mapped[list[GateTemplateItem]] = relationship(
        order_by="GateTemplateItem.position", cascade="all, delete-orphan"
    )
    roles: Mapped[list[GateTemplateRole]] = relationship(
        order_by="GateTemplateRole.id", cascade="all, delete-orphan"
    )


class GateTemplateItem(db.Model):
    """An entry checklist item or a required document of a gate."""

    __tablename__ = "gate_template_items"
    __table_args__ = (CheckConstraint(_in("kind", ItemKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_template_id: Mapped[int] = mapped_column(
        ForeignKey("gate_templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20), default=ItemKind.CHECKLIST)
    text: Mapped[str] = mapped_column(String(300))
    evidence_required: Mapped[bool] = mapped_column(default=False)


class GateTemplateRole(db.Model):
    """A board role that decides a gate at one governance level."""

    __tablename__ = "gate_template_roles"
    __table_args__ = (
        UniqueConstraint("gate_template_id", "level", "role"),
        CheckConstraint(_in("level", SizeTier), name="level_known"),
        CheckConstraint(
            "role IN ('executive', 'senior_user', 'senior_supplier')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_template_id: Mapped[int] = mapped_column(
        ForeignKey("gate_templates.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(30))


class ProjectFramework(db.Model):
    """The framework version a project follows: the one it started with, until its
    manager moves it at a boundary. Earlier versions are in the audit trail."""

    __tablename__ = "project_frameworks"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_versions.id"), index=True
    )
    since_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    framework_version: Mapped[FrameworkVersion] = relationship()


class ChecklistConfirmation(db.Model):
    """The manager's confirmation of one checklist item or document for one project, with
    its evidence (a reference or link). Until file attachments exist, a required document
    is confirmed by giving its reference here."""

    __tablename__ = "gate_checklist_confirmations"
    __table_args__ = (UniqueConstraint("project_id", "gate_template_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    gate_template_item_id: Mapped[int] = mapped_column(
        ForeignKey("gate_template_items.id", ondelete="CASCADE")
    )
    evidence: Mapped[str | None] = mapped_column(String(500))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    confirmed_by: Mapped[User] = relationship()
