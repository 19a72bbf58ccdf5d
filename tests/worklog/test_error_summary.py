"""Every error the timesheet shows beside a box is also in the error summary at the top,
linked to that box: the accessibility statement promises the summary on every form error."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.worklog.conftest import MONDAY
from tests.worklog.test_pages import _grid_form, _line

INLINE = re.compile(
    r'<p class="govuk-error-message"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span>'
    r"\s*(.*?)</p>",
    re.S,
)


def _summary(page: str) -> str:
    start = page.index('class="govuk-error-summary"')
    return unescape(page[start : page.index("</ul>", start)])


def _inline_messages(page: str) -> list[str]:
    return [unescape(" ".join(m.split())) for m in INLINE.findall(page)]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([("", {2: "1"})], id="hours on a new line with nothing chosen"),
        pytest.param([("999:::", {0: "1"})], id="a line that is not in the list"),
        pytest.param([("PROJECT", {0: "lots", 3: "-1"})], id="bad hours in two cells"),
        pytest.param([("PROJECT", {0: "2"}), ("", {1: "3"})], id="good line, bad new line"),
    ],
)
def test_every_inline_timesheet_error_is_in_the_summary(client, login, team, db, rows):
    login(team["member"])
    rows = [(_line(team["project"]) if line == "PROJECT" else line, cells) for line, cells in rows]
    response = client.post(f"/timesheet?week={MONDAY}", data=_grid_form(rows))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    inline = _inline_messages(page)
    assert inline, "the page shows no inline error"
    summary = _summary(page)
    for message in inline:
        assert message in summary, f"{message!r} is shown inline but not in the summary"
    assert summary.count('<a href="#rows-') >= len(set(inline))
