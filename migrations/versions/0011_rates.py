"""rates: hourly rates carry a version, so an edit based on a stale one is refused

Revision ID: 0011_rates
Revises: 0010_stamps
Create Date: 2026-11-22 21:35:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_rates"
down_revision = "0010_stamps"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rates start at version 1 (the server default fills them in).
    with op.batch_alter_table("hourly_rates") as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade():
    with op.batch_alter_table("hourly_rates") as batch_op:
        batch_op.drop_column("version")
