"""Which stamps a change moves: core keeps the mechanism, the owning domains declare it."""

from __future__ import annotations

from tracker.agile.models import Iteration
from tracker.auth.models import User
from tracker.core import stamps
from tracker.orgs.models import Organisation
from tracker.projects.models import Project, ProjectMembership


def test_each_domain_declares_the_stamps_its_models_move():
    assert stamps.scopes_of(User()) == {stamps.PEOPLE}
    assert stamps.last_scopes_of(User()) == set()
    assert stamps.scopes_of(Organisation()) == {stamps.ORGANISATIONS}
    assert stamps.last_scopes_of(Organisation()) == {stamps.PORTFOLIO}
    assert stamps.scopes_of(Project(id=7)) == {"project:7"}
    assert stamps.scopes_of(Project()) == set()  # not flushed yet: no id to stamp
    # A membership moves its project's stamp like any project record, and the portfolio's.
    assert stamps.scopes_of(ProjectMembership(project_id=7)) == {"project:7"}
    assert stamps.last_scopes_of(ProjectMembership(project_id=7)) == {stamps.PORTFOLIO}


def test_an_undeclared_model_moves_its_projects_stamp():
    assert stamps.scopes_of(Iteration(project_id=3)) == {"project:3"}
    assert stamps.last_scopes_of(Iteration(project_id=3)) == set()
    assert stamps.scopes_of(stamps.ChangeStamp(scope="people")) == set()


def test_a_declared_subclass_inherits_the_declaration():
    class Record:
        project_id = 5

    class Special(Record):
        pass

    stamps.moves(Record, scopes=lambda _record: {"custom"}, last={stamps.PORTFOLIO})
    try:
        assert stamps.scopes_of(Special()) == {"custom"}
        assert stamps.last_scopes_of(Special()) == {stamps.PORTFOLIO}
    finally:
        del stamps._MOVES[Record]
    assert stamps.scopes_of(Special()) == {"project:5"}
