"""benefits: the benefits register, measurements, reviews and review dates

Revision ID: 0026_benefits
Revises: 0025_board_packs

Five new tables, and one new kind of notification (a benefits review due) in the CHECK
constraints of the inbox and the email opt-outs, widened in place on SQLite (the email
outbox refers to notifications by foreign key, so the table is never copied).
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_benefits"
down_revision = "0026_lessons_prompt"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "kind IN ('gate_requested', 'gate_resolved', 'approval_reminder', 'iteration_feedback', "
    "'highlight_due', 'reassess', 'condition_overdue', 'dca_red', 'highlight_sent', "
    "'exception_raised', 'escalation', 'escalation_answered', 'lessons_prompt')"
)
NEW_KINDS = OLD_KINDS[:-1] + ", 'benefit_review')"
KIND_TABLES = ("notifications", "email_opt_outs")


def _replace_check(table: str, old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(f"ck_{table}_kind_known"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_kind_known"), table, new)
        return
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if old not in stored:
        raise RuntimeError(f"{table} has no constraint {old!r} to replace")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (stored.replace(old, new), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    for table in KIND_TABLES:
        _replace_check(table, OLD_KINDS, NEW_KINDS)
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("owner_email", sa.String(length=254), nullable=False),
        sa.Column("measure", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("baseline_value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("trajectory", sa.String(length=10), nullable=False),
        sa.Column("latest_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("latest_on", sa.Date(), nullable=True),
        sa.Column("off_track", sa.Boolean(), nullable=False),
        sa.Column("review_outcome", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('cashable', 'non_cashable', 'societal')",
            name=op.f("ck_benefits_category_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('benefit', 'disbenefit')", name=op.f("ck_benefits_kind_known")
        ),
        sa.CheckConstraint(
            "owner_id IS NOT NULL OR (owner_email <> '' AND owner_name <> '')",
            name=op.f("ck_benefits_owner_named"),
        ),
        sa.CheckConstraint(
            "review_outcome IS NULL OR review_outcome IN ('realised', 'partly', 'not_realised')",
            name=op.f("ck_benefits_review_outcome_known"),
        ),
        sa.CheckConstraint(
            "trajectory IN ('linear', 'points')", name=op.f("ck_benefits_trajectory_known")
        ),
        sa.CheckConstraint("unit <> ''", name=op.f("ck_benefits_unit_given")),
        sa.CheckConstraint(
            "target_on > baseline_on", name=op.f("ck_benefits_target_after_baseline")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_benefits_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_benefits_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_benefits_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefits")),
    )
    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.create_index("ix_benefits_owner", ["owner_id"], unique=False)
        batch_op.create_index("ix_benefits_project", ["project_id"], unique=False)

    op.create_table(
        "benefit_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("expected_value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("off_track", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["benefits.id"],
            name=op.f("fk_benefit_measurements_benefit_id_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_benefit_measurements_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_measurements")),
        sa.UniqueConstraint(
            "benefit_id", "measured_on", name=op.f("uq_benefit_measurements_benefit_id_measured_on")
        ),
    )
    op.create_table(
        "benefit_review_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_benefit_review_dates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["end_project_reports.id"],
            name=op.f("fk_benefit_review_dates_report_id_end_project_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_review_dates")),
        sa.UniqueConstraint(
            "project_id", "due_on", name=op.f("uq_benefit_review_dates_project_id_due_on")
        ),
    )
    op.create_table(
        "benefit_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("evidence <> ''", name=op.f("ck_benefit_reviews_evidence_given")),
        sa.CheckConstraint(
            "outcome IN ('realised', 'partly', 'not_realised')",
            name=op.f("ck_benefit_reviews_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["benefits.id"],
            name=op.f("fk_benefit_reviews_benefit_id_benefits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_benefit_reviews_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_reviews")),
    )
    with op.batch_alter_table("benefit_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_benefit_reviews_benefit", ["benefit_id"], unique=False)

    op.create_table(
        "benefit_trajectory_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["benefits.id"],
            name=op.f("fk_benefit_trajectory_points_benefit_id_benefits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_trajectory_points")),
        sa.UniqueConstraint(
            "benefit_id", "on", name=op.f("uq_benefit_trajectory_points_benefit_id_on")
        ),
    )


def downgrade():
    op.drop_table("benefit_trajectory_points")
    with op.batch_alter_table("benefit_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_reviews_benefit")

    op.drop_table("benefit_reviews")
    op.drop_table("benefit_review_dates")
    op.drop_table("benefit_measurements")
    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.drop_index("ix_benefits_project")
        batch_op.drop_index("ix_benefits_owner")

    op.drop_table("benefits")
    op.execute("DELETE FROM notifications WHERE kind = 'benefit_review'")
    op.execute("DELETE FROM email_opt_outs WHERE kind = 'benefit_review'")
    for table in KIND_TABLES:
        _replace_check(table, NEW_KINDS, OLD_KINDS)
