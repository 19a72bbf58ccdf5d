"""The main pages, each with the demo person who would look at it.

Addresses are found in the demo data by project code and record names, never by guessed ids,
so the catalogue keeps working when the demo grows. The accessibility checks visit every page
here; the README's screenshots are the ones with a ``screenshot`` name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from tests.browser.journeys import ADMIN, JANE, MARIA, PMO, TOM
from tracker.agile.models import Iteration
from tracker.benefits.models import Benefit
from tracker.changes.models import ChangeRequest
from tracker.extensions import db
from tracker.methods.models import Assessment
from tracker.orgs.models import Organisation
from tracker.phases.models import ServiceAssessment
from tracker.programmes.models import Portfolio, Programme
from tracker.projects.models import Project
from tracker.registers.models import Assumption, Dependency, Escalation, Issue, Risk
from tracker.releases.models import Release
from tracker.stages.models import GateReview, Stage

ASC, HOM = "ASC-2026-01", "HOM-2026-02"
ROBERT = "robert.ellis@example.gov.uk"  # HOM's Executive
LUCY = "lucy.brown@example.gov.uk"  # proposes in the demo pipeline


def _proposal(title: str, suffix: str = "") -> Callable[[], str]:
    def path() -> str:
        from tracker.proposals.models import Proposal

        proposal_id = db.session.scalar(select(Proposal.id).where(Proposal.title == title))
        assert proposal_id is not None, f"the demo has no proposal {title!r}"
        return f"/proposals/{proposal_id}{suffix}"

    return path


def _compare() -> str:
    from tracker.proposals.models import Proposal

    ids = db.session.scalars(
        select(Proposal.id).where(
            Proposal.title.in_(["Flood warning sensors", "Electric fleet charging"])
        )
    ).all()
    return "/proposals/compare?" + "&".join(f"ids={i}" for i in ids)


@dataclass(frozen=True)
class MainPage:
    name: str
    email: str | None
    path: Callable[[], str]
    screenshot: str | None = None
    full_page: bool = False


def _project_id(code: str) -> int:
    return db.session.scalar(select(Project.id).where(Project.code == code))


def _project(code: str, suffix: str = "") -> Callable[[], str]:
    return lambda: f"/projects/{_project_id(code)}{suffix}"


def _programme(code: str, suffix: str = "") -> Callable[[], str]:
    def path() -> str:
        statement = select(Programme.id).where(Programme.code == code)
        return f"/programmes/{db.session.scalar(statement)}{suffix}"

    return path


def _portfolio(name: str) -> Callable[[], str]:
    return lambda: (
        f"/portfolios/{db.session.scalar(select(Portfolio.id).where(Portfolio.name == name))}"
    )


def _organisation(short_name: str) -> Callable[[], str]:
    def path() -> str:
        statement = select(Organisation.id).where(Organisation.short_name == short_name)
        return f"/organisations/{db.session.scalar(statement)}"

    return path


def _first(model, code: str, template: str, **where) -> Callable[[], str]:
    """The address of a project's first record of a model (optionally filtered)."""

    def path() -> str:
        project_id = _project_id(code)
        statement = select(model.id).where(model.project_id == project_id)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        record_id = db.session.scalar(statement.order_by(model.id))
        assert record_id is not None, f"the demo has no {model.__name__} on {code} with {where}"
        return template.format(project_id=project_id, id=record_id)

    return path


def address(server, main_page: MainPage) -> str:
    """Where the page is, looked up in the server's database."""
    with server.app.app_context():
        return main_page.path()


