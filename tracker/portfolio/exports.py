"""The portfolio table as spreadsheet rows: the page's columns, then the budget and the
planned finish; every cell made safe from formula injection (text a spreadsheet would run
starts with an apostrophe). The file formats are ``tracker.core.exports``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from tracker.core.exports import Column, Kind
from tracker.methods.model import ZONES
from tracker.portfolio import rules
from tracker.projects.rules import DELIVERY_METHODS, PROJECT_STATUSES, SIZE_TIERS

COLUMNS = (
    Column("Code"),
    Column("Name"),
    Column("Lead organisation"),
    Column("Method"),
    Column("Status"),
    Column("Size"),
    Column("Uncertainty zone"),
    Column("Method decision"),
    Column("CPI", Kind.INDEX),
    Column("SPI", Kind.INDEX),
    Column("Cost"),
    Column("Schedule"),
    Column("Gates"),
    Column("Feedback"),
    Column("Exceptions", Kind.COUNT),
    Column("Mean feedback rating", Kind.DECIMAL),
    Column("Budget at completion", Kind.MONEY),
    Column("Planned finish", Kind.DATE),
)
HEADERS = tuple(column.heading for column in COLUMNS)

FOLLOWS = {"followed": "Followed the recommendation", "departed": "Departed", "none": "None"}


def _label(mapping: Mapping, key) -> str:
    value = mapping.get(key, key)
    return getattr(value, "label", value) if value is not None else ""


def row(project: Mapping) -> list[object]:
    status = rules.project_status(project)
    rating = rules.ratio(project.get("rating_sum"), project.get("feedback_n"))
    cells = [
        project["code"],
        project["name"],
        project["organisation"],
        DELIVERY_METHODS.get(project["method"], "Not decided"),
        PROJECT_STATUSES.get(project["status"], project["status"]),
        SIZE_TIERS.get(project["tier"], project["tier"]),
        _label(ZONES, project["zone"]) if project["zone"] != "none" else "Not assessed",
        FOLLOWS.get(project["follows"], project["follows"]),
        None if project["cpi"] is None else round(float(project["cpi"]), 3),
        None if project["spi"] is None else round(float(project["spi"]), 3),
        *(rules.RAG_LABELS[status[d]] for d in ("cost", "schedule", "gates", "feedback")),
        int(project["exceptions"] or 0),
        None if rating is None else round(float(rating), 2),
        project.get("budget"),
        project.get("planned_finish"),
    ]
    return [rules.safe_cell(cell) for cell in cells]


def rows(projects: Iterable[Mapping]) -> Iterator[list[object]]:
    for project in projects:
        yield row(project)


# The benefit figures (``portfolio.benefits``), one row a group of a dimension.
BENEFIT_COLUMNS = (
    Column("Dimension"),
    Column("Group"),
    Column("Projects", Kind.COUNT),
    Column("Benefits planned", Kind.COUNT),
    Column("Reviewed (n)", Kind.COUNT),
    Column("Realised", Kind.COUNT),
    Column("Share realised", Kind.DECIMAL),
    Column("Partly realised", Kind.COUNT),
    Column("Cashable planned", Kind.MONEY),
    Column("Cashable realised", Kind.MONEY),
    Column("Spent", Kind.MONEY),
    Column("Realised per £1 spent", Kind.DECIMAL),
)
