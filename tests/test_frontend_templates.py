"""The shared layout and macros render the markup other pages rely on.

These tests use a bare Flask app pointed at ``templates/`` so they do not
depend on the application factory: the layout and macros are a contract of
their own (docs/frontend.md).
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, flash, render_template, render_template_string
from flask_login import LoginManager, UserMixin, login_user
from flask_wtf import CSRFProtect, FlaskForm
from wtforms import (
    DecimalField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Page titles read "Page <en dash> Governance Tracker", as GOV.UK titles do.
DASH = "\N{EN DASH}"


class _User(UserMixin):
    id = "1"
    name = "Priya Shah"


class _ProjectForm(FlaskForm):
    name = StringField(
        "Project name",
        validators=[DataRequired("Enter a project name")],
        description="As it appears in the portfolio register",
    )
    budget = DecimalField("Budget", validators=[InputRequired("Enter the budget")])
    summary = TextAreaField("Summary", validators=[Length(max=200)])
    method = RadioField(
        "Delivery method",
        choices=[SelectChoice("agile", "Agile"), SelectChoice("plan", "Plan-driven")],
        validators=[DataRequired("Select a delivery method")],
    )
    risks = SelectMultipleField(
        "Risk areas", choices=[SelectChoice("cost", "Cost"), SelectChoice("time", "Time")]
    )


_FORM_PAGE = """
{% extends "base.html" %}
{% import "macros/forms.html" as forms %}
{% block title %}Add a project{% endblock %}
{% block content %}
{{ forms.error_summary(form) }}
<form method="post" novalidate>
  {{ form.csrf_token }}
  {{ forms.input(form.name, width="two-thirds") }}
  {{ forms.input(form.budget, prefix="£", width="10") }}
  {{ forms.textarea(form.summary, character_count=true) }}
  {{ forms.radios(form.method, hints={"plan": "Stages and gates"}) }}
  {{ forms.checkboxes(form.risks) }}
  {{ forms.button("Add project") }}
</form>
{% endblock %}
"""


@pytest.fixture
def layout_app():
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.update(SECRET_KEY="test", TESTING=True, WTF_CSRF_ENABLED=False)
    CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.user_loader(lambda user_id: _User())
    return app


def _assert_csp_safe(html):
    """No inline script, inline style block or style attribute."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def _page_context(**extra):
    return {
        "service_nav": [
            {"text": "Dashboard", "href": "/", "active": False},
            {"text": "Projects", "href": "/projects", "active": True},
        ],
        "account_href": "/account",
        "logout_href": "/logout",
        "accessibility_href": "/accessibility",
        **extra,
    }


def test_layout_shows_service_and_signed_in_user(layout_app):
    with layout_app.test_request_context("/projects"):
        login_user(_User())
        flash("Project saved", "success")
        html = render_template("errors/404.html", **_page_context())

    _assert_csp_safe(html)
    assert f"<title>Page not found {DASH} Governance Tracker</title>" in html
    assert '<a href="/" class="govuk-generic-header__homepage-link">Governance Tracker</a>' in html
    assert "govuk-header__crown" not in html and "govuk-logo" not in html
    assert 'aria-current="true"' in html
    assert "Priya Shah" in html
    assert re.search(r'<form [^>]*method="post" action="/logout"', html)
    assert 'name="csrf_token"' in html
    assert "govuk-notification-banner--success" in html
    assert 'href="/accessibility"' in html
    assert "Open Government Licence" not in html


def test_layout_hides_user_area_when_signed_out(layout_app):
    with layout_app.test_request_context("/"):
        html = render_template("errors/403.html", **_page_context())

    assert "You do not have permission to view this page" in html
    assert "Sign out" not in html


def test_500_page_renders_with_an_empty_context(layout_app):
    with layout_app.test_request_context("/"):
        html = render_template("errors/500.html")

    _assert_csp_safe(html)
    assert "Sorry, there is a problem with the service" in html
    assert "Error: " not in html


