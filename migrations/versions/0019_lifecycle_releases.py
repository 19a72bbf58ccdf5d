"""lifecycle releases: releases of agile and hybrid work and their release gate

Revision ID: 0019_lifecycle_releases
Revises: 0019_lifecycle_phases

New tables only: releases, the iterations that went into each, and the release gate's
decisions.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_lifecycle_releases"
down_revision = "0019_lifecycle_phases"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("gate_name", sa.String(length=200), nullable=False),
        sa.Column("required_roles", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("went_live_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'live')",
            name=op.f("ck_releases_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_releases_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_releases_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_releases_project_id_name")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_releases_project_id"), ["project_id"], unique=False)

    op.create_table(
        "release_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'reject')", name=op.f("ck_release_decisions_decision_known")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_release_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_decisions_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_decisions")),
        sa.UniqueConstraint(
            "release_id",
            "decided_by_id",
            name=op.f("uq_release_decisions_release_id_decided_by_id"),
        ),
        sa.UniqueConstraint(
            "release_id", "role", name=op.f("uq_release_decisions_release_id_role")
        ),
    )
    with op.batch_alter_table("release_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_release_decisions_release_id"), ["release_id"], unique=False
        )

    op.create_table(
        "release_iterations",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("iteration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["iteration_id"],
            ["iterations.id"],
            name=op.f("fk_release_iterations_iteration_id_iterations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_iterations_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("release_id", "iteration_id", name=op.f("pk_release_iterations")),
    )


def downgrade():
    op.drop_table("release_iterations")
    with op.batch_alter_table("release_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_decisions_release_id"))

    op.drop_table("release_decisions")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_releases_project_id"))

    op.drop_table("releases")
