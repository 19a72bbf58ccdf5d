"""stamps: a change counter per project (and one for people), for cached page sections

Revision ID: 0010_stamps
Revises: 0009_reliability
Create Date: 2026-11-22 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_stamps"
down_revision = "0009_reliability"
branch_labels = None
depends_on = None


def upgrade():
    # No backfill: a scope with no row reads as 0, and nothing is cached before this runs.
    op.create_table(
        "change_stamps",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_change_stamps")),
    )


def downgrade():
    op.drop_table("change_stamps")
