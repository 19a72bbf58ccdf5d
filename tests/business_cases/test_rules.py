"""The business case's pure rules: discounting, parsing figures, what a version must hold,
what changed between versions, and which version a gate template asks for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.business_cases import rules
from tracker.business_cases.rules import CaseError, CaseVersion, Figures, FundingSource, Option
from tracker.frameworks import catalogue
from tracker.frameworks import rules as framework_rules


def _option(number=1, name="Do something", text="0, 100000, 0\n1, 0, 60000\n2, 0, 60000"):
    return Option(number, name, "", rules.parse_flows(text))


def test_the_worked_example_of_the_module_docstring():
    appraisal = rules.appraise(_option())
    assert appraisal.total_cost == Decimal("100000.00")
    assert appraisal.total_benefit == Decimal("120000.00")
    assert appraisal.pv_benefit == Decimal("113981.65")
    assert appraisal.npv == Decimal("13981.65")
    assert appraisal.bcr == Decimal("1.14")


def test_year_zero_is_not_discounted_and_later_years_are():
    assert rules.present_value(Decimal(1000), 0, Decimal("0.035")) == Decimal("1000.00")
    assert rules.present_value(Decimal(1035), 1, Decimal("0.035")) == Decimal("1000.00")
    with pytest.raises(CaseError, match="cannot fall before"):
        rules.present_value(Decimal(1), -1, Decimal("0.035"))


def test_the_best_value_option_is_the_highest_npv():
    low = _option(1, "Do minimum", "0, 10000, 0\n1, 0, 10500")
    high = _option(2, "Shared service")
    assert rules.best_value(rules.appraise_all(Figures(options=(low, high)))) == 2
    assert rules.best_value([]) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1, 100, 0", "year -1 is negative"),
        ("1, 100, 0\n1, 5, 5", "year 1 is given twice"),
        ("one, 100, 0", "not a whole number"),
        ("1, lots, 0", "not an amount of money"),
        ("1, -5, 0", "cannot be negative"),
        ("1, 5", "write the year, the cost and the benefit"),
        ("61, 5, 5", "at most 60 years"),
    ],
)
def test_bad_figures_are_refused_with_their_line(text, message):
    with pytest.raises(CaseError, match=message) as error:
        rules.parse_flows(text)
    assert error.value.field == "flows"


def test_flows_read_money_with_pounds_and_commas_in_any_order():
    flows = rules.parse_flows("2; £1,000; 5\n\n0, 10.555, 0")
    assert [f.year for f in flows] == [0, 2]
    assert flows[0].cost == Decimal("10.56")
    assert flows[1].cost == Decimal("1000.00")
    assert rules.parse_flows(rules.flows_text(flows)) == flows


def test_funding_lines():
    funding = rules.parse_funding("grant, 150000, yes\nCapital, 50000, no\npartner, 5, ")
    assert [(f.source, f.amount, f.confirmed) for f in funding] == [
        (FundingSource.CAPITAL, Decimal("50000.00"), False),
        (FundingSource.GRANT, Decimal("150000.00"), True),
        (FundingSource.PARTNER, Decimal("5.00"), False),
    ]
    assert rules.funding_total(Figures(funding=funding)) == Decimal("200005.00")
    assert rules.funding_total(Figures(funding=funding), confirmed_only=True) == Decimal(
        "150000.00"
    )
    with pytest.raises(CaseError, match="not a funding source"):
        rules.parse_funding("lottery, 5, yes")
    with pytest.raises(CaseError, match="given twice"):
        rules.parse_funding("grant, 5, yes\ngrant, 6, no")
    with pytest.raises(CaseError, match="say yes or no"):
        rules.parse_funding("grant, 5, perhaps")


def test_the_discount_rate_is_a_percentage():
    assert rules.parse_rate("3.5") == Decimal("0.0350")
    assert rules.parse_rate("3.5%") == Decimal("0.0350")
    for bad in ("", "x", "25", "-1"):
        with pytest.raises(CaseError, match="percentage from 0 to 20"):
            rules.parse_rate(bad)


def test_a_full_business_case_needs_a_preferred_option_and_funding():
    sections = {"strategic": "Why"}
    figures = Figures(options=(_option(),))
    problems = rules.freeze_problems(CaseVersion.FBC, sections, figures)
    assert any("no preferred option" in p for p in problems)
    assert any("no funding" in p for p in problems)
    # An outline case may leave the preferred option open.
    assert rules.freeze_problems(CaseVersion.OBC, sections, figures) == []
    funded = Figures(
        options=(_option(),),
        preferred=1,
        funding=(rules.Funding(FundingSource.GRANT, Decimal(1), True),),
    )
    assert rules.freeze_problems(CaseVersion.FBC, sections, funded) == []


def test_a_strategic_outline_needs_its_strategic_case_and_a_real_preferred_option():
    problems = rules.freeze_problems(CaseVersion.SOC, {}, Figures(preferred=3))
    assert any("no strategic case" in p for p in problems)
    assert any("preferred option 3 is not one of its options" in p for p in problems)


def test_the_version_that_usually_follows():
    assert rules.next_kind(None) is CaseVersion.SOC
    assert rules.next_kind(CaseVersion.SOC) is CaseVersion.OBC
    assert rules.next_kind(CaseVersion.OBC) is CaseVersion.FBC
    assert rules.next_kind(CaseVersion.BJC) is CaseVersion.BJC


def test_section_differences_word_by_word():
    pieces = rules.diff_text("We will build a portal.", "We will buy a portal now.")
    assert ("removed", "build") in [(p.kind, p.text) for p in pieces]
    assert ("added", "buy") in [(p.kind, p.text) for p in pieces]
    assert "".join(p.text for p in pieces if p.kind != "removed") == "We will buy a portal now."
    changes = rules.diff_sections({"strategic": "A"}, {"strategic": "A", "economic": "B"})
    assert [c.section for c in changes if c.changed] == [rules.Section.ECONOMIC]


def test_figure_differences_name_what_moved():
    before = Figures(options=(_option(),), funding=())
    after = Figures(
        options=(_option(text="0, 120000, 0\n1, 0, 60000\n2, 0, 60000"), _option(2, "Buy")),
        preferred=2,
        funding=(rules.Funding(FundingSource.GRANT, Decimal(5000), True),),
    )
    lines = rules.diff_figures(before, after)
    assert any(
        line.startswith("Option 1, Do something: cost £120,000.00 (was £100,000.00)")
        for line in lines
    )
    assert any(line.startswith("Added option 2, Buy") for line in lines)
    assert "Preferred option: 2, Buy (was none)." in lines
    assert "Added grant funding of £5,000.00 (confirmed)." in lines
    assert rules.diff_figures(after, after) == []


def test_the_council_framework_asks_for_soc_obc_and_fbc_and_a_bjc_from_small_projects():
    gates = {g.key: g for g in catalogue.COUNCIL.gates}
    assert framework_rules.case_due(gates["gateway-1"], "medium", 2) is CaseVersion.SOC
    assert framework_rules.case_due(gates["gateway-2"], "large", 2) is CaseVersion.OBC
    assert framework_rules.case_due(gates["gateway-3"], "medium", 3) is CaseVersion.FBC
    assert framework_rules.case_due(gates["gateway-1"], "small", 1) is CaseVersion.BJC
    assert framework_rules.case_due(gates["gateway-2"], "small", 1) is None
    # Criticality raises a small project's level: it then needs the SOC.
    assert framework_rules.case_due(gates["gateway-1"], "small", 4) is CaseVersion.SOC
    assert all(g.case_due is None for g in catalogue.PRINCE2.gates)


def test_a_changed_due_version_is_a_line_of_the_framework_changes():
    before = catalogue.COUNCIL
    gates = tuple(
        framework_rules.GateTemplate(
            g.key, g.name, g.falls_at, g.roles, g.items, g.description, CaseVersion.OBC
        )
        if g.key == "gateway-1"
        else g
        for g in before.gates
    )
    after = framework_rules.Framework(before.name, before.description, gates, before.tailoring)
    lines = framework_rules.changes(before, after)
    assert "Gateway 1: Business justification: business case due is OBC (was SOC)." in lines
    assert (
        "Gateway 1: Business justification: business case due for small projects is none "
        "(was BJC)." in lines
    )
