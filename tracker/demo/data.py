"""A multi-agency public-service portfolio to try the tracker with.

Loading is idempotent: records are matched by email, organisation name and project code, so
running it again adds only what is missing (later features add their own records here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.agile import demo as agile_demo
from tracker.agile import services as agile_services
from tracker.auth import services as users
from tracker.auth.models import User
from tracker.benefits import demo as benefits_demo
from tracker.board import demo as board_demo
from tracker.budget import demo as budget_demo
from tracker.business_cases import demo as business_cases_demo
from tracker.demo import registers_extra
from tracker.extensions import db
from tracker.frameworks import demo as frameworks_demo
from tracker.methods import demo as methods_demo
from tracker.notifications import demo as notifications_demo
from tracker.orgs import services as orgs
from tracker.orgs.models import Organisation
from tracker.phases import demo as phases_demo
from tracker.programmes import demo as programmes_demo
from tracker.projects import services as projects
from tracker.projects.models import Project
from tracker.projects.rules import ProjectStatus
from tracker.proposals import demo as proposals_demo
from tracker.registers import demo as registers_demo
from tracker.releases import demo as releases_demo
from tracker.stages import demo as stages_demo
from tracker.worklog import demo as worklog_demo

ORGANISATIONS = [
    ("Northshire County Council", "NCC", "local_authority"),
    ("Eastvale Borough Council", "EBC", "local_authority"),
    ("Northshire and Eastvale Integrated Care Board", "NEICB", "nhs"),
    ("Northshire Police", "NP", "police"),
    ("Northshire Community Voluntary Service", "NCVS", "voluntary"),
]

# email, name, global role, organisation (short name): a board shows who speaks for which agency
PEOPLE = [
    ("admin@example.gov.uk", "Alex Admin", "admin", "NCC"),
    ("priya.shah@example.gov.uk", "Priya Shah", "pmo", "NCC"),
    ("maria.okafor@example.gov.uk", "Maria Okafor", None, "NCC"),
    ("tom.hughes@example.gov.uk", "Tom Hughes", None, "NCVS"),
    ("aisha.khan@example.gov.uk", "Aisha Khan", None, "EBC"),
    ("dev.patel@example.gov.uk", "Dev Patel", None, "NCC"),
    ("cllr.jane.morgan@example.gov.uk", "Cllr Jane Morgan", None, "NCC"),
    ("robert.ellis@example.gov.uk", "Robert Ellis", None, "NCVS"),
    ("sarah.lewis@example.gov.uk", "Sarah Lewis", None, "NEICB"),
    ("gareth.jones@example.gov.uk", "Gareth Jones", None, "NP"),
    ("lucy.brown@example.gov.uk", "Lucy Brown", None, "EBC"),
    ("sam.taylor@example.gov.uk", "Sam Taylor", None, "NCC"),
    ("fatima.ali@example.gov.uk", "Fatima Ali", None, "NCVS"),
    ("chris.evans@example.gov.uk", "Chris Evans", None, "NEICB"),
]


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    problem: str
    lead: str
    partners: tuple[str, ...]
    manager: str
    budget: str
    start: date
    finish: date
    criticality: int
    status: str  # what governance leaves it at once the demo is loaded (checked by a test)
    board: tuple[tuple[str, str], ...]  # (email, role)


def _board(executive, senior_user=None, senior_supplier=None, team=(), customer=None):
    roles = [(executive, "executive")]
    if senior_user:
        roles.append((senior_user, "senior_user"))
    if senior_supplier:
        roles.append((senior_supplier, "senior_supplier"))
    roles += [(email, "team_member") for email in team]
    if customer:
        roles.append((customer, "customer_rep"))
    return tuple(roles)


NCC, EBC, ICB, POL, CVS = (o[0] for o in ORGANISATIONS)
MARIA, TOM, AISHA, DEV = (
    "maria.okafor@example.gov.uk",
    "tom.hughes@example.gov.uk",
    "aisha.khan@example.gov.uk",
    "dev.patel@example.gov.uk",
)
JANE, ROBERT, SARAH, GARETH = (
    "cllr.jane.morgan@example.gov.uk",
    "robert.ellis@example.gov.uk",
    "sarah.lewis@example.gov.uk",
    "gareth.jones@example.gov.uk",
)
LUCY, SAM, FATIMA, CHRIS = (
    "lucy.brown@example.gov.uk",
    "sam.taylor@example.gov.uk",
    "fatima.ali@example.gov.uk",
    "chris.evans@example.gov.uk",
)

PROJECTS = [
    DemoProject(
        "ASC-2026-01",
        "Adult social care case management replacement",
        "The case management system for adult social care is out of support in March 2028. "
        "Social workers re-key assessments into three systems and the statutory returns take "
        "two weeks of manual reconciliation each quarter.",
        NCC,
        (ICB,),
        MARIA,
        "4200000",
        date(2026, 1, 5),
        date(2028, 2, 28),
        4,
        "active",
        _board(JANE, SARAH, GARETH, (LUCY, SAM), FATIMA),
    ),
    DemoProject(
        "HOM-2026-02",
        "Homelessness prevention partnership pilot",
        "Rough sleeping in Eastvale has doubled in three years. Agencies each see part of a "
        "person's story and nobody owns prevention; people present in crisis to A&E, police "
        "custody and the council in turn.",
        EBC,
        (ICB, POL, CVS),
        TOM,
        "780000",
        date(2026, 3, 2),
        date(2027, 9, 30),
        3,
        "active",
        _board(ROBERT, SARAH, None, (CHRIS, LUCY), FATIMA),
    ),
    DemoProject(
        "HWY-2026-03",
        "A614 junction resurfacing programme",
        "Twelve junctions on the A614 fail their condition survey; a statutory duty under the "
        "Highways Act requires repair before the 2027 winter season.",
        NCC,
        (),
        AISHA,
        "2950000",
        date(2026, 4, 6),
        date(2027, 10, 29),
        3,
        "active",
        _board(JANE, ROBERT, GARETH, (SAM,)),
    ),
    DemoProject(
        "DIG-2026-04",
        "Council tax online self-service",
        "Residents phone the contact centre 60,000 times a year to report a change of address "
        "or set up a direct debit; most of these calls could be self-served online.",
        EBC,
        (),
        DEV,
        "180000",
        date(2026, 2, 2),
        date(2026, 12, 18),
        1,
        "active",
        _board(ROBERT, None, None, (CHRIS,), FATIMA),
    ),
    DemoProject(
        "SAF-2026-05",
        "Missing children rapid response",
        "A serious case review found that information about children missing from care was "
        "not shared between police, social care and schools quickly enough to prevent harm.",
        NCC,
        (POL, ICB),
        MARIA,
        "420000",
        date(2026, 5, 4),
        date(2026, 11, 27),
        5,
        "active",
        _board(JANE, SARAH, None, (LUCY,), FATIMA),
    ),
    DemoProject(
        "HSG-2026-06",
        "Temporary accommodation procurement",
        "Nightly-paid temporary accommodation costs the council £3.1m a year; a framework "
        "contract with block booking would cut unit costs and improve standards.",
        EBC,
        (),
        TOM,
        "1250000",
        date(2026, 6, 1),
        date(2027, 5, 28),
        2,
        "proposed",
        _board(ROBERT, SARAH, GARETH),
    ),
    DemoProject(
        "PH-2026-07",
        "Healthy weight whole-system approach",
        "Childhood obesity in Northshire is above the national average and rising; causes span "
        "food environment, transport, schools and deprivation, and partners disagree on where "
        "to start.",
        ICB,
        (NCC, EBC, CVS),
        AISHA,
        "650000",
        date(2026, 4, 1),
        date(2028, 3, 31),
        2,
        "active",
        _board(SARAH, JANE, None, (CHRIS, SAM), FATIMA),
    ),
    DemoProject(
        "ICT-2026-08",
        "Data centre exit to cloud hosting",
        "The council's data centre lease ends in 2027. Forty line-of-business systems must move "
        "to cloud hosting with no loss of service.",
        NCC,
        (EBC,),
        DEV,
        "5600000",
        date(2026, 1, 12),
        date(2027, 12, 17),
        3,
        "active",
        _board(JANE, ROBERT, GARETH, (LUCY, SAM, CHRIS)),
    ),
    DemoProject(
        "CS-2026-09",
        "Family hubs co-design",
        "Families find early help services fragmented across eleven buildings. Parents and "
        "partners are co-designing family hubs with the services parents say they need.",
        EBC,
        (ICB, CVS),
        TOM,
        "320000",
        date(2026, 7, 1),
        date(2027, 6, 30),
        2,
        "active",
        _board(ROBERT, SARAH, None, (CHRIS,), FATIMA),
    ),
    DemoProject(
        "ENV-2026-10",
        "Waste collection route optimisation",
        "Collection rounds were set in 2009; housing growth means crews regularly miss bins "
        "and vehicles cross routes.",
        EBC,
        (),
        DEV,
        "95000",
        date(2026, 3, 16),
        date(2026, 9, 25),
        1,
        "closed",
        _board(ROBERT, None, None, (SAM,)),
    ),
    DemoProject(
        "MH-2026-11",
        "Mental health crisis alternatives",
        "People in mental health crisis wait in police custody or A&E for hours. Partners agree "
        "the current pathway fails but not on what should replace it.",
        ICB,
        (POL, NCC, CVS),
        AISHA,
        "1900000",
        date(2026, 2, 2),
        date(2027, 12, 22),
        4,
        "active",
        _board(SARAH, JANE, GARETH, (LUCY, CHRIS), FATIMA),
    ),
    DemoProject(
        "REG-2026-12",
        "Town centre regeneration masterplan",
        "Footfall in Eastvale town centre has fallen 30% since 2019 and a third of units are "
        "empty. A levelling-up grant requires a masterplan approved by members.",
        EBC,
        (NCC,),
        MARIA,
        "8500000",
        date(2026, 9, 1),
        date(2029, 3, 30),
        3,
        "proposed",
        _board(ROBERT, JANE, GARETH, (SAM,)),
    ),
    DemoProject(
        "LIB-2026-13",
        "Library self-service kiosks",
        "Library opening hours were cut in 2023; self-service kiosks would let branches open "
        "longer with the same staff.",
        NCC,
        (),
        DEV,
        "140000",
        date(2025, 9, 1),
        date(2026, 4, 30),
        1,
        "closed_early",
        _board(JANE, None, None, (CHRIS,)),
    ),
    DemoProject(
        "VCS-2026-14",
        "Community grants digital application",
        "Voluntary groups apply for community grants on paper forms; officers re-key them and "
        "applicants wait eight weeks for a decision.",
        CVS,
        (EBC,),
        TOM,
        "60000",
        date(2026, 8, 3),
        date(2027, 1, 29),
        1,
        "proposed",  # hybrid, and its board has not approved a start gate yet
        _board(ROBERT, None, None, (LUCY,), FATIMA),
    ),
]


def load(password: str) -> dict[str, int]:
    """Create whatever is missing and set every demo person's password to ``password``."""
    created = {"organisations": 0, "people": 0, "projects": 0}
    org_by_name = {o.name: o for o in db.session.scalars(select(Organisation))}
    for name, short, kind in ORGANISATIONS:
        if name not in org_by_name:
            org_by_name[name] = orgs.create_organisation(name=name, short_name=short, kind=kind)
            created["organisations"] += 1

    people = {}
    org_by_short = {org.short_name: org for org in org_by_name.values()}
    for email, name, role, short in PEOPLE:
        organisation_id = org_by_short[short].id if short in org_by_short else None
        user = users.find_by_email(email)
        if user is None:
            user = users.create_user(
                email=email,
                name=name,
                password=password,
                global_role=role,
                organisation_id=organisation_id,
            )
            created["people"] += 1
        elif not user.check_password(password):
            user.set_password(password)
        if user.organisation_id is None:
            user.organisation_id = organisation_id
        people[email] = user

    existing = set(db.session.scalars(select(Project.code)))
    for spec in PROJECTS:
        if spec.code in existing:
            continue
        project = projects.create_project(
            projects.ProjectData(
                code=spec.code,
                name=spec.name,
                problem_statement=spec.problem,
                lead_organisation_id=org_by_name[spec.lead].id,
                partner_ids=[org_by_name[p].id for p in spec.partners],
                manager_id=people[spec.manager].id,
                budget_at_completion=Decimal(spec.budget),
                planned_start=spec.start,
                planned_finish=spec.finish,
                criticality=spec.criticality,
            )
        )
        for email, role in spec.board:
            projects.add_member(project, people[email], role)
        created["projects"] += 1
    # The demo's own projects: a project approved from the demo pipeline (tracker.proposals)
    # is not one of them, so loading again leaves it as the first load did.
    projects_by_code = {
        p.code: p
        for p in db.session.scalars(
            select(Project).where(Project.code.in_([s.code for s in PROJECTS]))
        )
    }
    methods_demo.load(projects_by_code, people)
    frameworks_demo.load(projects_by_code, people)
    stages_demo.load(projects_by_code, people)
    board_demo.load(projects_by_code, people)
    business_cases_demo.load(projects_by_code, people)
    agile_demo.load(projects_by_code, people)
    _close_early(projects_by_code, people)
    worklog_demo.load(projects_by_code, people)
    budget_demo.load(projects_by_code, people)
    notifications_demo.load(projects_by_code, people)
    registers_demo.load(projects_by_code, people)
    registers_extra.load(projects_by_code, people)
    phases_demo.load(projects_by_code, people)
    releases_demo.load(projects_by_code, people)
    benefits_demo.load(projects_by_code, people)
    proposals_demo.load(people)
    programmes_demo.load(projects_by_code, people)
    db.session.flush()
    return created


