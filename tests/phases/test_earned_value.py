"""The phase under way shows its earned value (AgileEVM) on the phases page, from its
iterations and what it spent, as a stage's budget page does."""

from __future__ import annotations

from datetime import timedelta

from tests.phases.test_services import _fund_and_start, _set_up
from tracker.agile import services as agile
from tracker.core.dates import uk_today


def test_the_phase_under_way_shows_its_earned_value(db, client, login, gds):
    by_kind = _set_up(db, gds)
    discovery = by_kind["discovery"]
    _fund_and_start(db, gds, discovery, "60000")
    login(gds["manager"])
    url = f"/projects/{gds['project'].id}/phases"
    assert "Earned value (AgileEVM)" not in client.get(url).get_data(as_text=True)
    start = uk_today()
    iteration = agile.create_iteration(
        gds["project"], agile.IterationData("Sprint 1", "Research", start, start + timedelta(13))
    )
    iteration.committed_points = 10
    db.session.commit()
    text = client.get(url).get_data(as_text=True)
    assert "Earned value (AgileEVM)" in text
    assert "£0.00 of £0.00 planned by now" in text