def test_form_errors_link_to_fields_and_describe_them(layout_app):
    with layout_app.test_request_context("/", method="POST", data={"summary": "x" * 201}):
        form = _ProjectForm()
        assert not form.validate()
        html = render_template_string(_FORM_PAGE, form=form)

    _assert_csp_safe(html)
    assert f"<title>Error: Add a project {DASH} Governance Tracker</title>" in html
    summary = html[html.index("govuk-error-summary") : html.index("<form")]
    assert '<a href="#name">Enter a project name</a>' in summary
    assert '<a href="#budget">Enter the budget</a>' in summary
    assert '<a href="#method">Select a delivery method</a>' in summary
    # The field the summary links to exists and is described by hint and error.
    assert re.search(r'<input aria-describedby="name-hint name-error" [^>]*id="name"', html)
    assert 'id="name-error" class="govuk-error-message"' in html
    # Radios: the first option carries the field's id; hints are per option.
    assert re.search(r'<input class="govuk-radios__input" id="method" name="method"', html)
    assert 'id="method-2"' in html and 'aria-describedby="method-2-item-hint"' in html
    # Numbers are text inputs with a numeric keyboard, not type="number".
    assert re.search(r'<input [^>]*inputmode="decimal"[^>]*type="text"', html)
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    # The character count comes from the Length validator; no hard maxlength.
    assert 'data-maxlength="200"' in html and "You can enter up to 200 characters" in html
    assert "maxlength=" not in html.replace("data-maxlength=", "")
    assert 'data-prevent-double-click="true"' in html


def test_form_without_errors_has_no_summary(layout_app):
    with layout_app.test_request_context("/"):
        html = render_template_string(_FORM_PAGE, form=_ProjectForm())

    assert "govuk-error-summary" not in html
    assert f"<title>Add a project {DASH} Governance Tracker</title>" in html


@pytest.mark.parametrize(
    ("page", "pages", "expected"),
    [
        (1, 1, []),
        (1, 3, ["1", "2", "3"]),
        (5, 12, ["1", "…", "4", "5", "6", "…", "12"]),
        (4, 4, ["1", "2", "3", "4"]),
    ],
)
def test_pagination_shows_a_window_of_pages(layout_app, page, pages, expected):
    state = SimpleNamespace(page=page, pages=pages, has_prev=page > 1, has_next=page < pages)
    with layout_app.test_request_context("/"):
        html = render_template_string(
            '{% import "macros/ui.html" as ui %}{{ ui.pagination(state, url) }}',
            state=state,
            url=lambda n: f"/projects?page={n}",
        )

    shown = [
        "…" if "ellipsis" in item else re.search(r'aria-label="Page (\d+)"', item).group(1)
        for item in re.findall(r'<li class="govuk-pagination__item.*?</li>', html, re.S)
    ]
    assert shown == expected
    assert ('rel="prev"' in html) == (page > 1 and pages > 1)
    assert ('rel="next"' in html) == (page < pages)
    if expected:
        assert f'href="/projects?page={page}" aria-label="Page {page}" aria-current="page"' in html


def test_ui_macros_escape_text_and_keep_markup(layout_app):
    page = """
    {% import "macros/ui.html" as ui %}
    {{ ui.summary_list([("Name", name), {"key": "Status", "value": ui.tag("At risk", "orange"),
        "actions": [{"href": "/edit", "text": "Change", "visually_hidden": "status"}]}]) }}
    {{ ui.table([{"text": "Project", "sort_href": "?sort=name", "sort": "ascending"},
                 {"text": "Budget", "numeric": true}],
                [[name, {"text": "£5", "numeric": true}]], caption="Projects") }}
    {{ ui.timeline([{"title": "Gate 2 approved", "byline": "Sam Lee",
                     "datetime": "2025-03-03T14:15:00+00:00", "display_time": "3 March 2025"}]) }}
    """
    with layout_app.test_request_context("/"):
        html = render_template_string(page, name="<b>Court</b> records")

    _assert_csp_safe(html)
    assert "&lt;b&gt;Court&lt;/b&gt; records" in html
    assert '<strong class="govuk-tag govuk-tag--orange">' in html
    assert "govuk-summary-list__row--no-actions" in html
    assert 'aria-sort="ascending"' in html
    assert "govuk-table__cell govuk-table__cell--numeric" in html
    assert '<time datetime="2025-03-03T14:15:00+00:00">3 March 2025</time>' in html
