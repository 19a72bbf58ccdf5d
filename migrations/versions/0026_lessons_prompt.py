"""Lessons prompt: a notification kind asking the project manager to log the lessons of a
gate or an iteration just closed.

Revision ID: 0026_lessons_prompt
Revises: 0025_board_packs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_lessons_prompt"
down_revision = "0025_board_packs"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "gate_requested",
    "gate_resolved",
    "approval_reminder",
    "iteration_feedback",
    "highlight_due",
    "reassess",
    "condition_overdue",
    "dca_red",
    "highlight_sent",
    "exception_raised",
    "escalation",
    "escalation_answered",
)
ADDED = "lessons_prompt"
NEW_KINDS = (*OLD_KINDS, ADDED)
TABLES = ("notifications", "email_opt_outs")


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _set_kinds(old, new) -> None:
    """Widen (or narrow back) the kinds a notification may have.

    On SQLite the stored table definition is rewritten in place (SQLite documents this for
    loosening a CHECK constraint): copying the table in batch mode would drop it under the
    email outbox's foreign key to notifications.
    """
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "sqlite":
            stored = bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
            if _kinds(old) not in stored:
                raise RuntimeError(f"{table} has no constraint {_kinds(old)!r} to replace")
            version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
            bind.exec_driver_sql("PRAGMA writable_schema = ON")
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (stored.replace(_kinds(old), _kinds(new)), table),
            )
            bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
            bind.exec_driver_sql("PRAGMA writable_schema = OFF")
        else:
            op.drop_constraint(op.f(f"ck_{table}_kind_known"), table, type_="check")
            op.create_check_constraint(op.f(f"ck_{table}_kind_known"), table, _kinds(new))


def upgrade():
    _set_kinds(OLD_KINDS, NEW_KINDS)


def downgrade():
    for name in TABLES:
        table = sa.table(name, sa.column("kind", sa.String))
        op.execute(sa.delete(table).where(table.c.kind == ADDED))
    _set_kinds(NEW_KINDS, OLD_KINDS)
