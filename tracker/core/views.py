from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from tracker.core import bp
from tracker.extensions import db


@bp.get("/")
def index():
    return redirect(url_for("projects.list_projects"))


@bp.get("/health")
def health():
    """For load balancers: the app is up and can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/accessibility")
def accessibility():
    return render_template("core/accessibility.html")


# Navigation: one list, so every page shows the same service navigation.
NAV = (
    ("Projects", "projects.list_projects", None),
    ("Organisations", "orgs.list_organisations", None),
    ("People", "auth.list_users", "admin"),
)


def service_nav() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    for text_, target, role in NAV:
        if role == "admin" and not current_user.is_admin:
            continue
        blueprint = target.split(".")[0]
        items.append(
            {
                "text": text_,
                "href": url_for(target),
                "active": endpoint.split(".")[0] == blueprint
                and (blueprint != "auth" or endpoint.endswith("user") or "users" in endpoint),
            }
        )
    return items
