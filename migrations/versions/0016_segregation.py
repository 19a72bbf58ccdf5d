"""segregation: exception decisions per board role, and who submitted an exception plan

Revision ID: 0016_segregation
Revises: 0013_portfolio

Exception reports now resolve by a rule, like gates: each required board role decides once
per round (``exception_decisions``), and the round a report is in is kept on it. Who
submitted an exception plan is kept too, because that person may not decide it. A report
already decided keeps its single recorded decision; nothing existing is rewritten.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_segregation"
down_revision = "0014_audit_hmac"
branch_labels = None
depends_on = None


# On SQLite the columns are added and dropped in place: batch mode would copy and drop
# exception_reports, and dropping it deletes (ON DELETE CASCADE) every exception option that
# refers to it.
FK_NAME = "fk_exception_reports_plan_submitted_by_id_users"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _is_sqlite():
        op.execute(
            "ALTER TABLE exception_reports ADD COLUMN plan_submitted_by_id INTEGER "
            f"CONSTRAINT {FK_NAME} REFERENCES users (id)"
        )
        op.execute("ALTER TABLE exception_reports ADD COLUMN round INTEGER DEFAULT '1' NOT NULL")
    else:
        op.add_column(
            "exception_reports", sa.Column("plan_submitted_by_id", sa.Integer(), nullable=True)
        )
        op.add_column(
            "exception_reports",
            sa.Column("round", sa.Integer(), server_default="1", nullable=False),
        )
        op.create_foreign_key(
            FK_NAME, "exception_reports", "users", ["plan_submitted_by_id"], ["id"]
        )

    op.create_table(
        "exception_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("option", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve_option', 'request_exception_plan', "
            "'approve_exception_plan', 'close_project')",
            name=op.f("ck_exception_decisions_decision_known"),
        ),
        sa.CheckConstraint(
            "role IN ('executive', 'senior_user', 'senior_supplier')",
            name=op.f("ck_exception_decisions_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_exception_decisions_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["exception_reports.id"],
            name=op.f("fk_exception_decisions_report_id_exception_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_decisions")),
        sa.UniqueConstraint(
            "report_id", "round", "role", name=op.f("uq_exception_decisions_report_id_round_role")
        ),
    )
    op.create_index("ix_exception_decisions_decided_by", "exception_decisions", ["decided_by_id"])


def downgrade():
    op.drop_index("ix_exception_decisions_decided_by", table_name="exception_decisions")
    op.drop_table("exception_decisions")
    if _is_sqlite():
        op.execute("ALTER TABLE exception_reports DROP COLUMN round")
        op.execute("ALTER TABLE exception_reports DROP COLUMN plan_submitted_by_id")
        return
    op.drop_constraint(FK_NAME, "exception_reports", type_="foreignkey")
    op.drop_column("exception_reports", "round")
    op.drop_column("exception_reports", "plan_submitted_by_id")
