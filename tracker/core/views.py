from __future__ import annotations

from collections.abc import Callable

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from tracker.core import bp
from tracker.extensions import db


@bp.get("/")
def index():
    return redirect(url_for("worklog.my_work"))


@bp.get("/health")
def health():
    """For load balancers: the app is up and can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/accessibility")
def accessibility():
    return render_template("core/accessibility.html")


def page_url(number: int) -> str:
    """The current page's URL with another page number, keeping filters and sorting."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, page=number)


# Navigation: one list, so every page shows the same service navigation.
NAV = (
    ("My work", "worklog.my_work", None),
    ("Timesheet", "worklog.timesheet", None),
    ("Projects", "projects.list_projects", None),
    ("Proposals", "proposals.list_proposals", None),
    ("Decisions", "stages.inbox", None),
    ("Inbox", "notifications.inbox", None),
    ("Organisations", "orgs.list_organisations", None),
    ("Frameworks", "frameworks.list_frameworks", None),
    ("Portfolio", "portfolio.dashboard", None),
    ("People", "auth.list_users", "admin"),
    ("Jobs", "scheduler.job_log", "admin"),
)


# endpoint -> callable giving a short count to show after the item's name ("3 unread").
NAV_BADGES: dict[str, Callable[[], str | None]] = {}


def service_nav() -> list[dict]:
    """The header's navigation, worked out once per request (its badges cost a query, and a
    page may render more than one template)."""
    if not current_user.is_authenticated:
        return []
    if "service_nav" in g:
        return g.service_nav
    endpoint = request.endpoint or ""
    items = []
    for text_, target, role in NAV:
        if (role == "admin" and not current_user.is_admin) or (
            role == "pmo" and not current_user.is_pmo
        ):
            continue
        blueprint = target.split(".")[0]
        badge = NAV_BADGES[target]() if target in NAV_BADGES else None
        items.append(
            {
                "text": f"{text_} ({badge})" if badge else text_,
                "href": url_for(target),
                "active": endpoint.split(".")[0] == blueprint
                and (blueprint != "auth" or endpoint.endswith("user") or "users" in endpoint)
                and (blueprint not in {"stages", "worklog"} or endpoint == target),
            }
        )
    g.service_nav = items
    return items
