"""The three frameworks the tracker ships, as plain data: the migration that creates the
framework tables seeds them (so they exist on a fresh ``flask db upgrade``), and the tests
compare the seeded PRINCE2 framework with the built-in table.

This is version 1 of each. The PMO changes them in the app, which publishes new versions;
this module is not edited to change a framework already in use.
"""

from __future__ import annotations

from tracker.frameworks.rules import (
    CaseVersion,
    FallsAt,
    Framework,
    GateTemplate,
    Item,
    ItemKind,
    Tailoring,
)
from tracker.projects.governance import (
    BOARD_ROLES,
    EXECUTIVE,
    SENIOR_USER,
    SizeTier,
    builtin_table,
)

S, M, L = SizeTier.SMALL, SizeTier.MEDIUM, SizeTier.LARGE
_TABLE = builtin_table()
# The built-in table, row by row: who approves a stage boundary, and a release.
_APPROVERS = {level: _TABLE[level][1] for level in (S, M, L)}
_RELEASE = {level: _TABLE[level][3] for level in (S, M, L)}
_TAILORING = {
    level: Tailoring(
        gates=_TABLE[level][0],
        highlight_every_months=_TABLE[level][2],
        budget_checkpoint_every_months=1,
    )
    for level in (S, M, L)
}

PRINCE2 = Framework(
    name="PRINCE2 stage boundaries",
    description=(
        "The stage-gated lifecycle the tracker has always used: a start gate, an end stage "
        "assessment at each boundary the tailoring asks for, and a closing gate. The default "
        "for every new project."
    ),
    gates=(
        GateTemplate("start", "Start gate", FallsAt.PROJECT_START, _APPROVERS),
        GateTemplate("stage", "End stage assessment", FallsAt.STAGE_BOUNDARY, _APPROVERS),
        GateTemplate("release", "Release gate", FallsAt.RELEASE, _RELEASE),
        GateTemplate("close", "Closing gate", FallsAt.CLOSURE, _APPROVERS),
    ),
    tailoring=_TAILORING,
)

_SERVICE_STANDARD = (
    "Understand users and their needs",
    "Solve a whole problem for users",
    "Provide a joined up experience across all channels",
    "Make the service simple to use",
    "Make sure everyone can use the service",
    "Have a multidisciplinary team",
    "Use agile ways of working",
    "Iterate and improve frequently",
)


def _points(*numbers: int, evidence: bool = True) -> tuple[Item, ...]:
    return tuple(
        Item(
            f"Service Standard point {n}: {_SERVICE_STANDARD[n - 1]}", ItemKind.CHECKLIST, evidence
        )
        for n in numbers
    )


_EXEC = {S: (EXECUTIVE,), M: (EXECUTIVE, SENIOR_USER), L: BOARD_ROLES}

GDS = Framework(
    name="GDS service phases",
    description=(
        "Agile digital work governed through discovery, alpha, beta (private, then public) "
        "and live, with a service assessment against the Service Standard at each phase "
        "boundary and funding released phase by phase."
    ),
    gates=(
        GateTemplate(
            "discovery",
            "Start of discovery",
            FallsAt.PROJECT_START,
            {S: (EXECUTIVE,), M: (EXECUTIVE,), L: (EXECUTIVE,)},
            (Item("Problem statement agreed with the service owner"),),
        ),
        GateTemplate(
            "alpha",
            "Discovery peer review: move to alpha",
            FallsAt.PHASE_BOUNDARY,
            _EXEC,
            _points(1, 2, 6),
        ),
        GateTemplate(
            "beta",
            "Alpha assessment: move to private beta",
            FallsAt.PHASE_BOUNDARY,
            _EXEC,
            (*_points(1, 2, 3, 4, 5, 6, 7, 8), Item("Alpha assessment report", ItemKind.DOCUMENT)),
        ),
        GateTemplate(
            "public-beta",
            "Private beta review: open to the public",
            FallsAt.PHASE_BOUNDARY,
            _EXEC,
            _points(1, 5, 8),
        ),
        GateTemplate(
            "live",
            "Beta assessment: move to live",
            FallsAt.PHASE_BOUNDARY,
            _EXEC,
            (*_points(1, 2, 3, 4, 5, 6, 7, 8), Item("Beta assessment report", ItemKind.DOCUMENT)),
        ),
        GateTemplate("release", "Release gate", FallsAt.RELEASE, _RELEASE),
        GateTemplate(
            "close",
            "Service closure or handover to live running",
            FallsAt.CLOSURE,
            _APPROVERS,
            (Item("End-project report", ItemKind.DOCUMENT),),
        ),
    ),
    tailoring=_TAILORING,
)

COUNCIL = Framework(
    name="Council gateways 0 to 3",
    description=(
        "A council's own gateways: a strategic assessment before the project starts, then "
        "business justification, outline business case and investment decision at the "
        "stage boundaries, and a closure review."
    ),
    gates=(
        GateTemplate(
            "gateway-0",
            "Gateway 0: Strategic assessment",
            FallsAt.PROJECT_START,
            _APPROVERS,
            (
                Item("Strategic fit with the council plan confirmed", evidence_required=True),
                Item("Project mandate", ItemKind.DOCUMENT),
            ),
        ),
        GateTemplate(
            "gateway-1",
            "Gateway 1: Business justification",
            FallsAt.STAGE_BOUNDARY,
            _APPROVERS,
            (Item("Options appraised, including doing nothing", evidence_required=True),),
            case_due=CaseVersion.SOC,
            case_due_small=CaseVersion.BJC,
        ),
        GateTemplate(
            "gateway-2",
            "Gateway 2: Outline business case",
            FallsAt.STAGE_BOUNDARY,
            _APPROVERS,
            (
                Item("Procurement route agreed with the procurement team"),
                Item("Outline business case", ItemKind.DOCUMENT),
            ),
            case_due=CaseVersion.OBC,
        ),
        GateTemplate(
            "gateway-3",
            "Gateway 3: Investment decision",
            FallsAt.STAGE_BOUNDARY,
            _APPROVERS,
            (
                Item("Funding confirmed by the section 151 officer", evidence_required=True),
                Item("Full business case", ItemKind.DOCUMENT),
            ),
            case_due=CaseVersion.FBC,
        ),
        GateTemplate("release", "Release gate", FallsAt.RELEASE, _RELEASE),
        GateTemplate(
            "closure",
            "Closure review",
            FallsAt.CLOSURE,
            _APPROVERS,
            (Item("Handover to business as usual agreed"),),
        ),
    ),
    tailoring=_TAILORING,
)

SHIPPED = (PRINCE2, GDS, COUNCIL)
"""In order; the first is the default for new projects."""
