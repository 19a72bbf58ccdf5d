"""Demo programmes: two portfolios and four programmes over the demo projects, one of them a
multi-agency partnership of three partner organisations with its asks, offers, commitments
and two rounds of its partnership health check; and, for the national generator, 400
programmes over 10,000 projects (one of them holding 300), written in bulk.

The demo goes through the services, so the audit trail and the rules are the real ones; a
portfolio already loaded is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.orgs.models import Organisation
from tracker.programmes import services
from tracker.programmes.models import (
    Portfolio,
    Programme,
    ProgrammePartner,
    ProgrammeProject,
    ProgrammeRoleHolder,
)
from tracker.projects.models import Project

PORTFOLIOS = {
    "Adults, health and digital": "Northshire County Council's directorate portfolio.",
    "Northshire place partnership": "The partnership's whole portfolio across its agencies.",
}

JOINED = date(2026, 4, 1)
MOVED = date(2026, 10, 1)

# code, name, portfolio, parent code, multi-agency, manager, SRO, board [(email, role)],
# projects, cost tolerance
PROGRAMMES = (
    (
        "PRG-CARE",
        "Integrated care transformation",
        "Adults, health and digital",
        None,
        False,
        "dev.patel@example.gov.uk",
        "cllr.jane.morgan@example.gov.uk",
        (
            ("sarah.lewis@example.gov.uk", "senior_user"),
            ("robert.ellis@example.gov.uk", "board_member"),
        ),
        ("ASC-2026-01", "MH-2026-11", "PH-2026-07", "HSG-2026-06"),
        None,
    ),
    (
        "PRG-DIGI",
        "Digital council",
        "Adults, health and digital",
        None,
        False,
        "aisha.khan@example.gov.uk",
        "cllr.jane.morgan@example.gov.uk",
        (("chris.evans@example.gov.uk", "senior_supplier"),),
        ("DIG-2026-04", "ICT-2026-08", "CS-2026-09"),
        None,
    ),
    (
        "PRG-PLACE",
        "Safer, greener Northshire partnership",
        "Northshire place partnership",
        None,
        True,
        "tom.hughes@example.gov.uk",
        "robert.ellis@example.gov.uk",
        (
            ("sarah.lewis@example.gov.uk", "senior_user"),
            ("gareth.jones@example.gov.uk", "board_member"),
            ("fatima.ali@example.gov.uk", "board_member"),
        ),
        ("SAF-2026-05", "VCS-2026-14", "HWY-2026-03", "ENV-2026-10"),
        None,
    ),
    (
        "PRG-HOME",
        "A home for everyone",
        "Northshire place partnership",
        "PRG-PLACE",
        False,
        "lucy.brown@example.gov.uk",
        "sam.taylor@example.gov.uk",
        (("maria.okafor@example.gov.uk", "board_member"),),
        ("HOM-2026-02", "REG-2026-12"),
        None,
    ),
)
PARTNERS = ("NEICB", "NP", "NCVS")
PLEDGES = (
    ("NEICB", "ask", "Named social worker contact in every neighbourhood team", None, None),
    ("NEICB", "offer", "Two data analysts for the shared outcomes dashboard", None, None),
    (
        "NP",
        "commitment",
        "Share anonymised anti-social behaviour data monthly",
        "gareth.jones@example.gov.uk",
        45,
    ),
    ("NP", "offer", "Neighbourhood officers at the quarterly community forums", None, None),
    ("NCVS", "ask", "Three-year grant agreements for the community hubs", None, None),
    (
        "NCVS",
        "commitment",
        "Recruit 40 volunteer street champions",
        "fatima.ali@example.gov.uk",
        120,
    ),
)
# Two rounds of the health check: each partner's view of the five conditions.
HEALTH = {
    date(2026, 6, 30): {
        "NEICB": (4, 2, 3, 3, 2),
        "NP": (3, 2, 2, 3, 2),
        "NCVS": (4, 1, 2, 2, 1),
    },
    date(2026, 11, 30): {
        "NEICB": (4, 3, 4, 4, 3),
        "NP": (4, 3, 3, 4, 3),
        "NCVS": (4, 2, 3, 3, 2),
    },
}
CONDITION_ORDER = (
    "shared_mission",
    "shared_metrics",
    "differentiated_roles",
    "communication",
    "backbone",
)


def load(projects_by_code: dict[str, Project], people: dict[str, User]) -> None:
    if db.session.scalar(select(Portfolio.id).where(Portfolio.name.in_(PORTFOLIOS))):
        return
    pmo = people.get("priya.shah@example.gov.uk")
    portfolios = {
        name: services.create_portfolio(name, text, actor=pmo) for name, text in PORTFOLIOS.items()
    }
    made: dict[str, Programme] = {}
    for code, name, portfolio, parent, multi, manager, sro, board, codes, _ in PROGRAMMES:
        programme = services.create_programme(
            services.ProgrammeData(
                code=code,
                name=name,
                portfolio_id=portfolios[portfolio].id,
                parent_id=made[parent].id if parent else None,
                is_multi_agency=multi,
                planned_finish=date(2028, 3, 31),
                time_tolerance_days=60,
            ),
            actor=pmo,
        )
        made[code] = programme
        services.grant_role(programme, people[manager], "programme_manager", actor=pmo)
        services.grant_role(programme, people[sro], "sro", actor=pmo)
        for email, role in board:
            services.grant_role(programme, people[email], role, actor=pmo)
        for project_code in codes:
            if project_code in projects_by_code and project_code != "HSG-2026-06":
                services.add_project(
                    programme, projects_by_code[project_code], actor=pmo, today=JOINED
                )
    # The housing project started in the care programme and moved to the housing one:
    # the history keeps both, and each programme's roll-up changed from that day on.
    housing = projects_by_code.get("HSG-2026-06")
    if housing is not None:
        services.add_project(made["PRG-CARE"], housing, actor=pmo, today=JOINED)
        services.add_project(
            made["PRG-HOME"],
            housing,
            actor=people["lucy.brown@example.gov.uk"],
            move=True,
            today=MOVED,
        )
    _partnership(made["PRG-PLACE"], people, pmo)
    services.request_gate(
        made["PRG-CARE"], "Tranche 1 end review", "", actor=people["dev.patel@example.gov.uk"]
    )
    db.session.flush()


def _partnership(programme: Programme, people: dict[str, User], pmo) -> None:
    orgs = {
        o.short_name: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.short_name.in_(PARTNERS))
        )
    }
    for short in PARTNERS:
        if short in orgs:
            services.add_partner(programme, orgs[short], actor=pmo)
    manager = people["tom.hughes@example.gov.uk"]
    for short, kind, text, owner, due_in in PLEDGES:
        if short not in orgs:
            continue
        services.add_pledge(
            programme,
            services.PledgeData(
                orgs[short].id,
                kind,
                text,
                people[owner].id if owner else None,
                JOINED + timedelta(days=due_in) if due_in else None,
            ),
            actor=manager,
        )
    for day, views in HEALTH.items():
        for short, scores in views.items():
            if short in orgs:
                services.rate_partnership(
                    programme,
                    orgs[short].id,
                    dict(zip(CONDITION_ORDER, scores, strict=True)),
                    actor=manager,
                    today=day,
                )


# --------------------------------------------------------------------------------------
# The national scale: written in bulk by the national generator's writer
# --------------------------------------------------------------------------------------

BULK_TABLES = (
    Portfolio.__table__,
    Programme.__table__,
    ProgrammeRoleHolder.__table__,
    ProgrammeProject.__table__,
    ProgrammePartner.__table__,
)
NATIONAL_CODE = "NAT-PRG-"


def programme_count(projects: int) -> int:
    """400 programmes for 10,000 projects, at least 2."""
    return max(2, projects * 400 // 10_000)


def big_programme_size(projects: int) -> int:
    """The largest programme: 300 of 10,000 projects (3%), at least 3."""
    return max(3, projects * 3 // 100)


def generate_national(writer, plans, organisations: list[int], today: date) -> None:
    """Portfolios, programmes (one in ten a sub-programme of the one before, one in twenty
    multi-agency with three partners), their roles and every project's membership, as rows
    for ``writer`` (the national generator's bulk writer): nothing read back per row."""
    count = programme_count(len(plans))
    portfolios = max(2, count // 40)
    first = writer.connection.scalar(
        select(db.func.count())
        .select_from(Programme)
        .where(Programme.code.like(f"{NATIONAL_CODE}%"))
    )
    earlier = writer.connection.scalar(
        select(db.func.count())
        .select_from(Portfolio)
        .where(Portfolio.name.like("National portfolio %"))
    )
    portfolio_ids = []
    for k in range(portfolios):
        row = writer.add(
            Portfolio.__table__,
            {"name": f"National portfolio {earlier + k + 1}", "description": "Generated"},
        )
        portfolio_ids.append(row["id"])
    managers = sorted({plan.manager for plan in plans})
    boards = sorted({member for plan in plans for member in plan.board.values()})
    programme_ids = []
    for k in range(count):
        parent = programme_ids[-1] if k % 10 == 9 else None
        row = writer.add(
            Programme.__table__,
            {
                "code": f"{NATIONAL_CODE}{first + k + 1:03d}",
                "name": f"Generated programme {first + k + 1}",
                "portfolio_id": portfolio_ids[(k - 1 if parent else k) % portfolios],
                "parent_id": parent,
                "purpose": "",
                "is_multi_agency": k % 20 == 2,
                "planned_finish": today + timedelta(days=720),
            },
        )
        programme_ids.append(row["id"])
        manager = managers[k % len(managers)]
        sro, member = boards[(2 * k) % len(boards)], boards[(2 * k + 1) % len(boards)]
        for user_id, role in ((manager, "programme_manager"), (sro, "sro")):
            writer.add(
                ProgrammeRoleHolder.__table__,
                {"programme_id": row["id"], "user_id": user_id, "role": role},
            )
        if member not in (manager, sro):
            writer.add(
                ProgrammeRoleHolder.__table__,
                {"programme_id": row["id"], "user_id": member, "role": "board_member"},
            )
        if k % 20 == 2:
            for organisation_id in {organisations[(k + j) % len(organisations)] for j in range(3)}:
                writer.add(
                    ProgrammePartner.__table__,
                    {"programme_id": row["id"], "organisation_id": organisation_id},
                )
    # The first programme holds the big share; the rest are shared out in turn.
    big = big_programme_size(len(plans))
    since = today - timedelta(days=365)
    for index, plan in enumerate(plans):
        if index < big:
            programme_id = programme_ids[0]
        else:
            programme_id = programme_ids[1 + (index - big) % (count - 1)]
        writer.add(
            ProgrammeProject.__table__,
            {"programme_id": programme_id, "project_id": plan.id, "from_on": since},
        )
