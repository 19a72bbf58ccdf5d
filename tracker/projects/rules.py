"""Pure project rules: vocabularies and the size tier. No Flask, no database."""

from __future__ import annotations

from decimal import Decimal

DELIVERY_METHODS = {"stage_gated": "Stage-gated", "agile": "Agile", "hybrid": "Hybrid"}

PROJECT_STATUSES = {
    "proposed": "Proposed",
    "active": "Active",
    "closed": "Closed",
    "closed_early": "Closed early",
}

PROJECT_ROLES = {
    "project_manager": "Project manager",
    "executive": "Executive",
    "senior_user": "Senior user",
    "senior_supplier": "Senior supplier",
    "team_member": "Team member",
    "customer_rep": "Customer representative",
}

BOARD_ROLES = ("executive", "senior_user", "senior_supplier")

# METHOD_MODEL.md, question C1: what is lost if the project fails?
CRITICALITY = {
    1: "Comfort",
    2: "Discretionary funds",
    3: "Essential funds",
    4: "A single life",
    5: "Many lives",
}

SIZE_TIERS = {"small": "Small", "medium": "Medium", "large": "Large"}


def size_tier(budget: Decimal, small_below: Decimal, large_above: Decimal) -> str:
    """Size tier from budget at completion: small under the first threshold, large above the
    second, medium between (both thresholds are configurable)."""
    if budget < small_below:
        return "small"
    if budget > large_above:
        return "large"
    return "medium"
