"""Domain events: the owning domain announces what happened; the domains that react
subscribe in their own package.

Domains import each other in one direction only (docs/architecture.md): budget reads
stages, agile and worklog; the portfolio reads budget. When something happens in a lower
domain that a higher one must act on (a gate approved: budget takes a checkpoint), the
lower domain cannot call up without an import circle. It sends a signal instead, and the
higher domain's ``subscribers.py`` (imported with its blueprint) listens.

Every event runs synchronously, inside the sender's transaction: a subscriber flushes,
never commits, and a ``RuleError`` it raises propagates to the sender's caller, which rolls
the whole change back. So an approval whose checkpoint is refused is not approved.

Blinker keeps receivers in a dict and promises no order, so :func:`send` does not use
blinker's own ``send``: it calls the receivers in their stated ``order`` (then in the order
they subscribed), and returns what each returned. The signals themselves are blinker's, so
each has a name and a documented contract.

The events, who sends them and who listens (in order):

``gate_approved``     sender: the ``GateReview`` just approved (with or without
                      conditions), from ``stages.services`` when a gate resolves.
                      kwargs: ``actor`` (the ``User`` whose decision resolved it, or None).
                      10 budget: takes the automatic gate checkpoint, which may put the
                      current stage in exception through ``stages.apply_forecast``.
``gate_requested``    sender: the ``GateReview`` just requested, from
                      ``stages.services.request_gate``. kwargs: ``actor``.
                      5 business_cases: freezes the project's draft business case
                      version for the gate (an incomplete one refuses the request).
                      10 board: freezes the board pack as requested (a render
                      failure is logged and leaves the request intact).
``gate_resolved``     sender: the ``GateReview`` just resolved (approved, with or
                      without conditions, or rejected), from ``stages.services``, after
                      ``gate_approved``. kwargs: ``actor``.
                      10 board: freezes the board pack as resolved (a render failure is
                      logged and leaves the decision intact).
                      20 methods: a switch of method proposed with the gate is approved
                      with it (a new method decision, the project moved to the new
                      framework) or not.
                      30 lessons: asks the project manager to log the gate's lessons.
``iteration_closed``  sender: the ``Iteration`` just closed, from ``agile.services``.
                      kwargs: ``project``, ``actor`` (None for a scheduled close).
                      10 budget: takes the automatic iteration checkpoint.
                      20 phases: checks the active phase's spending against its
                      released funding (past it, a funding exception).
                      30 lessons: asks the project manager to log the lessons.
``assessment_resolved`` sender: the ``ServiceAssessment`` just passed or failed, from
                      ``phases.services``. kwargs: ``actor``.
                      10 methods: a switch of method proposed with it is approved
                      (passed) or not (failed).
``gate_conditions_given`` sender: the ``GateReview`` a board member approved with
                      conditions written as free text, from ``stages.views`` (the
                      gate page). kwargs: ``role``, ``text``, ``actor``.
                      10 board: records the conditions as an action for the manager.
``project_created``   sender: the new ``Project``, from ``projects.services.create_project``.
                      kwargs: ``actor`` (or None). 10 frameworks: the project starts on
                      the default framework's newest published version.
``checkpoints_taken`` sender: None, from ``budget.tasks`` after a batch of scheduled
                      checkpoints written with Core statements (the ORM hooks do not
                      see them). kwargs: ``project_ids``.
                      10 portfolio: refreshes the stored portfolio facts of those projects.

Questions a lower domain's page asks of the domains above it (each receiver returns a
value, :func:`send` returns them in order):

``gate_evidence``     sender: the ``Stage`` a gate closes, from ``stages.views``.
                      Receivers return a list of evidence rows.
                      10 agile: the stage's iterations with their feedback.
``job_log_sections``  sender: None, from ``scheduler.views`` (the job log page).
                      Receivers return a dict of template values.
                      10 notifications: the email outbox counts and failed emails.
``closure_blockers``  sender: the ``Project`` about to be closed by the Executive, from
                      ``agile.services``. Receivers return why it may not close yet,
                      or None. 10 budget: a budget exception waiting for the board.
``governance_breaches`` sender: None, from ``flask governance check`` (stages). Receivers
                      return lines describing records that break governance.
                      10 agile: project statuses no governance decision explains.
``waiting_for``       sender: the ``User``, from ``core.waiting.for_person`` (My work and
                      the Decisions inbox). kwarg ``decisions_only``. Receivers return a
                      list of ``core.waiting.Kind``. 10 stages: gates, exceptions and
                      agile starts to decide. 20 budget: budget exceptions to decide.
                      30 agile: iterations to give feedback on, as a customer
                      representative. 40 worklog: past weeks to submit. 50 registers:
                      open risks the person owns, to review.
                      60 board: open conditions the person owns.
                      70 frameworks: requests decided by a template's roles,
                      registered by phases (service assessments, funding
                      exceptions), releases (release gates) and closure (closing
                      gates), read in one statement.
                      80 benefits: benefits the person owns off their trajectory, and
                      benefits reviews due.
``gate_sections``     sender: the ``GateReview`` whose page is shown, from
                      ``stages.views`` (the gate page). Receivers return a dict
                      (``template`` and its values) or None. 10 business_cases: the
                      version due, the version frozen for the gate and what changed
                      since the last one.
``gate_request_blockers`` sender: the ``Project`` whose next gate is asked for, from
                      ``stages.services.next_gate``. Receivers return why it cannot be
                      requested yet, or None. 10 board: conditions of an earlier
                      gate still open.
``my_work_sections``  sender: the ``User`` whose My work page it is, from
                      ``worklog.views``. Receivers return a dict (``template`` and its
                      values) or None. 10 board: the person's open conditions.
``framework_move_blockers`` sender: the ``Project`` whose manager moves it to another
                      framework version, from ``frameworks.services``. Receivers return
                      why it is not at a boundary, or None. 10 stages: a gate waiting.
``boundary_waiting`` sender: the ``Project`` whose manager proposes a switch of method,
                      from ``methods.services``. Receivers return (kind, id, name) of
                      the decision waiting at its boundary, or None. 10 stages: a
                      gate waiting. 20 phases: a service assessment waiting.
``gate_notices``      sender: the ``GateReview`` shown, from ``stages.views`` (the gate
                      page). Receivers return a dict (``text``, ``url``) the board must
                      read before deciding, or None. 10 methods: a switch of method
                      proposed with this gate.
``organisation_columns`` sender: None, from ``orgs.views`` (the organisation list).
                      Receivers return labelled column expressions correlated with
                      ``Organisation``. 10 projects: projects led and partnered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

gate_approved = _signals.signal(
    "gate-approved", doc="A gate was approved; sender is the GateReview, kwarg actor."
)
gate_requested = _signals.signal(
    "gate-requested", doc="A gate was requested; sender is the GateReview, kwarg actor."
)
gate_resolved = _signals.signal(
    "gate-resolved", doc="A gate was resolved either way; sender is the GateReview, kwarg actor."
)
exception_raised = _signals.signal(
    "exception-raised", doc="An exception report was raised; sender is the ExceptionReport."
)
exception_decided = _signals.signal(
    "exception-decided",
    doc="An exception report was decided (the board's decision, or the project closed early); "
    "sender is the ExceptionReport, kwarg actor.",
)
iteration_closed = _signals.signal(
    "iteration-closed",
    doc="An iteration was closed; sender is the Iteration, kwargs project, actor.",
)
gate_conditions_given = _signals.signal(
    "gate-conditions-given",
    doc="A board member approved with conditions as free text; sender is the GateReview.",
)
checkpoints_taken = _signals.signal(
    "checkpoints-taken", doc="Scheduled checkpoints were written in bulk; kwarg project_ids."
)
gate_evidence = _signals.signal(
    "gate-evidence", doc="Evidence rows for the stage a gate closes; sender is the Stage."
)
job_log_sections = _signals.signal(
    "job-log-sections", doc="Template values for the job log page; sender is None."
)
closure_blockers = _signals.signal(
    "closure-blockers", doc="Why a project may not close yet; sender is the Project."
)
governance_breaches = _signals.signal(
    "governance-breaches", doc="Lines naming records that break governance; sender is None."
)
waiting_for = _signals.signal(
    "waiting-for", doc="What waits for a person; sender is the User, kwarg decisions_only."
)
gate_sections = _signals.signal(
    "gate-sections", doc="Sections for a gate's pages; sender is the GateReview."
)
gate_request_blockers = _signals.signal(
    "gate-request-blockers", doc="Why the next gate may not be requested; sender is the Project."
)
my_work_sections = _signals.signal(
    "my-work-sections", doc="Sections for a person's My work page; sender is the User."
)
project_created = _signals.signal(
    "project-created", doc="A project was created; sender is the Project, kwarg actor."
)
framework_move_blockers = _signals.signal(
    "framework-move-blockers",
    doc="Why a project is not at a boundary to change framework; sender is the Project.",
)
assessment_resolved = _signals.signal(
    "assessment-resolved",
    doc="A service assessment passed or failed; sender is the ServiceAssessment, kwarg actor.",
)
boundary_waiting = _signals.signal(
    "boundary-waiting",
    doc="(kind, id, name) of the decision waiting at a project's boundary; sender is the Project.",
)
gate_notices = _signals.signal(
    "gate-notices", doc="What the board must read on a gate's page; sender is the GateReview."
)
organisation_columns = _signals.signal(
    "organisation-columns", doc="Labelled columns for the organisation list; sender is None."
)
organisation_named = _signals.signal(
    "organisation-named", doc="The id of the organisation called name; sender is None."
)
organisation_choices = _signals.signal(
    "organisation-choices", doc="(id, name) of every organisation; sender is None."
)

Receiver = Callable[..., Any]
# Per signal: (order, sequence, receiver), kept sorted.
_RECEIVERS: dict[Signal, list[tuple[int, int, Receiver]]] = {}
_sequence = 0


def subscribe(signal: Signal, *, order: int) -> Callable[[Receiver], Receiver]:
    """Decorator: call the function on ``signal``, at position ``order`` (lower first).

    Subscribing the same function twice has no further effect, so re-importing a module
    does not call it twice.
    """

    def register(receiver: Receiver) -> Receiver:
        connect(signal, receiver, order=order)
        return receiver

    return register


def connect(signal: Signal, receiver: Receiver, *, order: int) -> None:
    global _sequence
    receivers = _RECEIVERS.setdefault(signal, [])
    if any(existing is receiver for _, _, existing in receivers):
        return
    _sequence += 1
    receivers.append((order, _sequence, receiver))
    receivers.sort(key=lambda entry: entry[:2])
    signal.connect(receiver, weak=False)  # so blinker's own introspection sees it too


def disconnect(signal: Signal, receiver: Receiver) -> None:
    _RECEIVERS[signal] = [entry for entry in _RECEIVERS.get(signal, []) if entry[2] is not receiver]
    signal.disconnect(receiver)


@contextmanager
def subscribed(signal: Signal, receiver: Receiver, *, order: int) -> Iterator[Receiver]:
    """Subscribe for the length of a ``with`` block (tests)."""
    connect(signal, receiver, order=order)
    try:
        yield receiver
    finally:
        disconnect(signal, receiver)


def receivers_of(signal: Signal) -> list[Receiver]:
    """The receivers ``send`` will call, in the order it calls them."""
    return [receiver for _, _, receiver in _RECEIVERS.get(signal, [])]


def send(signal: Signal, sender: Any = None, **kwargs: Any) -> list[Any]:
    """Call every receiver of ``signal`` in order, in this transaction; return their results.

    An exception in a receiver stops the rest and reaches the sender's caller unchanged.
    """
    return [receiver(sender, **kwargs) for receiver in receivers_of(signal)]