# Projects the board stopped before they started: code -> the Executive's reason.
CLOSED_EARLY = {
    "LIB-2026-13": "The library review moved branches to community management: kiosks are "
    "no longer needed.",
}


def _close_early(projects_by_code: dict[str, Project], people: dict[str, User]) -> None:
    """The Executive closes these demo projects through the same decision as on the page:
    no demo status is set by hand."""
    for code, reason in CLOSED_EARLY.items():
        project = projects_by_code.get(code)
        if project is None or project.status != ProjectStatus.PROPOSED:
            continue
        executive = next(m.user for m in project.memberships if m.role == "executive")
        agile_services.close_project(project, reason=reason, version=None, actor=executive)


def demo_logins() -> list[tuple[str, str, str]]:
    """Who to sign in as, to see each kind of user's view."""
    return [
        ("admin@example.gov.uk", "Alex Admin", "administrator"),
        ("priya.shah@example.gov.uk", "Priya Shah", "PMO analyst"),
        ("maria.okafor@example.gov.uk", "Maria Okafor", "project manager (ASC, SAF, REG)"),
        ("tom.hughes@example.gov.uk", "Tom Hughes", "project manager (HOM, HSG, CS, VCS)"),
        ("cllr.jane.morgan@example.gov.uk", "Cllr Jane Morgan", "executive, elected member"),
        ("sarah.lewis@example.gov.uk", "Sarah Lewis", "senior user"),
        ("gareth.jones@example.gov.uk", "Gareth Jones", "senior supplier"),
        ("lucy.brown@example.gov.uk", "Lucy Brown", "team member"),
        ("fatima.ali@example.gov.uk", "Fatima Ali", "customer representative"),
    ]


def all_people() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))
