"""The portfolio table as spreadsheet rows: the same columns as the page, every cell made
safe from formula injection (text a spreadsheet would run starts with an apostrophe)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from tracker.methods.model import ZONES
from tracker.portfolio import rules
from tracker.projects.rules import DELIVERY_METHODS, PROJECT_STATUSES, SIZE_TIERS

HEADERS = (
    "Code",
    "Name",
    "Lead organisation",
    "Method",
    "Status",
    "Size",
    "Uncertainty zone",
    "Method decision",
    "CPI",
    "SPI",
    "Cost",
    "Schedule",
    "Gates",
    "Feedback",
    "Exceptions",
    "Mean feedback rating",
)

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
    ]
    return [rules.safe_cell(cell) for cell in cells]


def rows(projects: Iterable[Mapping]) -> Iterator[list[object]]:
    for project in projects:
        yield row(project)
