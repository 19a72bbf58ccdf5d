"""benefit option: a benefit records the business-case option it came from

Revision ID: 0027_benefit_option
Revises: 0026_programmes

A nullable column on benefits, referring to business_case_options (set to NULL if the option
goes). On SQLite the table is not copied (batch mode would drop and rebuild benefits, which
measurements, reviews and trajectory points refer to): the column is added in place and its
foreign key written into the stored table definition, as 0018_registers widens a CHECK. A
column-level REFERENCES added by ALTER would work too, but SQLite reports neither its name
nor its ON DELETE, so the schema would no longer match the models.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_benefit_option"
down_revision = "0026_programmes"
branch_labels = None
depends_on = None

FK_NAME = "fk_benefits_option_id_business_case_options"
FK_SQL = (
    f", CONSTRAINT {FK_NAME} FOREIGN KEY(option_id) "
    "REFERENCES business_case_options (id) ON DELETE SET NULL"
)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _sqlite_rewrite(change) -> None:
    """Rewrite the stored definition of benefits (every option_id is NULL when the foreign
    key is added, so no row can break it)."""
    bind = op.get_bind()
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'benefits'"
    ).scalar_one()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'benefits'",
        (change(stored),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _with_fk(stored: str) -> str:
    body = stored.rstrip()
    if not body.endswith(")"):
        raise RuntimeError("benefits: unexpected table definition")
    return body[:-1].rstrip() + FK_SQL + "\n)"


def _without_fk(stored: str) -> str:
    if FK_SQL not in stored:
        raise RuntimeError(f"benefits has no {FK_NAME} to remove")
    return stored.replace(FK_SQL, "")


def upgrade():
    if _is_sqlite():
        op.execute("ALTER TABLE benefits ADD COLUMN option_id INTEGER")
        _sqlite_rewrite(_with_fk)
        return
    op.add_column("benefits", sa.Column("option_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        FK_NAME, "benefits", "business_case_options", ["option_id"], ["id"], ondelete="SET NULL"
    )


def downgrade():
    if _is_sqlite():
        _sqlite_rewrite(_without_fk)
        op.execute("ALTER TABLE benefits DROP COLUMN option_id")
        return
    op.drop_constraint(FK_NAME, "benefits", type_="foreignkey")
    op.drop_column("benefits", "option_id")
