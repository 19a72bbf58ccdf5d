"""Budget pages through the client: forms, bad input, double submission, CSV report,
charts against their tables, filters, the inbox and query counts."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import func, select

from tests.budget.conftest import release_budgets
from tests.budget.helpers import cost
from tests.races import saved_meanwhile
from tracker.budget import services
from tracker.budget.models import Baseline, Checkpoint, CostEntry
from tracker.core.errors import STALE_MESSAGE


def _url(project, path=""):
    return f"/projects/{project.id}/budget{path}"


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _cost_form(**overrides):
    data = {
        "spent_on": "2026-02-01",
        "amount": "1,250.50",
        "category": "supplier",
        "supplier": "Acme Ltd",
        "description": "Workshop venue",
        "link": "",
    }
    data.update(overrides)
    return data


def test_manager_records_a_cost_and_a_double_submission_records_one(client, login, db, staged):
    project = staged["project"]
    login(staged["manager"])
    page = client.get(_url(project, "/costs/new")).get_data(as_text=True)
    token = _token(page)
    first = client.post(_url(project, "/costs/new"), data=_cost_form(token=token))
    assert first.status_code == 302
    second = client.post(_url(project, "/costs/new"), data=_cost_form(token=token))
    assert second.status_code == 302
    assert _count(db, CostEntry) == 1
    page = client.get(_url(project), follow_redirects=True).get_data(as_text=True)
    assert "already recorded" in page
    assert "£1,250.50" in page


def test_cost_form_tokens_are_made_by_the_server_for_their_project(
    client, login, db, staged, make_project
):
    """A token from project A's form cannot be used on project B's (where it would find A's
    cost and say "already recorded"), and a token the client made up is refused."""
    project = staged["project"]
    other = make_project(manager=staged["manager"], code="OTHER-9")
    login(staged["manager"])
    token = _token(client.get(_url(project, "/costs/new")).get_data(as_text=True))
    assert client.post(_url(project, "/costs/new"), data=_cost_form(token=token)).status_code == 302
    assert _count(db, CostEntry) == 1

    for wrong in (token, "made-up-by-the-client", "", token.split(".")[0] + ".0123456789abcdef"):
        response = client.post(_url(other, "/costs/new"), data=_cost_form(token=wrong))
        assert response.status_code == 400, wrong
        page = response.get_data(as_text=True)
        assert "This form was not made by this page for this project" in page
        assert "govuk-error-summary" in page
        assert "already recorded" not in page
    assert _count(db, CostEntry) == 1
    assert (
        db.session.scalar(select(func.count(CostEntry.id)).where(CostEntry.project_id == other.id))
        == 0
    )
    # The other project's own form still works.
    own = _token(client.get(_url(other, "/costs/new")).get_data(as_text=True))
    assert client.post(_url(other, "/costs/new"), data=_cost_form(token=own)).status_code == 302
    assert _count(db, CostEntry) == 2


def test_an_import_token_from_another_project_is_refused(client, login, db, staged, make_project):
    other = make_project(manager=staged["manager"], code="OTHER-8")
    login(staged["manager"])
    token = _token(client.get(_url(staged["project"], "/costs/import")).get_data(as_text=True))
    text = "date,amount,category,supplier,description\n2026-01-05,10,staff,,Pay\n"
    response = client.post(
        _url(other, "/costs/import"),
        data={"token": token, "file": (io.BytesIO(text.encode()), "costs.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This form was not made by this page for this project" in response.get_data(as_text=True)
    assert _count(db, CostEntry) == 0


def test_the_service_refuses_a_token_used_on_another_project(db, staged, make_project):
    from tracker.core.errors import RuleError

    project = staged["project"]
    other = make_project(manager=staged["manager"], code="OTHER-7")
    data = services.CostData(
        spent_on=date(2026, 1, 5),
        amount=Decimal("10"),
        category="other",
        supplier="",
        description="Pay",
    )
    services.record_cost(project, data, token="shared", actor=staged["manager"])
    db.session.commit()
    with pytest.raises(RuleError, match="belongs to another project"):
        services.record_cost(other, data, token="shared", actor=staged["manager"])
    db.session.rollback()
    assert _count(db, CostEntry) == 1


def test_bad_cost_input_names_the_field_and_saves_nothing(client, login, db, staged):
    login(staged["manager"])

    def token():
        return _token(client.get(_url(staged["project"], "/costs/new")).get_data(as_text=True))

    response = client.post(
        _url(staged["project"], "/costs/new"),
        data=_cost_form(amount="ten pounds", supplier="", token=token()),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter amount as an amount in pounds" in page
    assert _count(db, CostEntry) == 0
    response = client.post(
        _url(staged["project"], "/costs/new"),
        data=_cost_form(supplier="", token=token()),
    )
    assert response.status_code == 400
    assert "Enter the supplier for a supplier cost" in response.get_data(as_text=True)
    response = client.post(
        _url(staged["project"], "/costs/new"),
        data=_cost_form(is_credit="y", credit_reason="", token=token()),
    )
    assert response.status_code == 400
    assert "Enter the reason for the credit note" in response.get_data(as_text=True)
    assert _count(db, CostEntry) == 0


def test_a_team_member_cannot_record_costs(client, login, staged):
    login(staged["member"])
    assert client.get(_url(staged["project"], "/costs/new")).status_code == 403
    assert client.get(_url(staged["project"])).status_code == 200


def test_a_bad_csv_shows_every_problem_and_imports_nothing(client, login, db, staged):
    login(staged["manager"])
    page = client.get(_url(staged["project"], "/costs/import")).get_data(as_text=True)
    text = (
        "date,amount,category,supplier,description\n"
        "2026-01-05,10,staff,,Pay\n"
        "2026-13-01,x,staff,,\n"
    )
    response = client.post(
        _url(staged["project"], "/costs/import"),
        data={"token": _token(page), "file": (io.BytesIO(text.encode()), "costs.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported: 3 problems found" in page
    assert "2026-13-01 is not a real date" in page
    assert "Enter a description." in page
    assert _count(db, CostEntry) == 0


def test_a_good_csv_is_imported(client, login, db, staged):
    login(staged["manager"])
    page = client.get(_url(staged["project"], "/costs/import")).get_data(as_text=True)
    text = (
        "date,amount,category,supplier,description\n"
        "2026-01-05,10,staff,,Pay\n"
        "2026-01-06,5.5,other,,Fares\n"
    )
    response = client.post(
        _url(staged["project"], "/costs/import"),
        data={"token": _token(page), "file": (io.BytesIO(text.encode()), "costs.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Imported 2 costs totalling £15.50" in response.get_data(as_text=True)
    assert _count(db, CostEntry) == 2


def test_a_file_that_is_not_utf8_is_refused_and_imports_nothing(client, login, db, staged):
    login(staged["manager"])
    page = client.get(_url(staged["project"], "/costs/import")).get_data(as_text=True)
    response = client.post(
        _url(staged["project"], "/costs/import"),
        data={"token": _token(page), "file": (io.BytesIO(b"date,amount\n\xff\xfe"), "c.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.get_data(as_text=True)
    assert _count(db, CostEntry) == 0


def test_an_import_without_a_file_is_refused(client, login, staged):
    login(staged["manager"])
    response = client.post(_url(staged["project"], "/costs/import"), data={"token": "x"})
    assert response.status_code == 400
    assert "Choose a CSV file to import" in response.get_data(as_text=True)


def test_rebaselining_needs_a_reason_on_the_form(client, login, db, staged):
    login(staged["manager"])
    assert client.post(_url(staged["project"], "/baseline"), data={"reason": ""}).status_code == 302
    response = client.post(_url(staged["project"], "/baseline"), data={"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for re-baselining" in response.get_data(as_text=True)
    assert _count(db, Baseline) == 1
    page = client.get(_url(staged["project"], "/baselines")).get_data(as_text=True)
    assert "Baseline 1 (current)" in page


def test_release_baseline_form_refuses_missing_budgets(client, login, db, agile_project):
    login(agile_project["manager"])
    response = client.post(
        _url(agile_project["project"], "/baseline"), data={"reason": "", "planned_points": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the planned release points" in page
    assert "Enter the budget for Sprint 1" in page
    assert _count(db, Baseline) == 0


def _checkpointed_agile(db, agile_project):
    project = agile_project["project"]
    services.set_baseline(
        project,
        services.BaselineData("", 120, release_budgets(agile_project["iterations"])),
        actor=agile_project["manager"],
    )
    cost(project, None, "15000", on=date(2026, 3, 10))
    cost(project, None, "27000", on=date(2026, 3, 20))
    for day in (date(2026, 3, 13), date(2026, 3, 27)):
        services.take_checkpoint(
            project, services.CheckpointData(day), actor=None, today=date(2026, 12, 31)
        )
    db.session.commit()
    return project


def test_budget_page_shows_indices_s_curve_and_its_table(client, login, db, agile_project):
    project = _checkpointed_agile(db, agile_project)
    login(agile_project["manager"])
    page = client.get(_url(project)).get_data(as_text=True)
    assert 'data-chart="s-curve"' in page and 'data-chart="indices"' in page
    table = page[page.index('data-chart-table="s-curve"') :]
    table = table[: table.index("</table>")]
    # The table holds the same numbers as the checkpoints: PV, EV, AC at 27/03/2026, and
    # the projection from AC to EAC at the planned finish.
    assert re.search(
        r"27/03/2026</th>\s*<td[^>]*>£40,000.00</td>\s*<td[^>]*>£37,916.67</td>"
        r"\s*<td[^>]*>£42,000.00</td>\s*<td[^>]*>£42,000.00</td>",
        table,
    )
    assert re.search(
        r"10/04/2026</th>\s*<td[^>]*>£65,000.00</td>\s*<td[^>]*>–</td>\s*"
        r"<td[^>]*>–</td>\s*<td[^>]*>£71,999.99</td>",
        table,
    )
    assert "0.90" in page and "0.95" in page  # CPI and SPI to two places on screen
    assert "£71,999.99" in page
    assert "Red" in page
    # The money axis reads in pounds, and the index chart has its on-plan line.
    assert re.search(r'text-anchor="end">£\d{1,3}(,\d{3})+</text>', page)
    assert 'data-reference="1.00: on plan"' in page


def test_budget_page_says_why_a_figure_is_undefined(client, login, db, staged):
    services.set_baseline(staged["project"], services.BaselineData(""), actor=None)
    services.take_checkpoint(
        staged["project"], services.CheckpointData(date(2026, 1, 5)), actor=None
    )
    db.session.commit()
    login(staged["manager"])
    page = client.get(_url(staged["project"])).get_data(as_text=True)
    assert "no cost recorded yet (AC is zero)" in page
    assert "NaN" not in page and "Infinity" not in page


def test_manager_takes_a_checkpoint_with_percent_complete(client, login, db, staged):
    one, two = staged["stages"]
    services.set_baseline(staged["project"], services.BaselineData(""), actor=None)
    db.session.commit()
    login(staged["manager"])
    page = client.get(_url(staged["project"], "/checkpoints/new")).get_data(as_text=True)
    form = {
        "token": _token(page),
        "taken_on": "2026-01-20",
        f"percent_{one.id}": "100",
        f"percent_{two.id}": "130",
    }
    response = client.post(_url(staged["project"], "/checkpoints/new"), data=form)
    assert response.status_code == 400
    assert "percent must be from 0 to 100" in response.get_data(as_text=True)
    assert _count(db, Checkpoint) == 0
    form[f"percent_{two.id}"] = "30"
    response = client.post(
        _url(staged["project"], "/checkpoints/new"), data=form, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "£58,000.00" in page  # EV
    assert "£70,000.00" in page  # PV
    # The same form again does not take a second checkpoint.
    client.post(_url(staged["project"], "/checkpoints/new"), data=form)
    assert _count(db, Checkpoint) == 1


def test_cost_filters_and_pagination(client, login, db, staged, app):
    project = staged["project"]
    for n in range(app.config["PAGE_SIZE"] + 2):
        cost(
            project,
            None,
            "10",
            on=date(2026, 2, 1 + n % 20),
            category="staff",
            description=f"Cover {n}",
        )
    cost(
        project,
        None,
        "500",
        on=date(2026, 3, 1),
        category="capital",
        supplier="Dell",
        description="Laptops",
    )
    login(staged["manager"])
    page = client.get(_url(project, "?category=capital")).get_data(as_text=True)
    assert "Laptops" in page and "Cover 1<" not in page
    assert "1 cost totalling <strong>£500.00</strong>" in page
    page = client.get(_url(project, "?supplier=dell&from=2026-02-15")).get_data(as_text=True)
    assert "Laptops" in page
    page = client.get(_url(project, "?page=2&category=staff")).get_data(as_text=True)
    assert "category=staff" in page  # pagination keeps the filter
    assert "Laptops" not in page


def test_budget_page_query_count_does_not_grow_with_rows(client, login, db, agile_project):
    project = _checkpointed_agile(db, agile_project)
    login(agile_project["manager"])

    def queries_for_page() -> int:
        assert client.get(_url(project)).status_code == 200
        return len(get_recorded_queries())  # the client starts each request afresh

    queries_for_page()
    few = queries_for_page()
    for n in range(15):
        cost(project, agile_project["manager"], "1", on=date(2026, 3, 1), description=f"c{n}")
    queries_for_page()  # the first request after the commits reloads the signed-in user
    assert queries_for_page() == few


def test_user_text_is_escaped(client, login, db, staged):
    cost(staged["project"], None, "5", description="<script>alert(1)</script>")
    login(staged["manager"])
    page = client.get(_url(staged["project"])).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_budget_exception_is_in_the_inbox_and_decided_on_its_page(
    client, login, db, agile_project
):
    project = agile_project["project"]
    _checkpointed_agile(db, agile_project)
    report = services.open_budget_exception(project)
    login(agile_project["executive"])
    inbox = client.get("/decisions").get_data(as_text=True)
    assert "Budget exceptions" in inbox
    assert f"/budget/exceptions/{report.id}" in inbox
    response = client.post(
        _url(project, f"/exceptions/{report.id}/decide"),
        data={"decision": "accept", "comment": "", "version": str(report.version)},
    )
    assert response.status_code == 400
    assert "Enter the reason for your decision" in response.get_data(as_text=True)
    response = client.post(
        _url(project, f"/exceptions/{report.id}/decide"),
        data={"decision": "accept", "comment": "Overrun is funded", "version": str(report.version)},
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.status == "decided"
    login(agile_project["manager"])
    response = client.post(
        _url(project, f"/exceptions/{report.id}/decide"),
        data={"decision": "accept", "comment": "x"},
    )
    assert response.status_code == 403


def test_project_page_shows_the_budget_section(client, login, db, agile_project):
    project = _checkpointed_agile(db, agile_project)
    login(agile_project["manager"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="budget"' in page
    assert "£42,000.00" in page  # spent to date
    assert "CPI 0.90, SPI 0.95" in page


def test_hybrid_iteration_form_offers_authorised_stages(client, login, db, staged):
    project = staged["project"]
    project.delivery_method = "hybrid"
    one, _ = staged["stages"]
    one.status = "authorised"
    db.session.commit()
    login(staged["manager"])
    page = client.get(f"/projects/{project.id}/iterations/new").get_data(as_text=True)
    assert "Stage 1: Discovery" in page and "Stage 2: Build" not in page
    response = client.post(
        f"/projects/{project.id}/iterations/new",
        data={
            "name": "It 1",
            "goal": "Try",
            "start_on": "2026-01-08",
            "end_on": "2026-01-12",
            "stage_id": str(one.id),
        },
    )
    assert response.status_code == 400
    assert "must fall within Stage 1: Discovery" in response.get_data(as_text=True)
    response = client.post(
        f"/projects/{project.id}/iterations/new",
        data={
            "name": "It 1",
            "goal": "Try",
            "start_on": "2026-01-02",
            "end_on": "2026-01-06",
            "stage_id": str(one.id),
        },
    )
    assert response.status_code == 302


def test_an_unknown_project_and_a_forbidden_one_refuse_an_import_alike(
    client, login, db, staged, make_project
):
    other = make_project(code="NOT-MINE")
    login(staged["manager"])
    text = "date,amount,category,supplier,description\n2026-01-05,10,staff,,Pay\n"
    answers = []
    for project_id in (other.id, other.id + 1000):
        path = f"/projects/{project_id}/budget/costs/import"
        assert client.get(path).status_code == 403
        response = client.post(
            path,
            data={"token": "x", "file": (io.BytesIO(text.encode()), "costs.csv")},
            content_type="multipart/form-data",
        )
        answers.append((response.status_code, response.get_data(as_text=True)))
    assert answers[0][0] == answers[1][0] == 403
    assert answers[0][1] == answers[1][1]
    assert _count(db, CostEntry) == 0


def test_a_budget_exception_decided_from_an_old_page_shows_the_stale_message(
    client, login, db, agile_project
):
    project = agile_project["project"]
    _checkpointed_agile(db, agile_project)
    report = services.open_budget_exception(project)
    db.session.commit()
    seen = report.version
    report.breach = "Changed by someone else"
    db.session.commit()
    login(agile_project["executive"])
    response = client.post(
        _url(project, f"/exceptions/{report.id}/decide"),
        data={"decision": "accept", "comment": "Overrun is funded", "version": str(seen)},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert report.status == "open"


def test_a_budget_exception_saved_meanwhile_shows_the_stale_message_not_an_error_page(
    client, login, db, agile_project
):
    """Someone else saves the report after the page loaded it: caught at the save, not a 500."""
    project = agile_project["project"]
    _checkpointed_agile(db, agile_project)
    report = services.open_budget_exception(project)
    db.session.commit()
    seen = report.version
    saved_meanwhile(db, report, breach="Changed by someone else")
    login(agile_project["executive"])
    response = client.post(
        _url(project, f"/exceptions/{report.id}/decide"),
        data={"decision": "accept", "comment": "Overrun is funded", "version": str(seen)},
    )
    assert response.status_code == 400
    assert STALE_MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert (report.status, report.breach) == ("open", "Changed by someone else")
