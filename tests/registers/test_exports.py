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
