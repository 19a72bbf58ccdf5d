"""In-app notifications, the email outbox, and what people chose not to get by email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.vocabulary import EmailStatus

# What a notification is about; people choose per kind whether it also comes by email.
KINDS = {
    "gate_requested": "A gate review needs my decision",
    "gate_resolved": "A gate on a project I manage has been decided",
    "approval_reminder": "Reminders of decisions that have waited too long",
    "iteration_feedback": "An iteration ends soon without customer feedback",
    "highlight_due": "A highlight report is due",
    "reassess": "A method assessment is out of date",
    "condition_overdue": "A condition of a board approval is overdue",
    "dca_red": "A delivery confidence assessment turned Red",
    "highlight_sent": "A highlight report was sent to a board I sit on",
    "exception_raised": "An exception report waits for a decision of my board",
    "escalation": "A risk or issue is escalated to a board I sit on",
    "escalation_answered": "The board answered an escalation on a project I manage",
    "lessons_prompt": "A gate or iteration closed on a project I manage: log its lessons",
    "benefit_review": "A benefits review of a closed project is due",
}
EMAIL_STATUSES = {
    EmailStatus.PENDING: "Waiting to be sent",
    EmailStatus.SENDING: "Being sent",
    EmailStatus.SENT: "Sent",
    EmailStatus.FAILED: "Gave up",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Notification(db.Model):
    """One message in one person's inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # A path inside the app ("/projects/3/gates/7"), so it works under any host name.
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxEmail(db.Model):
    """An email written in the same transaction as the change it reports, and sent by the
    sender only after that transaction has committed. Sent at most once: the sender moves
    it from pending to sending with a conditional update before it talks to the server."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        CheckConstraint(_in("status", EmailStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_email_outbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class EmailOptOut(db.Model):
    """A kind of notification this person does not want by email (in-app only)."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (CheckConstraint(_in("kind", KINDS), name="kind_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
