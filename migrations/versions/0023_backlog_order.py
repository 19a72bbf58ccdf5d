"""backlog order: the product owner's ranking of a project's backlog, and MoSCoW labels

Revision ID: 0023_backlog_order
Revises: 0017_start_authorised

Every item gets a rank, unique within its project (1 is the top). Existing items are ranked
in the order the backlog page listed them before: by iteration start (unplanned first), then
in the order they were added. ``moscow`` is must / should / could / won't, or empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_backlog_order"
down_revision = "0021_sso"
branch_labels = None
depends_on = None

# On SQLite the columns are added and dropped in place: batch mode would copy and drop the
# backlog_items table, which item histories, carry-overs, feedback and time entries refer to.
CHECK = "ck_backlog_items_moscow_known"
CHECK_SQL = "moscow IS NULL OR moscow IN ('must', 'should', 'could', 'wont')"
INDEX = "uq_backlog_items_project_rank"

RANKED = """
UPDATE backlog_items SET rank = (
    SELECT ordered.position FROM (
        SELECT b.id AS id, ROW_NUMBER() OVER (
            PARTITION BY b.project_id
            ORDER BY CASE WHEN i.start_on IS NULL THEN 0 ELSE 1 END, i.start_on, b.id
        ) AS position
        FROM backlog_items AS b LEFT JOIN iterations AS i ON i.id = b.iteration_id
    ) AS ordered
    WHERE ordered.id = backlog_items.id
)
"""


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _is_sqlite():
        op.execute("ALTER TABLE backlog_items ADD COLUMN rank INTEGER NOT NULL DEFAULT 0")
        op.execute(
            f"ALTER TABLE backlog_items ADD COLUMN moscow VARCHAR(10) "
            f"CONSTRAINT {CHECK} CHECK ({CHECK_SQL})"
        )
    else:
        op.add_column(
            "backlog_items",
            sa.Column("rank", sa.Integer(), nullable=False, server_default="0"),
        )
        op.add_column("backlog_items", sa.Column("moscow", sa.String(length=10), nullable=True))
        op.create_check_constraint(CHECK, "backlog_items", sa.text(CHECK_SQL))
    op.execute(RANKED)
    if not _is_sqlite():
        op.alter_column("backlog_items", "rank", server_default=None)
    op.create_index(INDEX, "backlog_items", ["project_id", "rank"], unique=True)


def downgrade():
    op.drop_index(INDEX, table_name="backlog_items")
    if _is_sqlite():
        op.execute("ALTER TABLE backlog_items DROP COLUMN moscow")
        op.execute("ALTER TABLE backlog_items DROP COLUMN rank")
        return
    op.drop_constraint(CHECK, "backlog_items", type_="check")
    op.drop_column("backlog_items", "moscow")
    op.drop_column("backlog_items", "rank")
