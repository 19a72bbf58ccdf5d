"""board packs for exception reports; documents attached to change requests

Revision ID: 0026_board_gaps
Revises: 0025_board_packs

``board_packs`` gains ``exception_id``: a pack is of a gate or of an exception report,
never both. ``documents`` gains ``change_id`` and the subject ``change``. No table
references either by foreign key, so SQLite copies them in batch mode.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_board_gaps"
down_revision = "0025_board_packs"
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


def downgrade() -> None:
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
