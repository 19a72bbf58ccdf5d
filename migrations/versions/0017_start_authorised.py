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


# On SQLite the columns are added and dropped in place: batch mode would copy and drop the
# projects table, which every other table's foreign keys refer to, and so fail on any
# database that holds projects.
FK_NAME = "fk_projects_start_authorised_by_id_users"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _is_sqlite():
        op.execute("ALTER TABLE projects ADD COLUMN start_authorised_at DATETIME")
        op.execute(
            "ALTER TABLE projects ADD COLUMN start_authorised_by_id INTEGER "
            f"CONSTRAINT {FK_NAME} REFERENCES users (id)"
        )
        return
    op.add_column(
        "projects", sa.Column("start_authorised_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("projects", sa.Column("start_authorised_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK_NAME, "projects", "users", ["start_authorised_by_id"], ["id"])


def downgrade():
    if _is_sqlite():
        op.execute("ALTER TABLE projects DROP COLUMN start_authorised_by_id")
        op.execute("ALTER TABLE projects DROP COLUMN start_authorised_at")
        return
    op.drop_constraint(FK_NAME, "projects", type_="foreignkey")
    op.drop_column("projects", "start_authorised_by_id")
    op.drop_column("projects", "start_authorised_at")
