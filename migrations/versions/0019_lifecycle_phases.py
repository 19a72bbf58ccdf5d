"""lifecycle phases: agile phases, service assessments and funding exceptions

Revision ID: 0019_lifecycle_phases
Revises: 0019_lifecycle

New tables only: a project's phases (discovery to live) with the funding released to each,
the service assessments at their boundaries with each assessor's point results, and the
exceptions raised when a phase spends past its released funding.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_lifecycle_phases"
down_revision = "0019_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("released_budget", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('discovery', 'alpha', 'private_beta', 'public_beta', 'live')",
            name=op.f("ck_phases_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'active', 'passed')", name=op.f("ck_phases_status_known")
        ),
        sa.CheckConstraint("released_budget >= 0", name=op.f("ck_phases_released_not_negative")),
        sa.CheckConstraint("sequence BETWEEN 1 AND 5", name=op.f("ck_phases_sequence_range")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_phases_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phases")),
        sa.UniqueConstraint("project_id", "kind", name=op.f("uq_phases_project_id_kind")),
        sa.UniqueConstraint("project_id", "sequence", name=op.f("uq_phases_project_id_sequence")),
    )
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phases_project_id"), ["project_id"], unique=False)

    op.create_table(
        "phase_funding_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("spent", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("released", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_phase_funding_exceptions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["phases.id"],
            name=op.f("fk_phase_funding_exceptions_phase_id_phases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_phase_funding_exceptions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_phase_funding_exceptions_resolved_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_funding_exceptions")),
    )
    with op.batch_alter_table("phase_funding_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phase_funding_exceptions_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "uq_phase_funding_exceptions_one_open",
            ["phase_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "service_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("required_roles", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'passed', 'failed')",
            name=op.f("ck_service_assessments_status_known"),
        ),
        sa.CheckConstraint("round >= 1", name=op.f("ck_service_assessments_round_positive")),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["phases.id"],
            name=op.f("fk_service_assessments_phase_id_phases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_service_assessments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_service_assessments_requested_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_assessments")),
        sa.UniqueConstraint(
            "phase_id", "round", name=op.f("uq_service_assessments_phase_id_round")
        ),
    )
    with op.batch_alter_table("service_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_assessments_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "uq_service_assessments_one_pending",
            ["phase_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "assessment_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["service_assessments.id"],
            name=op.f("fk_assessment_decisions_assessment_id_service_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_decisions_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_decisions")),
        sa.UniqueConstraint(
            "assessment_id",
            "decided_by_id",
            name=op.f("uq_assessment_decisions_assessment_id_decided_by_id"),
        ),
        sa.UniqueConstraint(
            "assessment_id", "role", name=op.f("uq_assessment_decisions_assessment_id_role")
        ),
    )
    with op.batch_alter_table("assessment_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_decisions_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "assessment_point_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("point", sa.String(length=300), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["assessment_decisions.id"],
            name=op.f("fk_assessment_point_results_decision_id_assessment_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_point_results")),
    )
    with op.batch_alter_table("assessment_point_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_point_results_decision_id"), ["decision_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("assessment_point_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_point_results_decision_id"))

    op.drop_table("assessment_point_results")
    with op.batch_alter_table("assessment_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_decisions_assessment_id"))

    op.drop_table("assessment_decisions")
    with op.batch_alter_table("service_assessments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_service_assessments_one_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_service_assessments_project_id"))

    op.drop_table("service_assessments")
    with op.batch_alter_table("phase_funding_exceptions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_phase_funding_exceptions_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_phase_funding_exceptions_project_id"))

    op.drop_table("phase_funding_exceptions")
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phases_project_id"))

    op.drop_table("phases")
