"""A programme's projects as spreadsheet rows (the file formats are tracker.core.exports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.core.exports import Column, Kind
from tracker.projects.rules import DELIVERY_METHODS, PROJECT_STATUSES

COLUMNS = (
    Column("Code"),
    Column("Name"),
    Column("Method"),
    Column("Status"),
    Column("Latest checkpoint", Kind.DATE),
    Column("Budget at completion", Kind.MONEY),
    Column("Planned value", Kind.MONEY),
    Column("Earned value", Kind.MONEY),
    Column("Actual cost", Kind.MONEY),
    Column("CPI", Kind.INDEX),
    Column("SPI", Kind.INDEX),
    Column("Share of earned value (%)", Kind.DECIMAL),
    Column("Board DCA"),
    Column("Assurance DCA"),
)


def rows(contributions: Iterable) -> Iterator[list[object]]:
    for r in contributions:
        yield [
            r.code,
            r.name,
            DELIVERY_METHODS.get(r.method, "Not decided"),
            PROJECT_STATUSES.get(r.status, r.status),
            r.taken_on,
            r.bac,
            r.pv,
            r.ev,
            r.ac,
            None if r.cpi is None else round(float(r.cpi), 3),
            None if r.spi is None else round(float(r.spi), 3),
            None if r.ev_share is None else float(r.ev_share),
            r.board_dca or "",
            r.assurance_dca or "",
        ]
