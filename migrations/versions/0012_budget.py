"""budget: checkpoint indices stored at full precision

CPI, SPI and TCPI were stored rounded to 3 decimal places. They are now stored as the
exact ratio of the checkpoint's own penny amounts, rounded only at the 12th decimal place;
pages still show two. Existing checkpoints are recomputed from their stored BAC, PV, EV
and AC, which were always exact, so no history is lost and nothing is estimated.

Revision ID: 0012_budget
Revises: 0011_rates
Create Date: 2026-11-22 21:10:00

"""

from decimal import ROUND_HALF_UP, Context, Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_budget"
down_revision = "0011_rates"
branch_labels = None
depends_on = None

INDICES = ("cpi", "spi", "tcpi")
WIDE = sa.Numeric(28, 12)
NARROW = sa.Numeric(12, 3)
BATCH = 2000

# The same arithmetic as tracker.budget.rules, written out so this migration keeps working
# whatever later happens to the application code.
_CTX = Context(prec=60, rounding=ROUND_HALF_UP)
_TWELVE = Decimal("0.000000000001")
_THREE = Decimal("0.001")


def _ratio(numerator, denominator, places):
    if denominator == 0:
        return None
    return _CTX.divide(numerator, denominator).quantize(places, context=_CTX)


def _indices(bac, pv, ev, ac, places):
    bac, pv, ev, ac = (Decimal(str(v)) for v in (bac, pv, ev, ac))
    tcpi = None if bac - ac <= 0 else _ratio(bac - ev, bac - ac, places)
    return {"cpi": _ratio(ev, ac, places), "spi": _ratio(ev, pv, places), "tcpi": tcpi}


def _recompute(places) -> None:
    checkpoints = sa.table(
        "budget_checkpoints",
        sa.column("id", sa.Integer),
        sa.column("bac", sa.Numeric(14, 2)),
        sa.column("pv", sa.Numeric(14, 2)),
        sa.column("ev", sa.Numeric(14, 2)),
        sa.column("ac", sa.Numeric(14, 2)),
        *(sa.column(name, WIDE) for name in INDICES),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                checkpoints.c.id,
                checkpoints.c.bac,
                checkpoints.c.pv,
                checkpoints.c.ev,
                checkpoints.c.ac,
            )
            .where(checkpoints.c.id > last)
            .order_by(checkpoints.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            checkpoints.update()
            .where(checkpoints.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(name) for name in INDICES}),
            [
                {"row_id": row.id, **_indices(row.bac, row.pv, row.ev, row.ac, places)}
                for row in rows
            ],
        )
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table("budget_checkpoints", schema=None) as batch_op:
        for name in INDICES:
            batch_op.alter_column(name, existing_type=NARROW, type_=WIDE, existing_nullable=True)
    _recompute(_TWELVE)


def downgrade():
    _recompute(_THREE)
    with op.batch_alter_table("budget_checkpoints", schema=None) as batch_op:
        for name in INDICES:
            batch_op.alter_column(name, existing_type=WIDE, type_=NARROW, existing_nullable=True)
