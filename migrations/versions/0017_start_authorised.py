"""start authorised: who authorised an agile project's start, and when

Revision ID: 0017_start_authorised
Revises: 0016_segregation

An agile project becomes active only when its Executive authorises the start (the board
decides, not the manager starting an iteration). The decision is kept on the project.
Existing active or closed agile projects were started by their first iteration under the
old rule: their audit trail names the iteration that started them. They are left as they
are, not given an authorisation nobody gave.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_start_authorised"
down_revision = "0016_segregation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("start_authorised_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("start_authorised_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_projects_start_authorised_by_id_users"),
            "users",
            ["start_authorised_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_projects_start_authorised_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("start_authorised_by_id")
        batch_op.drop_column("start_authorised_at")