MAIN_PAGES = [
    MainPage("login", None, lambda: "/login", screenshot="login"),
    MainPage("projects list", PMO, lambda: "/projects/", screenshot="projects"),
    MainPage("project page", MARIA, _project(ASC), screenshot="project"),
    MainPage("project form", MARIA, lambda: "/projects/new", screenshot="project-form"),
    MainPage("organisations", PMO, lambda: "/organisations/", screenshot="organisations"),
    MainPage("organisation and its people", MARIA, _organisation("NCC")),
    MainPage("people", ADMIN, lambda: "/users"),
    MainPage("person form", ADMIN, lambda: "/users/new"),
    MainPage("password sign-in", ADMIN, lambda: "/users/sign-in"),
    MainPage("assessment form", MARIA, _project(ASC, "/assessments/new")),
    MainPage(
        "assessment result",
        MARIA,
        _first(
            Assessment,
            ASC,
            "/projects/{project_id}/assessments/{id}",
        ),
        screenshot="assessment",
        full_page=True,
    ),
    MainPage("method decision", MARIA, _project(ASC, "/method-decision")),
    MainPage("switching method", MARIA, _project(ASC, "/method-switch")),
    MainPage("stages list", MARIA, _project(ASC, "/stages")),
    MainPage(
        "stage",
        MARIA,
        _first(Stage, ASC, "/projects/{project_id}/stages/{id}"),
    ),
    MainPage(
        "gate review",
        JANE,
        _first(
            GateReview,
            ASC,
            "/projects/{project_id}/gates/{id}",
            status="pending",
        ),
        screenshot="gate-review",
    ),
    MainPage(
        "gate evidence",
        JANE,
        _first(
            GateReview,
            ASC,
            "/projects/{project_id}/gates/{id}/evidence",
            status="pending",
        ),
        full_page=True,
    ),
    MainPage("business case versions", MARIA, _project(ASC, "/business-case")),
    # The full business case at the gate waiting for Jane: the board's judgement form.
    MainPage("a business case version", JANE, _project(ASC, "/business-case/versions/3")),
    MainPage(
        "what changed in a business case version",
        MARIA,
        _project(ASC, "/business-case/versions/3/changes"),
    ),
    MainPage("conditions", MARIA, _project(ASC, "/conditions")),
    MainPage("delivery confidence", PMO, _project(ASC, "/confidence")),
    MainPage("boards across the portfolio", PMO, lambda: "/portfolio/board"),
    MainPage("documents", MARIA, _project(ASC, "/documents")),
    MainPage("decisions inbox", JANE, lambda: "/decisions", screenshot="decisions-inbox"),
    MainPage(
        "iterations",
        TOM,
        _project(HOM, "/iterations"),
        screenshot="iterations",
        full_page=True,
    ),
    MainPage(
        "iteration",
        TOM,
        _first(
            Iteration,
            HOM,
            "/projects/{project_id}/iterations/{id}",
            status="active",
        ),
    ),
    MainPage("backlog", TOM, _project(HOM, "/backlog")),
    MainPage(
        "feedback form",
        TOM,
        _first(
            Iteration,
            HOM,
            "/projects/{project_id}/iterations/{id}/feedback/new",
            status="active",
        ),
    ),
    MainPage("you said, we did", TOM, _project(HOM, "/you-said-we-did")),
    # The Executive's closure of an agile project (refused while a sprint runs, and says so).
    MainPage("close an agile project", ROBERT, _project(HOM, "/close")),
    MainPage("account", MARIA, lambda: "/account"),
    MainPage("portfolio", PMO, lambda: "/portfolio/", screenshot="portfolio", full_page=True),
    MainPage("portfolio table", PMO, lambda: "/portfolio/projects"),
    MainPage("evidence", PMO, lambda: "/evidence/", full_page=True),
    MainPage("calibration", PMO, lambda: "/evidence/calibration"),
    MainPage("programmes", PMO, lambda: "/programmes/"),
    MainPage("a portfolio of programmes", PMO, _portfolio("Northshire place partnership")),
    MainPage("programme", PMO, _programme("PRG-PLACE")),
    # Its board member: every project's summary, links only to the projects he is on.
    MainPage("programme, for its board", ROBERT, _programme("PRG-CARE")),
    MainPage("programme form", PMO, _programme("PRG-PLACE", "/edit")),
    MainPage("programme dependencies", PMO, _programme("PRG-CARE", "/dependencies")),
    MainPage("methods within a programme", PMO, _programme("PRG-PLACE", "/methods")),
    MainPage("programme highlight report", PMO, _programme("PRG-PLACE", "/highlight")),
    MainPage("partnership", PMO, _programme("PRG-PLACE", "/partnership")),
    MainPage("programme gates", "sarah.lewis@example.gov.uk", _programme("PRG-CARE", "/gates")),
    MainPage("my work", MARIA, lambda: "/my-work"),
    MainPage("timesheet", MARIA, lambda: "/timesheet"),
    MainPage("time entry form", MARIA, lambda: "/time/new"),
    MainPage("project time", MARIA, _project(ASC, "/time")),
    MainPage("budget", MARIA, _project(ASC, "/budget")),
    MainPage("notifications", JANE, lambda: "/notifications"),
    MainPage("risk register", MARIA, _project(ASC, "/risks")),
    MainPage(
        "a risk and its history", MARIA, _first(Risk, ASC, "/projects/{project_id}/risks/{id}")
    ),
    MainPage("risk form", MARIA, _project(ASC, "/risks/new")),
    MainPage("issue register", MARIA, _project(ASC, "/issues")),
    MainPage(
        "an escalation, for the board",
        JANE,
        _first(Escalation, ASC, "/projects/{project_id}/escalations/{id}"),
    ),
    MainPage("escalations, for the PMO", PMO, lambda: "/projects/escalations"),
    MainPage("assumptions and dependencies", PMO, _project(HOM, "/assumptions-and-dependencies")),
    MainPage("change control", MARIA, _project(ASC, "/change-requests")),
    MainPage("an issue", MARIA, _first(Issue, ASC, "/projects/{project_id}/issues/{id}")),
    MainPage(
        "a change request",
        MARIA,
        _first(ChangeRequest, ASC, "/projects/{project_id}/change-requests/{id}"),
    ),
    MainPage(
        "change an assumption",
        PMO,
        _first(Assumption, HOM, "/projects/{project_id}/assumptions/{id}/edit"),
    ),
    MainPage(
        "change a dependency",
        PMO,
        _first(Dependency, HOM, "/projects/{project_id}/dependencies/{id}/edit"),
    ),
    MainPage("lessons log", MARIA, _project(ASC, "/lessons")),
    MainPage("lessons library", MARIA, lambda: "/lessons"),
    MainPage("governance frameworks", PMO, lambda: "/frameworks/"),
    MainPage("governance framework", PMO, lambda: f"/frameworks/{_framework_id()}"),
    MainPage("a project's framework", MARIA, _project(ASC, "/framework")),
    MainPage("move to another framework", MARIA, _project(ASC, "/framework/move")),
    MainPage("phases", PMO, _project("CS-2026-09", "/phases")),
    MainPage("releases", PMO, _project("CS-2026-09", "/releases")),
    MainPage("closure, report form", PMO, _project("HOM-2026-02", "/closure")),
    MainPage("release", PMO, _first(Release, "CS-2026-09", "/projects/{project_id}/releases/{id}")),
    MainPage(
        "service assessment, not passed",
        PMO,
        _first(
            ServiceAssessment,
            "CS-2026-09",
            "/projects/{project_id}/service-assessments/{id}",
            status="failed",
        ),
    ),
    MainPage("benefits register", MARIA, _project(ASC, "/benefits")),
    MainPage(
        "a benefit and its measurements",
        MARIA,
        _first(Benefit, ASC, "/projects/{project_id}/benefits/{id}", off_track=True),
    ),
    MainPage("benefit form", MARIA, _project(ASC, "/benefits/new")),
    MainPage(
        "record a measurement",
        MARIA,
        _first(Benefit, ASC, "/projects/{project_id}/benefits/{id}/measure"),
    ),
    MainPage(
        "record a benefits review",
        MARIA,
        _first(Benefit, ASC, "/projects/{project_id}/benefits/{id}/review"),
    ),
    MainPage("benefits across the portfolio", PMO, lambda: "/portfolio/benefits"),
    MainPage("proposals, mine", LUCY, lambda: "/proposals/"),
    MainPage("proposal form", LUCY, lambda: "/proposals/new"),
    MainPage("proposal assessment", LUCY, _proposal("Youth mental health drop-in", "/assessment")),
    MainPage("a proposal, for the board", JANE, _proposal("Flood warning sensors")),
    MainPage("score a proposal", PMO, _proposal("Digital library cards", "/score")),
    MainPage("proposals pipeline", PMO, lambda: "/proposals/pipeline", full_page=True),
    MainPage("proposals side by side", PMO, _compare),
    MainPage("strategic-fit criteria", PMO, lambda: "/proposals/criteria"),
    MainPage("the prioritisation board", PMO, lambda: "/proposals/board"),
]


def _framework_id() -> int:
    from tracker.frameworks.models import GovernanceFramework

    return db.session.scalar(
        select(GovernanceFramework.id).where(GovernanceFramework.name == "Council gateways 0 to 3")
    )


def page_named(name: str) -> MainPage:
    return next(p for p in MAIN_PAGES if p.name == name)
