"""method switches: a switch of method proposed at a boundary, decided with the gate or
service assessment it rides on

Revision ID: 0026_method_switches
Revises: 0025_board_packs

One new table; nothing else changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_method_switches"
down_revision = "0026_board_gaps"
branch_labels = None
depends_on = None

METHODS = "('stage_gated', 'hybrid', 'agile')"


def upgrade() -> None:
    op.create_table(
        "method_switches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("from_method", sa.String(length=20), nullable=False),
        sa.Column("to_method", sa.String(length=20), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("framework_version_id", sa.Integer(), nullable=False),
        sa.Column("drivers", sa.String(length=200), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("boundary_kind", sa.String(length=20), nullable=False),
        sa.Column("boundary_id", sa.Integer(), nullable=False),
        sa.Column("boundary_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"from_method IN {METHODS}", name=op.f("ck_method_switches_from_known")),
        sa.CheckConstraint(f"to_method IN {METHODS}", name=op.f("ck_method_switches_to_known")),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'rejected')",
            name=op.f("ck_method_switches_status_known"),
        ),
        sa.CheckConstraint(
            "boundary_kind IN ('gate', 'assessment')",
            name=op.f("ck_method_switches_boundary_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_method_switches_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["method_assessments.id"],
            name=op.f("fk_method_switches_assessment_id_method_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_method_switches_framework_version_id_framework_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_method_switches_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["method_decisions.id"],
            name=op.f("fk_method_switches_decision_id_method_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_method_switches")),
    )
    op.create_index(
        op.f("ix_method_switches_project_id"), "method_switches", ["project_id"], unique=False
    )
    op.create_index(
        "ix_method_switches_boundary", "method_switches", ["boundary_kind", "boundary_id"]
    )
    op.create_index(
        "uq_method_switches_one_proposed",
        "method_switches",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text("status = 'proposed'"),
        postgresql_where=sa.text("status = 'proposed'"),
    )


def downgrade() -> None:
    op.drop_index("uq_method_switches_one_proposed", table_name="method_switches")
    op.drop_index("ix_method_switches_boundary", table_name="method_switches")
    op.drop_index(op.f("ix_method_switches_project_id"), table_name="method_switches")
    op.drop_table("method_switches")
