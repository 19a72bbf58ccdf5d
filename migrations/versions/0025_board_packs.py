"""board packs: the PDF a board saw, frozen when a gate is requested and resolves

Revision ID: 0025_board_packs
Revises: 0019_lifecycle_closure

One new table; nothing else changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_board_packs"
down_revision = "0019_lifecycle_closure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.Integer(), nullable=False),
        sa.Column("moment", sa.String(length=12), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "moment IN ('requested', 'resolved', 'on_demand')",
            name=op.f("ck_board_packs_moment_known"),
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_board_packs_size_positive")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_board_packs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gate_id"],
            ["gate_reviews.id"],
            name=op.f("fk_board_packs_gate_id_gate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_board_packs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_packs")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_board_packs_storage_key")),
    )
    op.create_index("ix_board_packs_gate", "board_packs", ["gate_id"])


def downgrade() -> None:
    op.drop_index("ix_board_packs_gate", table_name="board_packs")
    op.drop_table("board_packs")
