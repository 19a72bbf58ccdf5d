"""Each register downloads as CSV and Excel, with the page's columns and safe cells."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tracker.registers import services
from tracker.registers.exports import ISSUE_HEADERS, RISK_HEADERS


def test_the_registers_download_as_csv_and_excel_with_formulas_defused(
    client, login, db, project, people
):
    services.create_risk(
        project,
        services.RiskData(
            title='=HYPERLINK("http://evil")', owner_id=people["manager"].id, likelihood=4
        ),
        actor=people["manager"],
    )
    services.create_issue(
        project,
        services.IssueData("concern", "Budget -10% next year", people["manager"].id, "low", 2),
        actor=people["manager"],
    )
    db.session.commit()
    login(people["team"])
    response = client.get(f"/projects/{project.id}/risks.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{project.code}-risks-' in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == RISK_HEADERS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Title"] == '\'=HYPERLINK("http://evil")'
    assert (record["Likelihood"], record["Impact"], record["Score"]) == ("4", "3", "12")
    assert record["Band"] == "High" and record["Owner"] == "Maria Manager"
    workbook = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/issues.xlsx").data))
    assert workbook.sheetnames == ["About", "Issues"]
    about = [row[1] for row in workbook["About"].iter_rows(values_only=True) if row[0]]
    assert any(project.code in str(value) for value in about)
    sheet = workbook["Issues"]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ISSUE_HEADERS
    assert values[1][2] == "Budget -10% next year" and values[1][5] == 2
    assert isinstance(values[1][0], int)
    login(people["outsider"])
    assert client.get(f"/projects/{project.id}/risks.xlsx").status_code == 403


def test_assumptions_and_dependencies_download_both_ways(
    client, login, db, project, people, make_project, make_user
):
    from datetime import date

    from tracker.registers.exports import ASSUMPTION_HEADERS, DEPENDENCY_HEADERS

    other = make_project(manager=make_user("Omar Other"), planned_finish=date(2027, 12, 31))
    services.create_assumption(
        project,
        "@SUM(A1) grant is renewed",
        people["manager"].id,
        date(2027, 3, 31),
        actor=people["manager"],
    )
    services.create_dependency(
        project,
        services.DependencyData("project", "Shared gazetteer", date(2027, 6, 30), other.id),
        actor=people["manager"],
    )
    third = make_project(manager=make_user("Tara Third"))
    services.create_dependency(
        third,
        services.DependencyData("project", "Address data", date(2028, 1, 31), project.id),
        actor=people["manager"],
    )
    db.session.commit()
    login(people["team"])
    response = client.get(f"/projects/{project.id}/assumptions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == ASSUMPTION_HEADERS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Assumption"] == "'@SUM(A1) grant is renewed"
    assert (record["Confirm by"], record["Status"]) == ("2027-03-31", "To be confirmed")
    book = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/dependencies.xlsx").data))
    assert book.sheetnames == ["About", "Dependencies"]
    values = list(book["Dependencies"].iter_rows(values_only=True))
    assert values[0] == DEPENDENCY_HEADERS
    needs, needed = (dict(zip(values[0], row, strict=True)) for row in values[1:])
    assert needs["Direction"] == "This project needs" and needs["Depends on"].startswith(other.code)
    # The other project finishes after the date needed: at risk, on both sides.
    assert needs["At risk"] == "Yes" and needs["Needed by"].date() == date(2027, 6, 30)
    assert needed["Direction"] == "Needed from this project"
    assert needed["Project"].startswith(third.code) and needed["At risk"] == "No"
    login(people["outsider"])
    assert client.get(f"/projects/{project.id}/assumptions.xlsx").status_code == 403
    assert client.get(f"/projects/{project.id}/dependencies.csv").status_code == 403
