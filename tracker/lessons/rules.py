"""The lessons log's vocabulary. No Flask, no database."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    REPEAT = "repeat"
    AVOID = "avoid"


class LessonCategory(StrEnum):
    PLANNING = "planning"
    GOVERNANCE = "governance"
    PEOPLE = "people"
    TECHNICAL = "technical"
    SUPPLIERS = "suppliers"
    STAKEHOLDERS = "stakeholders"
    PARTNERSHIP = "partnership"


VERDICTS = {Verdict.REPEAT: "Repeat it", Verdict.AVOID: "Avoid it"}
LESSON_CATEGORIES = {
    LessonCategory.PLANNING: "Planning and estimating",
    LessonCategory.GOVERNANCE: "Governance and decisions",
    LessonCategory.PEOPLE: "People and skills",
    LessonCategory.TECHNICAL: "Technical",
    LessonCategory.SUPPLIERS: "Suppliers and contracts",
    LessonCategory.STAKEHOLDERS: "Stakeholders and users",
    LessonCategory.PARTNERSHIP: "Working in partnership",
}
SIMILAR_SHOWN = 5
