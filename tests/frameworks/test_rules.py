"""The pure rules of governance frameworks: no app, no database."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from tracker.frameworks import catalogue
from tracker.frameworks import rules as fw
from tracker.frameworks.rules import FallsAt, Item, ItemKind
from tracker.projects.governance import SizeTier, gate_regime

S, M, L = SizeTier.SMALL, SizeTier.MEDIUM, SizeTier.LARGE


@pytest.mark.parametrize(
    ("tier", "criticality"), list(itertools.product(["small", "medium", "large"], range(1, 6)))
)
def test_the_shipped_prince2_framework_gives_exactly_the_built_in_regime(tier, criticality):
    assert fw.regime(catalogue.PRINCE2, tier, criticality) == gate_regime(tier, criticality)


def test_every_shipped_framework_can_be_published():
    for framework in catalogue.SHIPPED:
        assert fw.framework_problems(framework) == [], framework.name


def test_the_council_framework_names_gateways_0_to_3_and_the_gds_one_its_phases():
    council = [g.name for g in catalogue.COUNCIL.gates]
    assert [name.split(":")[0] for name in council[:4]] == [
        "Gateway 0",
        "Gateway 1",
        "Gateway 2",
        "Gateway 3",
    ]
    phases = [g for g in catalogue.GDS.gates if g.falls_at is FallsAt.PHASE_BOUNDARY]
    assert [g.key for g in phases] == ["alpha", "beta", "public-beta", "live"]


def _gate(**changes) -> fw.GateTemplate:
    base = fw.GateTemplate(
        "g",
        "Gate",
        FallsAt.STAGE_BOUNDARY,
        {S: ("executive",), M: ("executive",), L: ("executive",)},
    )
    return dataclasses.replace(base, **changes)


def test_a_gate_without_any_deciding_role_is_refused_with_its_name():
    problem = fw.gate_problem(_gate(name="Gateway 2", roles={S: (), M: (), L: ()}))
    assert problem is not None
    assert "Gateway 2 has no deciding role" in problem


def test_a_stage_gate_needs_roles_at_every_level_but_a_release_gate_may_skip_one():
    gap = {S: (), M: ("executive",), L: ("executive",)}
    assert "small" in fw.gate_problem(_gate(roles=gap))
    assert fw.gate_problem(_gate(roles=gap, falls_at=FallsAt.RELEASE)) is None


def test_an_unknown_role_is_refused():
    assert "not a board role" in fw.gate_problem(
        _gate(roles={S: ("project_manager",), M: ("executive",), L: ("executive",)})
    )


def test_changes_read_a_renamed_gate_as_renamed_and_list_an_added_item():
    before = catalogue.COUNCIL
    gates = list(before.gates)
    gates[2] = dataclasses.replace(
        gates[2],
        name="Gateway 2: Outline business case and procurement",
        items=(*gates[2].items, Item("Equality impact assessment done", evidence_required=True)),
    )
    after = dataclasses.replace(before, gates=tuple(gates))
    lines = fw.changes(before, after)
    assert lines == [
        "Renamed gate 'Gateway 2: Outline business case' to "
        "'Gateway 2: Outline business case and procurement'.",
        "Gateway 2: Outline business case and procurement: added checklist item "
        "'Equality impact assessment done' (evidence required).",
    ]


def test_changes_list_removed_gates_roles_and_tailoring():
    before = catalogue.PRINCE2
    gates = [g for g in before.gates if g.key != "release"]
    gates[1] = dataclasses.replace(
        gates[1], roles={**gates[1].roles, S: ("executive", "senior_user")}
    )
    tailoring = {**before.tailoring, S: fw.Tailoring(before.tailoring[S].gates, 2, 1)}
    lines = fw.changes(before, dataclasses.replace(before, gates=tuple(gates), tailoring=tailoring))
    assert (
        "End stage assessment: decided by Executive, Senior user at small level (was Executive)."
        in lines
    )
    assert "Removed gate 'Release gate'." in lines
    assert any(line.startswith("Tailoring at small level") for line in lines)
    assert fw.changes(before, before) == ["No change from the previous version."]


def test_the_last_template_of_a_kind_repeats_for_later_boundaries():
    gates = catalogue.COUNCIL.gates
    assert fw.template_for(gates, FallsAt.STAGE_BOUNDARY, 1).key == "gateway-1"
    assert fw.template_for(gates, FallsAt.STAGE_BOUNDARY, 2).key == "gateway-2"
    assert fw.template_for(gates, FallsAt.STAGE_BOUNDARY, 7).key == "gateway-3"
    assert fw.template_for(gates, FallsAt.PHASE_BOUNDARY) is None


def test_deciding_roles_follow_the_level_criticality_raises():
    gate = fw.template_for(catalogue.PRINCE2.gates, FallsAt.STAGE_BOUNDARY)
    assert fw.deciding_roles(gate, "small", 1) == ("executive",)
    assert fw.deciding_roles(gate, "small", 5) == ("executive", "senior_user", "senior_supplier")


def test_missing_confirmations_name_each_item_and_what_it_lacks():
    items = [
        (1, Item("Strategic fit confirmed", evidence_required=True)),
        (2, Item("Project mandate", ItemKind.DOCUMENT)),
        (3, Item("Team briefed")),
    ]
    assert fw.missing_confirmations(items, {1: "  ", 3: None}) == [
        "'Strategic fit confirmed' has no evidence",
        "the document 'Project mandate' is not attached",
    ]
    assert fw.missing_confirmations(items, {1: "minute 12", 2: "DMS-881", 3: None}) == []


def test_confirmation_without_the_evidence_asked_for_is_refused():
    assert "needs evidence" in fw.confirmation_problem(Item("Fit", evidence_required=True), "")
    assert "required document" in fw.confirmation_problem(Item("Mandate", ItemKind.DOCUMENT), None)
    assert fw.confirmation_problem(Item("Team briefed"), None) is None


def test_a_decision_by_the_templates_roles_needs_every_yes_and_one_no_decides_it():
    roles = ("executive", "senior_user")
    assert fw.verdict(roles, {}) is fw.Verdict.PENDING
    assert fw.verdict(roles, {"executive": True}) is fw.Verdict.PENDING
    assert fw.verdict(roles, {"executive": True, "senior_user": True}) is fw.Verdict.APPROVED
    assert fw.verdict(roles, {"executive": True, "senior_user": False}) is fw.Verdict.REJECTED
    assert fw.verdict(roles, {"senior_user": False}) is fw.Verdict.REJECTED
    # A vote by a role the template does not name counts for nothing.
    assert fw.verdict(("executive",), {"senior_supplier": False}) is fw.Verdict.PENDING
    # No deciding role at this level (no release gate for small projects): approved.
    assert fw.verdict((), {}) is fw.Verdict.APPROVED
