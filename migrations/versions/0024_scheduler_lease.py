"""scheduler lease: one active scheduler among several, each due run recorded once

Revision ID: 0024_scheduler_lease
Revises: 0021_sso

Job runs learn when they were due and which attempt they are (a successor re-runs once a
run its dead predecessor left unfinished); a unique index makes each (job, due time,
attempt) one run. The scheduler processes report in a table of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_scheduler_lease"
down_revision = "0018_registers"
branch_labels = None
depends_on = None

# job_keys refers to job_runs: on SQLite the columns are added and dropped in place, never
# by batch mode, which would copy and drop the table.


def upgrade():
    op.add_column("job_runs", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "job_runs", sa.Column("attempt", sa.Integer(), server_default="1", nullable=False)
    )
    op.create_index(
        "ux_job_runs_job_due_attempt", "job_runs", ["job_id", "due_at", "attempt"], unique=True
    )
    op.create_table(
        "scheduler_processes",
        sa.Column("runner", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("runner", name=op.f("pk_scheduler_processes")),
    )


def downgrade():
    op.drop_table("scheduler_processes")
    op.drop_index("ux_job_runs_job_due_attempt", table_name="job_runs")
    op.drop_column("job_runs", "attempt")
    op.drop_column("job_runs", "due_at")
