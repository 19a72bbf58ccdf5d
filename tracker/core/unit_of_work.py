"""The one unit of work every change goes through: pages, the API, commands and jobs.

A view loads, checks access, then calls its service inside ``form_work`` (pages) or
``service_call`` (the API), and renders. The helper owns the rest, in the spirit of
Indico's ``RH.process``:

- the service runs inside a savepoint, so a refusal undoes only what the service did and
  the records the view already loaded (and checked access to) stay usable for the re-render;
- one commit at the end;
- ``RuleError``, a stale version and an integrity error (a unique constraint that caught a
  race the service could not see) become one message: on the form's field or error summary,
  a flash, or an RFC 9457 problem on the API;
- work registered with ``after_commit`` (a flash, a log line, anything that must not happen
  unless the change is stored) runs only once the commit has succeeded. Emails are written
  to the outbox in the same transaction and sent by the scheduler after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.core.errors import STALE_MESSAGE, RuleError, attach_error
from tracker.extensions import db

log = logging.getLogger(__name__)

CONFLICT_MESSAGE = "Someone else made a conflicting change at the same time. Try again."


@dataclass
class Work:
    """What happened to one unit of work: ``ok`` after it, ``error`` when it was refused."""

    error: RuleError | None = None
    _after: list[Callable[[], Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def after_commit(self, action: Callable[[], Any]) -> None:
        """Run ``action`` once the change is committed, never when it is refused."""
        self._after.append(action)


def _as_rule_error(error: Exception) -> RuleError:
    if isinstance(error, RuleError):
        return error
    if isinstance(error, StaleDataError):
        return RuleError(STALE_MESSAGE)
    return RuleError(CONFLICT_MESSAGE)


@contextmanager
def unit_of_work() -> Iterator[Work]:
    """Run the block in a savepoint and commit once; a refusal is caught into ``work.error``.

    The block's exception never escapes for the three refusals above; anything else (a bug,
    a lost connection) propagates unchanged, so the error pages and the outage page still
    see it.
    """
    work = Work()
    try:
        with db.session.begin_nested():
            yield work
    except (RuleError, StaleDataError, IntegrityError) as error:
        # The savepoint is rolled back: the transaction and what the view loaded survive.
        work.error = _as_rule_error(error)
        return
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        # Caught at the real commit (a deferred constraint, a version check at flush):
        # the whole transaction is gone, so the session starts again.
        db.session.rollback()
        work.error = _as_rule_error(error)
        return
    for action in work._after:
        action()


@contextmanager
def form_work(form: Any = None) -> Iterator[Work]:
    """``unit_of_work`` for a page: a refusal goes onto ``form`` (the field the service
    named, or the error summary), or is flashed when the page has no form."""
    with unit_of_work() as work:
        yield work
    if work.error is None:
        return
    if form is not None:
        attach_error(form, work.error)
    else:
        flash(str(work.error), "error")
