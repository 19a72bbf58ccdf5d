"""Read models of the business case pages: each version with its appraisal, what changed
between two versions, what a gate's page shows, and the rows of the export."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.business_cases import rules, services
from tracker.business_cases.models import BusinessCaseVersion
from tracker.business_cases.rules import CASE_VERSION_LABELS, CaseVersion
from tracker.stages.models import GateReview


@dataclass
class VersionView:
    version: BusinessCaseVersion
    label: str
    kind_label: str
    figures: rules.Figures
    appraisals: list[rules.Appraisal]
    best: int | None
    funding_total: object
    confirmed_total: object
    problems: list[str]


def view_of(version: BusinessCaseVersion) -> VersionView:
    figures = services.figures_of(version)
    appraisals = rules.appraise_all(figures)
    kind = CaseVersion(version.kind)
    return VersionView(
        version=version,
        label=services.label(version),
        kind_label=CASE_VERSION_LABELS[kind],
        figures=figures,
        appraisals=appraisals,
        best=rules.best_value(appraisals),
        funding_total=rules.funding_total(figures),
        confirmed_total=rules.funding_total(figures, confirmed_only=True),
        problems=rules.freeze_problems(kind, services.sections_of(version), figures),
    )


@dataclass
class Changes:
    before: BusinessCaseVersion | None
    after: BusinessCaseVersion
    sections: list[rules.SectionChange] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[rules.SectionChange]:
        return [s for s in self.sections if s.changed]


def changes(before: BusinessCaseVersion | None, after: BusinessCaseVersion) -> Changes:
    if before is None:
        return Changes(None, after)
    return Changes(
        before,
        after,
        rules.diff_sections(services.sections_of(before), services.sections_of(after)),
        rules.diff_figures(services.figures_of(before), services.figures_of(after)),
    )


def previous_of(
    version: BusinessCaseVersion, versions: list[BusinessCaseVersion]
) -> BusinessCaseVersion | None:
    earlier = [v for v in versions if v.number < version.number]
    return earlier[-1] if earlier else None


@dataclass
class AtGate:
    """What a gate's page says of the business case."""

    due: CaseVersion | None
    due_label: str | None
    version: BusinessCaseVersion | None
    view: VersionView | None
    changes: Changes | None
    is_due_version: bool
    frozen_for_gate: bool


def at_gate(gate: GateReview) -> AtGate:
    versions = services.versions_for_gate(gate)
    due = services.due_at(gate.project, gate)
    version = services.version_at_gate(gate, versions)
    found = changes(previous_of(version, versions), version) if version is not None else None
    return AtGate(
        due=due,
        due_label=CASE_VERSION_LABELS[due] if due else None,
        version=version,
        view=view_of(version) if version is not None else None,
        changes=found,
        is_due_version=version is not None and (due is None or version.kind == due),
        frozen_for_gate=version is not None and version.gate_review_id == gate.id,
    )


def export_rows(versions: list[BusinessCaseVersion]) -> list[list[object]]:
    """One row per option and year of every version, then one per funding source."""
    rows: list[list[object]] = []
    for version in versions:
        view = view_of(version)
        by_number = {a.number: a for a in view.appraisals}
        for option in view.figures.options:
            appraisal = by_number[option.number]
            preferred = "yes" if option.number == view.figures.preferred else "no"
            for flow in option.flows:
                rows.append(
                    [
                        version.number,
                        services.label(version),
                        version.status,
                        "option",
                        option.number,
                        option.name,
                        preferred,
                        flow.year,
                        flow.cost,
                        flow.benefit,
                        rules.present_value(flow.benefit, flow.year, view.figures.discount_rate)
                        - rules.present_value(flow.cost, flow.year, view.figures.discount_rate),
                        appraisal.npv,
                        "",
                        None,
                        "",
                    ]
                )
        for row in view.figures.funding:
            rows.append(
                [
                    version.number,
                    services.label(version),
                    version.status,
                    "funding",
                    None,
                    "",
                    "",
                    None,
                    None,
                    None,
                    None,
                    None,
                    rules.FUNDING_LABELS[row.source],
                    row.amount,
                    "yes" if row.confirmed else "no",
                ]
            )
    return rows
