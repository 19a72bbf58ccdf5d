"""Organisations: the agencies that lead and partner in projects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core import stamps
from tracker.db import utcnow
from tracker.extensions import db

ORG_KINDS = {
    "local_authority": "Local authority",
    "nhs": "NHS body",
    "police": "Police and fire",
    "voluntary": "Voluntary and community sector",
    "central_government": "Central government",
    "other": "Other public body",
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('local_authority', 'nhs', 'police', 'voluntary', "
            "'central_government', 'other')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30), default="local_authority")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"

    @property
    def kind_label(self) -> str:
        return ORG_KINDS.get(self.kind, self.kind)


# A person's organisation: the foreign key is the auth domain's (users.organisation_id); the
# relationship is declared here, above it, so auth never imports this package. Loaded with
# the person (one outer join, no extra query), so boards and lists show it for free.
User.organisation = relationship(Organisation, lazy="joined", viewonly=True)

# An organisation is a project's lead or partner, and organisation names and filters are
# part of the PMO dashboard's figures.
stamps.moves(
    Organisation, scopes=lambda _organisation: {stamps.ORGANISATIONS}, last={stamps.PORTFOLIO}
)
