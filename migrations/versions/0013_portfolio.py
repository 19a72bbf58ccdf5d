"""portfolio: projects.finished_on, and the stored portfolio facts

Revision ID: 0013_portfolio
Revises: 0012_budget

Adds the day each project actually finished (backfilled for closed projects from the best
evidence their history holds: see ``tracker.portfolio.queries.finished_on_evidence``), and
the tables the PMO dashboard reads instead of recomputing every project's facts per request
(``portfolio_summaries``, one row per project; ``portfolio_review_waits``), filled here for
every existing project by the same ``refresh`` the application uses.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0013_portfolio"
down_revision = "0012_budget"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finished_on", sa.Date(), nullable=True))

    op.create_table(
        "portfolio_summaries",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=20), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("follows", sa.String(length=10), nullable=False),
        sa.Column("checkpoint_on", sa.Date(), nullable=True),
        sa.Column("cpi", sa.Numeric(precision=28, scale=12), nullable=True),
        sa.Column("spi", sa.Numeric(precision=28, scale=12), nullable=True),
        sa.Column("cost_status", sa.String(length=20), nullable=True),
        sa.Column("ac", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("bac", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("exceptions", sa.Integer(), nullable=False),
        sa.Column("open_exceptions", sa.Integer(), nullable=False),
        sa.Column("feedback_n", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=True),
        sa.Column("loops_closed", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("last_decided_on", sa.Date(), nullable=True),
        sa.Column("gate_waiting_since", sa.Date(), nullable=True),
        sa.Column("iteration_waiting_since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_portfolio_summaries_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_portfolio_summaries")),
    )
    op.create_table(
        "portfolio_review_waits",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_portfolio_review_waits_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "days", name=op.f("pk_portfolio_review_waits")),
    )

    # Backfill, with the application's own SQL (the same code keeps the rows up to date).
    from tracker.portfolio import summary

    session = Session(bind=op.get_bind())
    summary.backfill_finished_on(session=session)
    summary.refresh(session=session)
    session.flush()


def downgrade():
    op.drop_table("portfolio_review_waits")
    op.drop_table("portfolio_summaries")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a plain column in place; batch mode would copy and drop the projects
        # table, which every other table's foreign keys refer to.
        op.execute("ALTER TABLE projects DROP COLUMN finished_on")
    else:
        op.drop_column("projects", "finished_on")
