"""The evidence's outcome rows as spreadsheet rows: one per project and method period, with
every value a figure is computed from, so an auditor can repeat each n, median and share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from tracker.core.exports import Column, Kind
from tracker.methods.model import ZONES
from tracker.projects.rules import DELIVERY_METHODS, SIZE_TIERS

COLUMNS = (
    Column("Code"),
    Column("Name"),
    Column("Lead organisation"),
    Column("Size"),
    Column("Uncertainty zone"),
    Column("Latest method decision"),
    Column("Method"),
    Column("Method period", Kind.COUNT),
    Column("Latest period", Kind.COUNT),
    Column("Uncertainty score", Kind.DECIMAL),
    Column("Feasibility score", Kind.DECIMAL),
    Column("Readiness score", Kind.DECIMAL),
    Column("C1", Kind.COUNT),
    Column("CPI at latest checkpoint", Kind.INDEX),
    Column("SPI at latest checkpoint", Kind.INDEX),
    Column("Within cost tolerance", Kind.COUNT),
    Column("CPI at closure", Kind.INDEX),
    Column("SPI at closure", Kind.INDEX),
    Column("Exceptions", Kind.COUNT),
    Column("Mean feedback rating", Kind.DECIMAL),
    Column("Share of loops closed", Kind.DECIMAL),
    Column("On time and within budget", Kind.COUNT),
)
HOW_TO_REPEAT = (
    "To repeat a figure: keep the rows of its group and method (blank cells are not "
    "counted), n is how many values remain, the median is their middle value (the mean of "
    "the two middle ones for an even n) and a share is the number of 1s over n"
)
FOLLOWS = {"followed": "Followed", "departed": "Departed", "none": "None"}


def _number(value, places: int):
    return None if value is None else round(float(value), places)


def row(item: Mapping) -> list[object]:
    zone = ZONES.get(item["zone"])
    return [
        item["code"],
        item["name"],
        item["organisation"],
        SIZE_TIERS.get(item["tier"], item["tier"]),
        zone.label if zone else "Not assessed",
        FOLLOWS.get(item["follows"], item["follows"]),
        DELIVERY_METHODS.get(item["method"], item["method"]),
        item["period"],
        item["is_last"],
        _number(item.get("uncertainty"), 1),
        _number(item.get("feasibility"), 1),
        _number(item.get("readiness"), 1),
        item.get("criticality"),
        _number(item["cpi"], 3),
        _number(item["spi"], 3),
        item["within"],
        _number(item["cpi_closure"], 3),
        _number(item["spi_closure"], 3),
        item["exceptions"],
        _number(item["rating"], 2),
        _number(item["loops"], 2),
        item["on_time_budget"],
    ]


def rows(items: Iterable[Mapping]) -> Iterator[list[object]]:
    for item in items:
        yield row(item)
