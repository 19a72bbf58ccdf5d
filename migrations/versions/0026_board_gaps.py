"""board packs for exception reports, built in the background; documents on change requests

Revision ID: 0026_board_gaps
Revises: 0025_board_packs

``board_packs`` gains ``exception_id``: a pack is of a gate or of an exception report,
never both. ``documents`` gains ``change_id`` and the subject ``change``. No table
references either by foreign key, so SQLite copies them in batch mode (before the new
``pack_requests`` table refers to ``board_packs``). ``pack_requests`` holds the packs
waiting to be built in the background.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_board_gaps"
down_revision = "0026_model_versions"
branch_labels = None
depends_on = None

OLD_SUBJECTS = "subject IN ('project', 'gate', 'exception')"
NEW_SUBJECTS = "subject IN ('project', 'gate', 'exception', 'change')"
OLD_RECORD = (
    "(subject = 'gate') = (gate_id IS NOT NULL) AND "
    "(subject = 'exception') = (exception_id IS NOT NULL)"
)
NEW_RECORD = OLD_RECORD + " AND (subject = 'change') = (change_id IS NOT NULL)"
ONE_SUBJECT = "(gate_id IS NULL) <> (exception_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("board_packs") as batch:
        batch.alter_column("gate_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("exception_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_board_packs_exception_id_exception_reports"),
            "exception_reports",
            ["exception_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_check_constraint(op.f("ck_board_packs_one_subject"), ONE_SUBJECT)
    op.create_index("ix_board_packs_exception", "board_packs", ["exception_id"])

    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("change_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_documents_change_id_change_requests"),
            "change_requests",
            ["change_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_constraint(op.f("ck_documents_subject_known"), type_="check")
        batch.drop_constraint(op.f("ck_documents_subject_record"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_subject_known"), NEW_SUBJECTS)
        batch.create_check_constraint(op.f("ck_documents_subject_record"), NEW_RECORD)

    op.create_table(
        "pack_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("gate_id", sa.Integer(), nullable=True),
        sa.Column("exception_id", sa.Integer(), nullable=True),
        sa.Column("moment", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pack_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "moment IN ('requested', 'resolved', 'on_demand')",
            name=op.f("ck_pack_requests_moment_known"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'built', 'failed')", name=op.f("ck_pack_requests_status_known")
        ),
        sa.CheckConstraint(ONE_SUBJECT, name=op.f("ck_pack_requests_one_subject")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_pack_requests_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gate_id"],
            ["gate_reviews.id"],
            name=op.f("fk_pack_requests_gate_id_gate_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["exception_reports.id"],
            name=op.f("fk_pack_requests_exception_id_exception_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_pack_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["board_packs.id"],
            name=op.f("fk_pack_requests_pack_id_board_packs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_requests")),
    )
    op.create_index("ix_pack_requests_status", "pack_requests", ["status"])
    op.create_index("ix_pack_requests_gate", "pack_requests", ["gate_id"])
    op.create_index("ix_pack_requests_exception", "pack_requests", ["exception_id"])


def downgrade() -> None:
    op.drop_index("ix_pack_requests_exception", table_name="pack_requests")
    op.drop_index("ix_pack_requests_gate", table_name="pack_requests")
    op.drop_index("ix_pack_requests_status", table_name="pack_requests")
    op.drop_table("pack_requests")
    op.execute("DELETE FROM documents WHERE subject = 'change'")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_subject_known"), type_="check")
        batch.drop_constraint(op.f("ck_documents_subject_record"), type_="check")
        batch.drop_constraint(op.f("fk_documents_change_id_change_requests"), type_="foreignkey")
        batch.drop_column("change_id")
        batch.create_check_constraint(op.f("ck_documents_subject_known"), OLD_SUBJECTS)
        batch.create_check_constraint(op.f("ck_documents_subject_record"), OLD_RECORD)

    op.drop_index("ix_board_packs_exception", table_name="board_packs")
    op.execute("DELETE FROM board_packs WHERE gate_id IS NULL")
    with op.batch_alter_table("board_packs") as batch:
        batch.drop_constraint(op.f("ck_board_packs_one_subject"), type_="check")
        batch.drop_constraint(
            op.f("fk_board_packs_exception_id_exception_reports"), type_="foreignkey"
        )
        batch.drop_column("exception_id")
        batch.alter_column("gate_id", existing_type=sa.Integer(), nullable=False)
