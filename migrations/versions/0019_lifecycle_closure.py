"""lifecycle closure: end-project reports and the board's closing-gate decisions

Revision ID: 0019_lifecycle_closure
Revises: 0019_lifecycle_releases

New tables only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_lifecycle_closure"
down_revision = "0019_lifecycle_releases"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "end_project_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("gate_name", sa.String(length=200), nullable=False),
        sa.Column("required_roles", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("delivered_vs_business_case", sa.Text(), nullable=False),
        sa.Column("time_performance", sa.Text(), nullable=False),
        sa.Column("cost_performance", sa.Text(), nullable=False),
        sa.Column("scope_performance", sa.Text(), nullable=False),
        sa.Column("quality_performance", sa.Text(), nullable=False),
        sa.Column("risk_performance", sa.Text(), nullable=False),
        sa.Column("benefit_performance", sa.Text(), nullable=False),
        sa.Column("sustainability_performance", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("handover", sa.Text(), nullable=False),
        sa.Column("follow_on_actions", sa.Text(), nullable=False),
        sa.Column("benefits_to_review", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_end_project_reports_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_end_project_reports_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_end_project_reports_submitted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_end_project_reports")),
        sa.UniqueConstraint(
            "project_id", "round", name=op.f("uq_end_project_reports_project_id_round")
        ),
    )
    with op.batch_alter_table("end_project_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_end_project_reports_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "uq_end_project_reports_one_pending",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "closure_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'reject')", name=op.f("ck_closure_decisions_decision_known")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_closure_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["end_project_reports.id"],
            name=op.f("fk_closure_decisions_report_id_end_project_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_decisions")),
        sa.UniqueConstraint(
            "report_id", "decided_by_id", name=op.f("uq_closure_decisions_report_id_decided_by_id")
        ),
        sa.UniqueConstraint("report_id", "role", name=op.f("uq_closure_decisions_report_id_role")),
    )
    with op.batch_alter_table("closure_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closure_decisions_report_id"), ["report_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("closure_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closure_decisions_report_id"))

    op.drop_table("closure_decisions")
    with op.batch_alter_table("end_project_reports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_end_project_reports_one_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_end_project_reports_project_id"))

    op.drop_table("end_project_reports")
