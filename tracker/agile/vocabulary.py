"""The agile domain's words and their labels, in one place for models, forms and pages."""

from __future__ import annotations

from tracker.agile.rules import Agreement, ItemStatus, IterationStatus, Priority

ITERATION_STATUSES = {
    IterationStatus.PLANNED: "Planned",
    IterationStatus.ACTIVE: "Active",
    IterationStatus.CLOSED: "Closed",
}

ITEM_STATUSES = {ItemStatus.TODO: "To do", ItemStatus.DOING: "Doing", ItemStatus.DONE: "Done"}

PRIORITIES = {
    Priority.MUST: "Must have",
    Priority.SHOULD: "Should have",
    Priority.COULD: "Could have",
    Priority.WONT: "Won't have this time",
}
PRIORITY_COLOURS = {
    Priority.MUST: "red",
    Priority.SHOULD: "orange",
    Priority.COULD: "blue",
    Priority.WONT: "grey",
}

# Why an item's history gained a row.
CHANGE_REASONS = {
    "created": "Added",
    "status": "Status changed",
    "moved": "Moved",
    "carried_over": "Carried over",
}

FEEDBACK_SOURCES = {
    "service_user": "Service user",
    "citizen": "Citizen",
    "partner_organisation": "Partner organisation",
    "elected_member": "Elected member",
    "staff": "Staff",
}

AGREEMENTS = {
    Agreement.YES: "Yes, proceed",
    Agreement.YES_WITH_CHANGES: "Yes, with changes",
    Agreement.NO: "No",
}

RATINGS = {1: "1 – very poor", 2: "2 – poor", 3: "3 – fair", 4: "4 – good", 5: "5 – very good"}

ITERATIVE_METHODS = ("agile", "hybrid")

ITERATION_STATUS_COLOURS = {
    IterationStatus.PLANNED: "grey",
    IterationStatus.ACTIVE: "green",
    IterationStatus.CLOSED: "blue",
}
ITEM_STATUS_COLOURS = {
    ItemStatus.TODO: "grey",
    ItemStatus.DOING: "yellow",
    ItemStatus.DONE: "green",
}
