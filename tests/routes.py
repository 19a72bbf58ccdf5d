"""Every route of the app with who may use it, and a world of records to reach each one.

Shared by the access tests, the API's access test and the hostile-input tests: a new route
must be added here, and the access test fails until it is.
"""

from __future__ import annotations

import pytest

from tests.budget.helpers import access_ids as budget_access_ids
from tests.budget.helpers import cost as budget_cost
from tests.stages.helpers import access_ids as stage_access_ids

# endpoint -> (method, url template, who may use it)
#   "any": every signed-in user; "admin"/"pmo": global roles; "manager": the project's manager
#   (or PMO/admin); "member": anyone on the project (or PMO/admin); "public": no sign-in;
#   "team": the manager or a team member; "feedback": the team or a customer representative;
#   "owner": the person whose time it is, or the project's manager.
ROUTES = {
    "core.index": ("GET", "/", "any"),
    "core.health": ("GET", "/health", "public"),
    "core.accessibility": ("GET", "/accessibility", "public"),
    "auth.login": ("GET", "/login", "public"),
    "auth.logout": ("POST", "/logout", "any"),
    "auth.account": ("GET", "/account", "any"),
    "auth.change_password": ("GET", "/account/password", "any"),
    "auth.search_people": ("GET", "/people/search", "any"),
    "auth.list_users": ("GET", "/users", "admin"),
    "auth.create_user": ("GET", "/users/new", "admin"),
    "auth.edit_user": ("GET", "/users/{user_id}/edit", "admin"),
    "auth.sign_in_settings": ("GET", "/users/sign-in", "admin"),
    # Single sign-on: public; no provider is configured here, so a provider's pages are 404.
    "auth.sso_start": ("GET", "/login/sso/nowhere", "public"),
    "auth.sso_callback": ("GET", "/login/sso/nowhere/callback", "public"),
    "auth.sso_logout": ("GET", "/logout/sso", "public"),
    "orgs.list_organisations": ("GET", "/organisations/", "any"),
    "orgs.create_organisation": ("GET", "/organisations/new", "pmo"),
    "orgs.edit_organisation": ("GET", "/organisations/{org_id}/edit", "pmo"),
    "orgs.show_organisation": ("GET", "/organisations/{org_id}", "any"),
    "projects.list_projects": ("GET", "/projects/", "any"),
    "projects.create_project": ("GET", "/projects/new", "any"),
    "projects.show_project": ("GET", "/projects/{project_id}", "member"),
    "projects.edit_project": ("GET", "/projects/{project_id}/edit", "manager"),
    "projects.add_member": ("POST", "/projects/{project_id}/team", "manager"),
    "projects.remove_member": (
        "POST",
        "/projects/{project_id}/team/{membership_id}/remove",
        "manager",
    ),
    "stages.list_stages": ("GET", "/projects/{project_id}/stages", "member"),
    "stages.create_stage": ("GET", "/projects/{project_id}/stages/new", "manager"),
    "stages.show_stage": ("GET", "/projects/{project_id}/stages/{stage_id}", "member"),
    "stages.edit_stage": ("GET", "/projects/{project_id}/stages/{stage_id}/edit", "manager"),
    "stages.start_stage": ("POST", "/projects/{project_id}/stages/{stage_id}/start", "manager"),
    "stages.close_stage": ("POST", "/projects/{project_id}/stages/{stage_id}/close", "manager"),
    "stages.record_forecast": (
        "GET",
        "/projects/{project_id}/stages/{stage_id}/forecast",
        "manager",
    ),
    "stages.request_gate": ("GET", "/projects/{project_id}/gates/new", "manager"),
    "stages.show_gate": ("GET", "/projects/{project_id}/gates/{gate_id}", "member"),
    "stages.decide_gate": ("POST", "/projects/{project_id}/gates/{gate_id}/decide", "approver"),
    "stages.close_project_early": (
        "POST",
        "/projects/{project_id}/gates/{gate_id}/close-project",
        "executive",
    ),
    "stages.inbox": ("GET", "/decisions", "any"),
    "stages.list_highlights": ("GET", "/projects/{project_id}/highlights", "member"),
    "stages.create_highlight": ("GET", "/projects/{project_id}/highlights/new", "manager"),
    "stages.show_highlight": (
        "GET",
        "/projects/{project_id}/highlights/{highlight_id}",
        "member",
    ),
    "stages.print_highlight": (
        "GET",
        "/projects/{project_id}/highlights/{highlight_id}.pdf",
        "member",
    ),
    "stages.print_exception": (
        "GET",
        "/projects/{project_id}/exceptions/{exception_id}.pdf",
        "member",
    ),
    "stages.print_end_stage_report": (
        "GET",
        "/projects/{project_id}/gates/{gate_id}/end-stage-report.pdf",
        "member",
    ),
    "stages.raise_exception": (
        "GET",
        "/projects/{project_id}/stages/{stage_id}/exceptions/new",
        "manager",
    ),
    "stages.show_exception": ("GET", "/projects/{project_id}/exceptions/{exception_id}", "member"),
    "board.show_gate_evidence": (
        "GET",
        "/projects/{project_id}/gates/{gate_id}/evidence",
        "member",
    ),
    "board.decide_gate": (
        "POST",
        "/projects/{project_id}/gates/{gate_id}/evidence/decide",
        "approver",
    ),
    "board.show_exception_evidence": (
        "GET",
        "/projects/{project_id}/exceptions/{exception_id}/evidence",
        "member",
    ),
    "board.list_conditions": ("GET", "/projects/{project_id}/conditions", "member"),
    "board.show_confidence": ("GET", "/projects/{project_id}/confidence", "member"),
    "board.list_documents": ("GET", "/projects/{project_id}/documents", "member"),
    "board.attach_document": ("POST", "/projects/{project_id}/documents", "manager"),
    "board.download_document": (
        "GET",
        "/projects/{project_id}/documents/{document_id}/download",
        "member",
    ),
    "board.delete_document": (
        "POST",
        "/projects/{project_id}/documents/{document_id}/delete",
        "manager",
    ),
    "board.download_fresh_pack": ("GET", "/projects/{project_id}/gates/{gate_id}/pack", "member"),
    "board.build_pack": ("POST", "/projects/{project_id}/gates/{gate_id}/pack", "member"),
    "board.download_pack": (
        "GET",
        "/projects/{project_id}/gates/{gate_id}/packs/{pack_id}",
        "member",
    ),
    "board.download_fresh_exception_pack": (
        "GET",
        "/projects/{project_id}/exceptions/{exception_id}/pack",
        "member",
    ),
    "board.build_exception_pack": (
        "POST",
        "/projects/{project_id}/exceptions/{exception_id}/pack",
        "member",
    ),
    "board.download_exception_pack": (
        "GET",
        "/projects/{project_id}/exceptions/{exception_id}/packs/{exception_pack_id}",
        "member",
    ),
    "board.record_assurance": ("POST", "/projects/{project_id}/confidence", "pmo"),
    "board.portfolio": ("GET", "/portfolio/board", "pmo"),
    "board.show_condition": ("GET", "/projects/{project_id}/conditions/{condition_id}", "member"),
    # The condition's owner (the team member here), the manager, the board, PMO and admin.
    "board.settle_condition": (
        "POST",
        "/projects/{project_id}/conditions/{condition_id}/settle",
        "member",
    ),
    "stages.decide_exception": (
        "POST",
        "/projects/{project_id}/exceptions/{exception_id}/decide",
        "approver",
    ),
    "stages.submit_exception_plan": (
        "POST",
        "/projects/{project_id}/exceptions/{exception_id}/plan",
        "manager",
    ),
    "methods.assess": ("GET", "/projects/{project_id}/assessments/new", "manager"),
    "methods.list_assessments": ("GET", "/projects/{project_id}/assessments", "member"),
    "methods.show_assessment": (
        "GET",
        "/projects/{project_id}/assessments/{assessment_id}",
        "member",
    ),
    "methods.decide": ("GET", "/projects/{project_id}/method-decision", "manager"),
    "methods.list_decisions": ("GET", "/projects/{project_id}/method-decisions", "member"),
    "benefits.list_benefits": ("GET", "/projects/{project_id}/benefits", "member"),
    "benefits.create_benefit": ("GET", "/projects/{project_id}/benefits/new", "manager"),
    "benefits.show_benefit": ("GET", "/projects/{project_id}/benefits/{benefit_id}", "member"),
    "benefits.edit_benefit": (
        "GET",
        "/projects/{project_id}/benefits/{benefit_id}/edit",
        "manager",
    ),
    "benefits.record_measurement": (
        "GET",
        "/projects/{project_id}/benefits/{benefit_id}/measure",
        "manager",
    ),
    "benefits.record_review": (
        "GET",
        "/projects/{project_id}/benefits/{benefit_id}/review",
        "manager",
    ),
    "benefits.add_review_date": ("POST", "/projects/{project_id}/benefits/review-dates", "manager"),
    "benefits.dates_from_report": (
        "POST",
        "/projects/{project_id}/benefits/review-dates/from-report",
        "manager",
    ),
    "benefits.export_benefits": ("GET", "/projects/{project_id}/benefits.xlsx", "member"),
    "methods.propose_switch": ("GET", "/projects/{project_id}/method-switch", "member"),
    "registers.list_risks": ("GET", "/projects/{project_id}/risks", "member"),
    "registers.create_risk": ("GET", "/projects/{project_id}/risks/new", "manager"),
    "registers.show_risk": ("GET", "/projects/{project_id}/risks/{risk_id}", "member"),
    "registers.edit_risk": ("GET", "/projects/{project_id}/risks/{risk_id}/edit", "manager"),
    "registers.list_issues": ("GET", "/projects/{project_id}/issues", "member"),
    "registers.create_issue": ("GET", "/projects/{project_id}/issues/new", "manager"),
    "registers.show_issue": ("GET", "/projects/{project_id}/issues/{issue_id}", "member"),
    "registers.edit_issue": ("GET", "/projects/{project_id}/issues/{issue_id}/edit", "manager"),
    "registers.export_risks": ("GET", "/projects/{project_id}/risks.csv", "member"),
    "registers.export_issues": ("GET", "/projects/{project_id}/issues.xlsx", "member"),
    "registers.export_assumptions": ("GET", "/projects/{project_id}/assumptions.csv", "member"),
    "registers.export_dependencies": (
        "GET",
        "/projects/{project_id}/dependencies.xlsx",
        "member",
    ),
    "registers.list_escalations": ("GET", "/projects/escalations", "pmo"),
    "registers.list_raid": (
        "GET",
        "/projects/{project_id}/assumptions-and-dependencies",
        "member",
    ),
    "registers.create_assumption": ("POST", "/projects/{project_id}/assumptions", "manager"),
    "registers.settle_assumption": (
        "POST",
        "/projects/{project_id}/assumptions/{assumption_id}/settle",
        "manager",
    ),
    "registers.edit_assumption": (
        "GET",
        "/projects/{project_id}/assumptions/{assumption_id}/edit",
        "manager",
    ),
    "registers.create_dependency": ("POST", "/projects/{project_id}/dependencies", "manager"),
    "registers.edit_dependency": (
        "GET",
        "/projects/{project_id}/dependencies/{own_dependency_id}/edit",
        "manager",
    ),
    "registers.acknowledge_dependency": (
        "POST",
        "/projects/{project_id}/dependencies/{dependency_id}/acknowledge",
        "own_manager",
    ),
    "portfolio.benefits": ("GET", "/portfolio/benefits", "pmo"),
    "portfolio.export_benefits": ("GET", "/portfolio/benefits.xlsx", "pmo"),
    "portfolio.registers": ("GET", "/portfolio/registers", "pmo"),
    "portfolio.committee_report": ("GET", "/portfolio/committee-report.pdf", "pmo"),
    "lessons.project_lessons": ("GET", "/projects/{project_id}/lessons", "member"),
    "lessons.log_lesson": ("POST", "/projects/{project_id}/lessons", "team"),
    "lessons.library": ("GET", "/lessons", "any"),
    "lessons.export_project_lessons": ("GET", "/projects/{project_id}/lessons.csv", "member"),
    "lessons.export_library": ("GET", "/lessons.xlsx", "any"),
    "lessons.curate": ("POST", "/lessons/{lesson_id}/curate", "pmo"),
    "changes.list_changes": ("GET", "/projects/{project_id}/change-requests", "member"),
    "changes.export_changes": ("GET", "/projects/{project_id}/change-requests.xlsx", "member"),
    "changes.set_budget": ("POST", "/projects/{project_id}/change-budget", "executive"),
    "changes.create_change": (
        "GET",
        "/projects/{project_id}/issues/{issue_id}/change-requests/new",
        "team",
    ),
    "changes.attach_document": (
        "POST",
        "/projects/{project_id}/change-requests/{change_id}/documents",
        "manager",
    ),
    "changes.show_change": (
        "GET",
        "/projects/{project_id}/change-requests/{change_id}",
        "member",
    ),
    "changes.decide_change": (
        "POST",
        "/projects/{project_id}/change-requests/{change_id}/decide",
        "executive",
    ),
    "proposals.list_proposals": ("GET", "/proposals/", "any"),
    "proposals.create_proposal": ("GET", "/proposals/new", "any"),
    "proposals.show_proposal": ("GET", "/proposals/{proposal_id}", "proposal"),
    "proposals.edit_proposal": ("GET", "/proposals/{draft_proposal_id}/edit", "proposer"),
    "proposals.assess_proposal": ("GET", "/proposals/{draft_proposal_id}/assessment", "proposer"),
    "proposals.submit_proposal": ("POST", "/proposals/{draft_proposal_id}/submit", "proposer"),
    "proposals.score_proposal": ("GET", "/proposals/{proposal_id}/score", "pmo"),
    "proposals.decide_proposal": ("POST", "/proposals/{proposal_id}/decide", "approver"),
    "proposals.pipeline": ("GET", "/proposals/pipeline", "pipeline"),
    "proposals.export_pipeline": ("GET", "/proposals/pipeline.xlsx", "pipeline"),
    "proposals.compare": ("GET", "/proposals/compare", "pipeline"),
    "proposals.list_criteria": ("GET", "/proposals/criteria", "pmo"),
    "proposals.create_criterion": ("GET", "/proposals/criteria/new", "pmo"),
    "proposals.edit_criterion": ("GET", "/proposals/criteria/{criterion_id}/edit", "pmo"),
    "proposals.board_members": ("GET", "/proposals/board", "pmo"),
    "proposals.remove_board_member": (
        "POST",
        "/proposals/board/{board_user_id}/remove",
        "pmo",
    ),
    "registers.show_escalation": (
        "GET",
        "/projects/{project_id}/escalations/{escalation_id}",
        "member",
    ),
    "registers.answer_escalation": (
        "POST",
        "/projects/{project_id}/escalations/{escalation_id}/answer",
        "approver",
    ),
    "agile.authorise_start": ("GET", "/projects/{project_id}/authorise-start", "executive"),
    "agile.close_project": ("GET", "/projects/{project_id}/close", "executive"),
    "agile.list_iterations": ("GET", "/projects/{project_id}/iterations", "member"),
    "agile.create_iteration": ("GET", "/projects/{project_id}/iterations/new", "manager"),
    "agile.show_iteration": ("GET", "/projects/{project_id}/iterations/{iteration_id}", "member"),
    "agile.edit_iteration": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/edit",
        "manager",
    ),
    "agile.start_iteration": (
        "POST",
        "/projects/{project_id}/iterations/{iteration_id}/start",
        "manager",
    ),
    "agile.close_iteration": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/close",
        "manager",
    ),
    "agile.show_backlog": ("GET", "/projects/{project_id}/backlog", "member"),
    "agile.create_item": ("GET", "/projects/{project_id}/backlog/new", "team"),
    "agile.show_item": ("GET", "/projects/{project_id}/backlog/{item_id}", "member"),
    "agile.edit_item": ("GET", "/projects/{project_id}/backlog/{item_id}/edit", "team"),
    "agile.change_status": ("POST", "/projects/{project_id}/backlog/{item_id}/status", "team"),
    "agile.move_item": ("POST", "/projects/{project_id}/backlog/{item_id}/move", "manager"),
    "agile.create_feedback": (
        "GET",
        "/projects/{project_id}/iterations/{iteration_id}/feedback/new",
        "feedback",
    ),
    "agile.close_loop": ("GET", "/projects/{project_id}/feedback/{feedback_id}/close-loop", "team"),
    "agile.you_said_we_did": ("GET", "/projects/{project_id}/you-said-we-did", "member"),
    "worklog.my_work": ("GET", "/my-work", "any"),
    "worklog.timesheet": ("GET", "/timesheet", "any"),
    "worklog.submit_week": ("POST", "/timesheet/submit", "any"),
    "worklog.unlock_week": ("POST", "/timesheet/weeks/{week_id}/unlock", "manager"),
    "worklog.create_entry": ("GET", "/time/new", "any"),
    "worklog.edit_entry": ("GET", "/time/{entry_id}/edit", "owner"),
    "worklog.delete_entry": ("POST", "/time/{entry_id}/delete", "owner"),
    "worklog.project_log": ("GET", "/projects/{project_id}/time", "manager"),
    "worklog.export_entries": ("GET", "/time/export", "any"),
    "worklog.import_entries": ("GET", "/time/import", "any"),
    "worklog.list_rates": ("GET", "/rates", "pmo"),
    "worklog.create_rate": ("GET", "/rates/new", "pmo"),
    "worklog.edit_rate": ("GET", "/rates/{rate_id}/edit", "pmo"),
    "worklog.delete_rate": ("POST", "/rates/{rate_id}/delete", "pmo"),
    "notifications.inbox": ("GET", "/notifications", "any"),
    "notifications.mark_read": ("POST", "/notifications/{notification_id}/read", "any"),
    "notifications.mark_all_read": ("POST", "/notifications/read-all", "any"),
    "notifications.settings": ("GET", "/notifications/settings", "any"),
    "scheduler.job_log": ("GET", "/admin/jobs", "admin"),
    "portfolio.dashboard": ("GET", "/portfolio/", "any"),
    "portfolio.list_projects": ("GET", "/portfolio/projects", "any"),
    "portfolio.export_csv": ("GET", "/portfolio/projects.csv", "any"),
    "portfolio.export_xlsx": ("GET", "/portfolio/projects.xlsx", "any"),
    "evidence.show": ("GET", "/evidence/", "pmo"),
    "evidence.export_csv": ("GET", "/evidence/outcomes.csv", "pmo"),
    "evidence.export_xlsx": ("GET", "/evidence/outcomes.xlsx", "pmo"),
    "evidence.calibration": ("GET", "/evidence/calibration", "pmo"),
    "evidence.adopt": ("POST", "/evidence/calibration/adopt", "pmo"),
    # Programmes: "programme" is anyone on the programme (its board, manager) or PMO;
    # "programme_manager" the programme's manager or PMO; "programme_board" its board only.
    "programmes.list_programmes": ("GET", "/programmes/", "any"),
    "programmes.create_portfolio": ("GET", "/portfolios/new", "pmo"),
    "programmes.show_portfolio": ("GET", "/portfolios/{portfolio_id}", "programme"),
    "programmes.create_programme": ("GET", "/programmes/new", "pmo"),
    "programmes.show_programme": ("GET", "/programmes/{programme_id}", "programme"),
    "programmes.edit_programme": (
        "GET",
        "/programmes/{programme_id}/edit",
        "programme_manager",
    ),
    "programmes.add_role": ("POST", "/programmes/{programme_id}/roles", "programme_manager"),
    "programmes.remove_role": (
        "POST",
        "/programmes/{programme_id}/roles/{programme_role_id}/remove",
        "programme_manager",
    ),
    "programmes.add_project": (
        "POST",
        "/programmes/{programme_id}/projects",
        "programme_manager",
    ),
    "programmes.remove_project": (
        "POST",
        "/programmes/{programme_id}/projects/{project_id}/remove",
        "programme_manager",
    ),
    "programmes.export_projects": (
        "GET",
        "/programmes/{programme_id}/projects.csv",
        "programme",
    ),
    "programmes.export_projects_xlsx": (
        "GET",
        "/programmes/{programme_id}/projects.xlsx",
        "programme",
    ),
    "programmes.compare_methods": ("GET", "/programmes/{programme_id}/methods", "programme"),
    "programmes.show_dependencies": (
        "GET",
        "/programmes/{programme_id}/dependencies",
        "programme",
    ),
    "programmes.show_highlight": ("GET", "/programmes/{programme_id}/highlight", "programme"),
    "programmes.show_partnership": (
        "GET",
        "/programmes/{programme_id}/partnership",
        "programme",
    ),
    "programmes.add_partner": (
        "POST",
        "/programmes/{programme_id}/partners",
        "programme_manager",
    ),
    "programmes.add_pledge": ("POST", "/programmes/{programme_id}/pledges", "programme_manager"),
    "programmes.complete_commitment": (
        "POST",
        "/programmes/{programme_id}/pledges/{pledge_id}/done",
        "programme_manager",
    ),
    "programmes.rate_partnership": (
        "POST",
        "/programmes/{programme_id}/health",
        "programme_manager",
    ),
    "programmes.raise_risk": ("POST", "/programmes/{programme_id}/risks", "programme_manager"),
    "programmes.close_risk": (
        "POST",
        "/programmes/{programme_id}/risks/{programme_risk_id}/close",
        "programme_manager",
    ),
    "programmes.assess_confidence": (
        "POST",
        "/programmes/{programme_id}/confidence",
        "programme_board",
    ),
    "programmes.list_gates": ("GET", "/programmes/{programme_id}/gates", "programme"),
    "programmes.request_gate": (
        "POST",
        "/programmes/{programme_id}/gates",
        "programme_manager",
    ),
    "programmes.decide_gate": (
        "POST",
        "/programmes/{programme_id}/gates/{programme_gate_id}/decide",
        "programme_board",
    ),
    "budget.show": ("GET", "/projects/{project_id}/budget", "member"),
    "budget.record_cost": ("GET", "/projects/{project_id}/budget/costs/new", "manager"),
    "budget.import_costs": ("GET", "/projects/{project_id}/budget/costs/import", "manager"),
    "budget.set_baseline": ("GET", "/projects/{project_id}/budget/baseline", "manager"),
    "budget.list_baselines": ("GET", "/projects/{project_id}/budget/baselines", "member"),
    "budget.take_checkpoint": ("GET", "/projects/{project_id}/budget/checkpoints/new", "manager"),
    "budget.show_checkpoint": (
        "GET",
        "/projects/{project_id}/budget/checkpoints/{checkpoint_id}",
        "member",
    ),
    "budget.show_exception": (
        "GET",
        "/projects/{project_id}/budget/exceptions/{budget_exception_id}",
        "member",
    ),
    "budget.decide_exception": (
        "POST",
        "/projects/{project_id}/budget/exceptions/{budget_exception_id}/decide",
        "approver",
    ),
    "frameworks.list_frameworks": ("GET", "/frameworks/", "any"),
    "frameworks.show_framework": ("GET", "/frameworks/{framework_id}", "any"),
    "frameworks.copy_framework": ("GET", "/frameworks/{framework_id}/copy", "pmo"),
    "frameworks.start_draft": ("POST", "/frameworks/{framework_id}/draft", "pmo"),
    "frameworks.make_default": ("POST", "/frameworks/{framework_id}/default", "pmo"),
    "frameworks.publish": (
        "POST",
        "/frameworks/{framework_id}/versions/{framework_version_id}/publish",
        "pmo",
    ),
    "frameworks.add_gate": (
        "GET",
        "/frameworks/{framework_id}/versions/{framework_version_id}/gates/new",
        "pmo",
    ),
    "frameworks.edit_gate": (
        "GET",
        "/frameworks/{framework_id}/versions/{framework_version_id}/gates/{gate_template_id}/edit",
        "pmo",
    ),
    "frameworks.add_item": (
        "GET",
        "/frameworks/{framework_id}/versions/{framework_version_id}/gates/{gate_template_id}"
        "/items/new",
        "pmo",
    ),
    "frameworks.remove_item": (
        "POST",
        "/frameworks/{framework_id}/versions/{framework_version_id}/gates/{gate_template_id}"
        "/items/{template_item_id}/remove",
        "pmo",
    ),
    "frameworks.edit_tailoring": (
        "GET",
        "/frameworks/{framework_id}/versions/{framework_version_id}/tailoring",
        "pmo",
    ),
    "frameworks.project_framework": ("GET", "/projects/{project_id}/framework", "member"),
    "frameworks.move_project": ("GET", "/projects/{project_id}/framework/move", "manager"),
    "frameworks.confirm_item": (
        "POST",
        "/projects/{project_id}/framework/items/{template_item_id}/confirm",
        "manager",
    ),
    "phases.list_phases": ("GET", "/projects/{project_id}/phases", "member"),
    "phases.set_up": ("POST", "/projects/{project_id}/phases/setup", "manager"),
    "phases.start_phase": ("POST", "/projects/{project_id}/phases/{phase_id}/start", "manager"),
    "phases.release_funding": (
        "POST",
        "/projects/{project_id}/phases/{phase_id}/funding",
        "executive",
    ),
    "phases.check_spending": (
        "POST",
        "/projects/{project_id}/phases/{phase_id}/spending",
        "manager",
    ),
    "phases.request_assessment": (
        "GET",
        "/projects/{project_id}/phases/{phase_id}/assessments/new",
        "manager",
    ),
    "phases.show_assessment": (
        "GET",
        "/projects/{project_id}/service-assessments/{service_assessment_id}",
        "member",
    ),
    "phases.decide_assessment": (
        "POST",
        "/projects/{project_id}/service-assessments/{service_assessment_id}/decide",
        "approver",
    ),
    "releases.list_releases": ("GET", "/projects/{project_id}/releases", "member"),
    "releases.request_release": ("GET", "/projects/{project_id}/releases/new", "manager"),
    "releases.show_release": ("GET", "/projects/{project_id}/releases/{release_id}", "member"),
    "releases.decide_release": (
        "POST",
        "/projects/{project_id}/releases/{release_id}/decide",
        "approver",
    ),
    "releases.go_live": ("POST", "/projects/{project_id}/releases/{release_id}/live", "manager"),
    "closure.show_closure": ("GET", "/projects/{project_id}/closure", "member"),
    "closure.submit_report": ("POST", "/projects/{project_id}/closure", "manager"),
    "closure.decide_closure": (
        "POST",
        "/projects/{project_id}/closure/{report_id}/decide",
        "approver",
    ),
    "business_cases.list_versions": ("GET", "/projects/{project_id}/business-case", "member"),
    "business_cases.start_version": (
        "POST",
        "/projects/{project_id}/business-case/versions",
        "manager",
    ),
    "business_cases.show_version": (
        "GET",
        "/projects/{project_id}/business-case/versions/{case_draft}",
        "member",
    ),
    "business_cases.edit_section": (
        "GET",
        "/projects/{project_id}/business-case/versions/{case_draft}/sections/strategic",
        "manager",
    ),
    "business_cases.edit_option": (
        "GET",
        "/projects/{project_id}/business-case/versions/{case_draft}/options/1",
        "manager",
    ),
    "business_cases.remove_option": (
        "POST",
        "/projects/{project_id}/business-case/versions/{case_draft}/options/1/remove",
        "manager",
    ),
    "business_cases.edit_funding": (
        "GET",
        "/projects/{project_id}/business-case/versions/{case_draft}/funding",
        "manager",
    ),
    "business_cases.show_changes": (
        "GET",
        "/projects/{project_id}/business-case/versions/{case_draft}/changes",
        "member",
    ),
    "business_cases.judge": (
        "POST",
        "/projects/{project_id}/business-case/versions/{case_frozen}/judgement",
        "approver",
    ),
    "business_cases.export": ("GET", "/projects/{project_id}/business-case/export.xlsx", "member"),
    "api.list_tokens": ("GET", "/account/tokens", "any"),
    "api.create_token": ("POST", "/account/tokens", "any"),
    "api.revoke_token": ("POST", "/account/tokens/{token_id}/revoke", "any"),
    "api.docs": ("GET", "/api/v1/docs", "public"),
    "api-docs.openapi_json": ("GET", "/api/v1/openapi.json", "public"),
    # "api": a bearer token only; a session never authenticates (tests/api checks the roles).
    **{
        endpoint: (method, "/api/v1" + path, "api")
        for endpoint, (method, path) in {
            "api_organisations.list_organisations": ("GET", "/organisations"),
            "api_organisations.get_organisation": ("GET", "/organisations/{org_id}"),
            "api_organisations.create_organisation": ("POST", "/organisations"),
            "api_organisations.update_organisation": ("PATCH", "/organisations/{org_id}"),
            "api_frameworks.list_frameworks": ("GET", "/frameworks"),
            "api_frameworks.get_framework": ("GET", "/frameworks/{framework_id}"),
            "api_frameworks.create_framework": ("POST", "/frameworks"),
            "api_frameworks.start_draft": ("POST", "/frameworks/{framework_id}/drafts"),
            "api_frameworks.publish": ("POST", "/frameworks/{framework_id}/publish"),
            "api_frameworks.get_project_framework": ("GET", "/projects/{project_id}/framework"),
            "api_frameworks.confirm_item": (
                "POST",
                "/projects/{project_id}/framework/items/{template_item_id}/confirm",
            ),
            "api_phases.list_phases": ("GET", "/projects/{project_id}/phases"),
            "api_phases.release_funding": (
                "POST",
                "/projects/{project_id}/phases/{phase_id}/funding",
            ),
            "api_phases.list_service_assessments": (
                "GET",
                "/projects/{project_id}/service-assessments",
            ),
            "api_phases.request_service_assessment": (
                "POST",
                "/projects/{project_id}/service-assessments",
            ),
            "api_phases.decide_service_assessment": (
                "POST",
                "/projects/{project_id}/service-assessments/{service_assessment_id}/decisions",
            ),
            "api_releases.list_releases": ("GET", "/projects/{project_id}/releases"),
            "api_releases.request_release": ("POST", "/projects/{project_id}/releases"),
            "api_releases.decide_release": (
                "POST",
                "/projects/{project_id}/releases/{release_id}/decisions",
            ),
            "api_releases.go_live": ("POST", "/projects/{project_id}/releases/{release_id}/live"),
            "api_closure.get_closure": ("GET", "/projects/{project_id}/closure"),
            "api_closure.submit_report": ("POST", "/projects/{project_id}/closure"),
            "api_closure.decide_closure": (
                "POST",
                "/projects/{project_id}/closure/{report_id}/decisions",
            ),
            "api_business_cases.list_business_cases": (
                "GET",
                "/projects/{project_id}/business-cases",
            ),
            "api_business_cases.start_business_case": (
                "POST",
                "/projects/{project_id}/business-cases",
            ),
            "api_business_cases.save_business_case_draft": (
                "PATCH",
                "/projects/{project_id}/business-cases/draft",
            ),
            "api_projects.list_projects": ("GET", "/projects"),
            "api_projects.create_project": ("POST", "/projects"),
            "api_projects.get_project": ("GET", "/projects/{project_id}"),
            "api_projects.update_project": ("PATCH", "/projects/{project_id}"),
            "api_projects.close_project": ("POST", "/projects/{project_id}/close"),
            "api_projects.authorise_start": ("POST", "/projects/{project_id}/start"),
            "api_assessments.list_assessments": ("GET", "/projects/{project_id}/assessments"),
            "api_assessments.create_assessment": ("POST", "/projects/{project_id}/assessments"),
            "api_assessments.get_assessment": (
                "GET",
                "/projects/{project_id}/assessments/{assessment_id}",
            ),
            "api_method_decisions.list_method_decisions": (
                "GET",
                "/projects/{project_id}/method-decisions",
            ),
            "api_method_decisions.create_method_decision": (
                "POST",
                "/projects/{project_id}/method-decisions",
            ),
            "api_stages.list_stages": ("GET", "/projects/{project_id}/stages"),
            "api_stages.get_stage": ("GET", "/projects/{project_id}/stages/{stage_id}"),
            "api_stages.create_stage": ("POST", "/projects/{project_id}/stages"),
            "api_stages.update_stage": ("PATCH", "/projects/{project_id}/stages/{stage_id}"),
            "api_stages.start_stage": (
                "POST",
                "/projects/{project_id}/stages/{stage_id}/start",
            ),
            "api_stages.close_stage": (
                "POST",
                "/projects/{project_id}/stages/{stage_id}/close",
            ),
            "api_gates.request_gate": ("POST", "/projects/{project_id}/gates"),
            "api_gates.close_project_early": (
                "POST",
                "/projects/{project_id}/gates/{gate_id}/close-project",
            ),
            "api_gates.list_gates": ("GET", "/projects/{project_id}/gates"),
            "api_gates.get_gate": ("GET", "/projects/{project_id}/gates/{gate_id}"),
            "api_gates.decide_gate": ("POST", "/projects/{project_id}/gates/{gate_id}/decisions"),
            "api_iterations.list_iterations": ("GET", "/projects/{project_id}/iterations"),
            "api_iterations.create_iteration": ("POST", "/projects/{project_id}/iterations"),
            "api_iterations.get_iteration": (
                "GET",
                "/projects/{project_id}/iterations/{iteration_id}",
            ),
            "api_iterations.update_iteration": (
                "PATCH",
                "/projects/{project_id}/iterations/{iteration_id}",
            ),
            "api_backlog.list_backlog": ("GET", "/projects/{project_id}/backlog"),
            "api_backlog.create_backlog_item": ("POST", "/projects/{project_id}/backlog"),
            "api_backlog.get_backlog_item": ("GET", "/projects/{project_id}/backlog/{item_id}"),
            "api_backlog.update_backlog_item": (
                "PATCH",
                "/projects/{project_id}/backlog/{item_id}",
            ),
            "api_backlog.move_backlog_item": (
                "POST",
                "/projects/{project_id}/backlog/{item_id}/move",
            ),
            "api_feedback.list_feedback": ("GET", "/projects/{project_id}/feedback"),
            "api_feedback.get_feedback": ("GET", "/projects/{project_id}/feedback/{feedback_id}"),
            "api_feedback.create_feedback": (
                "POST",
                "/projects/{project_id}/iterations/{iteration_id}/feedback",
            ),
            "api_feedback.close_loop": (
                "POST",
                "/projects/{project_id}/feedback/{feedback_id}/close-loop",
            ),
            "api_costs.list_costs": ("GET", "/projects/{project_id}/costs"),
            "api_costs.get_cost": ("GET", "/projects/{project_id}/costs/{cost_id}"),
            "api_costs.create_cost": ("POST", "/projects/{project_id}/costs"),
            "api_costs.create_cost_batch": ("POST", "/projects/{project_id}/costs/batch"),
            "api_time_entries.list_time_entries": ("GET", "/time-entries"),
            "api_time_entries.get_time_entry": ("GET", "/time-entries/{entry_id}"),
            "api_time_entries.create_time_entry": ("POST", "/time-entries"),
            "api_time_entries.update_time_entry": ("PATCH", "/time-entries/{entry_id}"),
            "api_time_entries.delete_time_entry": ("DELETE", "/time-entries/{entry_id}"),
            "api_checkpoints.list_checkpoints": ("GET", "/projects/{project_id}/checkpoints"),
            "api_checkpoints.get_checkpoint": (
                "GET",
                "/projects/{project_id}/checkpoints/{checkpoint_id}",
            ),
            "api_checkpoints.create_checkpoint": ("POST", "/projects/{project_id}/checkpoints"),
            "api_board.get_gate_evidence": (
                "GET",
                "/projects/{project_id}/gates/{gate_id}/evidence",
            ),
            "api_board.download_pack": ("GET", "/projects/{project_id}/gates/{gate_id}/pack"),
            "api_board.build_pack": ("POST", "/projects/{project_id}/gates/{gate_id}/pack"),
            "api_board.list_conditions": ("GET", "/projects/{project_id}/conditions"),
            "api_board.get_condition": (
                "GET",
                "/projects/{project_id}/conditions/{condition_id}",
            ),
            "api_board.update_condition": (
                "PATCH",
                "/projects/{project_id}/conditions/{condition_id}",
            ),
            "api_board.list_documents": ("GET", "/projects/{project_id}/documents"),
            "api_board.upload_document": ("POST", "/projects/{project_id}/documents"),
            "api_board.download_document": (
                "GET",
                "/projects/{project_id}/documents/{document_id}",
            ),
            "api_board.list_confidence_assessments": (
                "GET",
                "/projects/{project_id}/confidence-assessments",
            ),
            "api_board.create_confidence_assessment": (
                "POST",
                "/projects/{project_id}/confidence-assessments",
            ),
            "api_risks.list_risks": ("GET", "/projects/{project_id}/risks"),
            "api_risks.get_risk": ("GET", "/projects/{project_id}/risks/{risk_id}"),
            "api_risks.create_risk": ("POST", "/projects/{project_id}/risks"),
            "api_risks.update_risk": ("PATCH", "/projects/{project_id}/risks/{risk_id}"),
            "api_issues.list_issues": ("GET", "/projects/{project_id}/issues"),
            "api_issues.get_issue": ("GET", "/projects/{project_id}/issues/{issue_id}"),
            "api_issues.create_issue": ("POST", "/projects/{project_id}/issues"),
            "api_issues.update_issue": ("PATCH", "/projects/{project_id}/issues/{issue_id}"),
            "api_change_requests.list_change_requests": (
                "GET",
                "/projects/{project_id}/change-requests",
            ),
            "api_change_requests.create_change_request": (
                "POST",
                "/projects/{project_id}/change-requests",
            ),
            "api_change_requests.decide_change_request": (
                "POST",
                "/projects/{project_id}/change-requests/{change_id}/decision",
            ),
            "api_lessons.list_lessons": ("GET", "/projects/{project_id}/lessons"),
            "api_lessons.create_lesson": ("POST", "/projects/{project_id}/lessons"),
            "api_lessons.list_library": ("GET", "/lessons"),
            "api_assumptions.list_assumptions": ("GET", "/projects/{project_id}/assumptions"),
            "api_assumptions.create_assumption": ("POST", "/projects/{project_id}/assumptions"),
            "api_dependencies.list_dependencies": ("GET", "/projects/{project_id}/dependencies"),
            "api_dependencies.create_dependency": (
                "POST",
                "/projects/{project_id}/dependencies",
            ),
            "api_benefits.list_benefits": ("GET", "/projects/{project_id}/benefits"),
            "api_benefits.create_benefit": ("POST", "/projects/{project_id}/benefits"),
            "api_benefits.get_benefit": ("GET", "/projects/{project_id}/benefits/{benefit_id}"),
            "api_benefits.update_benefit": (
                "PATCH",
                "/projects/{project_id}/benefits/{benefit_id}",
            ),
            "api_benefits.list_measurements": (
                "GET",
                "/projects/{project_id}/benefits/{benefit_id}/measurements",
            ),
            "api_benefits.create_measurement": (
                "POST",
                "/projects/{project_id}/benefits/{benefit_id}/measurements",
            ),
            "api_benefits.create_review": (
                "POST",
                "/projects/{project_id}/benefits/{benefit_id}/reviews",
            ),
            "api_proposals.list_proposals": ("GET", "/proposals"),
            "api_proposals.create_proposal": ("POST", "/proposals"),
            "api_proposals.get_proposal": ("GET", "/proposals/{proposal_id}"),
            "api_programmes.list_portfolios": ("GET", "/portfolios"),
            "api_programmes.list_programmes": ("GET", "/programmes"),
            "api_programmes.get_programme": ("GET", "/programmes/{programme_id}"),
            "api_programmes.list_programme_projects": (
                "GET",
                "/programmes/{programme_id}/projects",
            ),
            "api_programmes.add_programme_project": (
                "POST",
                "/programmes/{programme_id}/projects",
            ),
            "api_portfolio.portfolio": ("GET", "/portfolio"),
            "api_portfolio.portfolio_table": ("GET", "/portfolio/projects"),
            "api_evidence.evidence": ("GET", "/evidence"),
            "api_method_models.list_method_models": ("GET", "/method-models"),
            "api_method_models.calibration": ("GET", "/method-models/calibration"),
        }.items()
    },
}


@pytest.fixture(scope="module")
def built_world(shared_db):
    """A project with a record of every kind the routes need, built once per test module in
    the module's transaction (``shared_db``); each test runs in a savepoint rolled back
    afterwards, so an action one test takes is never seen by the next."""
    from sqlalchemy import select

    from tests.conftest import build_for_module
    from tracker.board import services as board
    from tracker.board.models import BoardPack, Document
    from tracker.extensions import db

    built = build_for_module(_build_world)
    # The stored files' bytes: a test that deletes a document removes its file, which the
    # rollback cannot bring back (``world`` puts it back).
    with db.session() as session:
        keys = [*session.scalars(select(Document.storage_key))]
        keys += session.scalars(select(BoardPack.storage_key))
    folder = board.documents_folder()
    built["files"] = {folder / key: (folder / key).read_bytes() for key in keys}
    return built


@pytest.fixture
def world(built_world, db):
    for path, content in built_world["files"].items():
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    return built_world


def _build_world(db, make_user, make_project):
    manager = make_user("Manager")
    member = make_user("Team member")
    outsider = make_user("Outsider")
    project = make_project(manager=manager, members=[(member, "team_member")])
    membership = next(m for m in project.memberships if m.role == "team_member")
    assessment, risk = _method_records(db, project, manager)
    issue = _issue(db, project, manager)
    ids = {
        "user_id": member.id,
        "org_id": project.lead_organisation_id,
        "project_id": project.id,
        "membership_id": membership.id,
        "assessment_id": assessment.id,
        "risk_id": risk.id,
        "issue_id": issue.id,
        "escalation_id": _escalation_id(db, issue),
        "change_id": _change_id(db, project, issue, manager),
        **_raid_ids(db, make_project, project, manager),
        "lesson_id": _lesson_id(db, project, manager),
        "benefit_id": _benefit_id(db, project, manager),
    }
    ids.update(stage_access_ids(project, manager))
    # Hybrid: both stages and iterations belong on it.
    project.delivery_method = "hybrid"
    ids.update(_agile_records(db, project))
    ids.update(_worklog_records(db, project, member))
    ids["notification_id"] = _notification(db, member)
    budget_ids = budget_access_ids(project, manager)
    ids.update(
        checkpoint_id=budget_ids["checkpoint_id"],
        budget_exception_id=budget_ids["exception_id"],
    )
    ids["condition_id"] = _condition(db, ids["gate_id"], project, member, manager)
    ids["document_id"] = _document(db, project, manager)
    ids["pack_id"] = _pack(db, ids["gate_id"], project, manager)
    ids.update(_business_case(db, project, manager, ids["gate_id"]))
    ids["exception_pack_id"] = _pack(
        db, None, project, manager, exception_id=ids["exception_id"], key="exception"
    )
    ids["token_id"] = _token(db, member)
    ids.update(_framework_records(db))
    ids.update(_phase_records(db, project, manager))
    ids["cost_id"] = budget_cost(project, manager).id
    # For the role matrix: a board member of this project and the manager of another one.
    from tracker.projects import services as projects

    board = make_user("Board member")
    projects.add_member(project, board, "executive")
    db.session.commit()
    ids.update(_proposal_records(db, member, board, project.lead_organisation_id))
    other_manager = make_user("Manager elsewhere")
    make_project(manager=other_manager)
    ids.update(_programme_records(db, project, manager, board))
    return {
        "manager": manager,
        "member": member,
        "outsider": outsider,
        "board": board,
        "other_manager": other_manager,
        "project": project,
        "ids": ids,
    }


def _proposal_records(db, member, board, org_id) -> dict:
    """A draft and a submitted proposal of the team member's, a criterion, and the board
    member on the prioritisation board."""
    from tracker.proposals import services as proposals
    from tracker.proposals.models import BoardMember, FitCriterion

    criterion = FitCriterion(
        name="Strategic priority", weight=3, scale_max=5, created_by_id=board.id
    )
    db.session.add_all([criterion, BoardMember(user_id=board.id, added_by_id=board.id)])
    draft = proposals.create_proposal(proposals.ProposalData("A draft idea"), actor=member)
    submitted = proposals.create_proposal(
        proposals.ProposalData("Joined-up discharge", "Delays", "Fewer delays", org_id),
        actor=member,
    )
    submitted.status = "submitted"
    db.session.commit()
    return {
        "proposal_id": submitted.id,
        "draft_proposal_id": draft.id,
        "criterion_id": criterion.id,
        "board_user_id": board.id,
    }


def _programme_records(db, project, manager, board) -> dict:
    """A multi-agency programme the project's manager manages and its board member sits on
    the board of, holding the project, with a partner, a commitment and a gate asked for."""
    from tracker.orgs.models import Organisation
    from tracker.programmes import services as programmes

    portfolio = programmes.create_portfolio("Access portfolio", "", actor=None)
    programme = programmes.create_programme(
        programmes.ProgrammeData(
            code="ACC-1",
            name="Access programme",
            portfolio_id=portfolio.id,
            is_multi_agency=True,
        ),
        actor=None,
    )
    programmes.grant_role(programme, manager, "programme_manager", actor=None)
    holder = programmes.grant_role(programme, board, "board_member", actor=None)
    programmes.add_project(programme, project, actor=manager)
    partner = db.session.get(Organisation, project.lead_organisation_id)
    programmes.add_partner(programme, partner, actor=None)
    pledge = programmes.add_pledge(
        programme,
        programmes.PledgeData(
            partner.id, "commitment", "Share data", manager.id, project.planned_finish
        ),
        actor=manager,
    )
    gate = programmes.request_gate(programme, "Tranche review", "", actor=manager)
    risk = programmes.raise_risk(programme, "Funding ends", manager, 3, 4, actor=manager)
    db.session.commit()
    return {
        "portfolio_id": portfolio.id,
        "programme_id": programme.id,
        "programme_role_id": holder.id,
        "pledge_id": pledge.id,
        "programme_gate_id": gate.id,
        "programme_risk_id": risk.id,
    }


def _method_records(db, project, manager):
    """An assessment and a decision against it, which puts a risk on the register."""
    from tests.methods.helpers import raw
    from tracker.methods import services as methods

    assessment = methods.assess(project, raw(), assessed_by=manager)
    decision = methods.decide(
        project,
        methods.DecisionData("agile", ["tradition"], "Always done this way", None, None),
        decided_by=manager,
    )
    db.session.commit()
    return assessment, decision.risk


def _issue(db, project, manager):
    from tracker.registers import services as registers

    issue = registers.create_issue(
        project,
        registers.IssueData("concern", "Supplier capacity", manager.id, "high", 5),
        actor=manager,
    )
    db.session.commit()
    return issue  # severity 5 reaches every tier's threshold: escalated to the board


def _escalation_id(db, issue) -> int:
    from sqlalchemy import select

    from tracker.registers.models import Escalation

    return db.session.scalars(select(Escalation.id).where(Escalation.issue_id == issue.id)).one()


def _change_id(db, project, issue, manager) -> int:
    """A change request the manager raised: the board (its Executive) decides it."""
    from decimal import Decimal

    from tracker.changes import services as changes

    change = changes.request_change(
        project,
        issue,
        changes.ChangeData(
            "Extra supplier capacity", 5, Decimal("1000.00"), "None", "None", "None", "None", "None"
        ),
        actor=manager,
    )
    db.session.commit()
    return change.id


def _raid_ids(db, make_project, project, manager) -> dict:
    """An assumption on the project, and a dependency of another project on it."""
    from datetime import date

    from tracker.registers import services as registers

    assumption = registers.create_assumption(
        project, "The partner signs by March", manager.id, date(2027, 3, 31), actor=manager
    )
    other = make_project(manager=manager)
    dependency = registers.create_dependency(
        other,
        registers.DependencyData("project", "Shared data platform", date(2027, 6, 30), project.id),
        actor=manager,
    )
    own = registers.create_dependency(
        project,
        registers.DependencyData(
            "external", "Street works permit", date(2027, 5, 31), external_party="Highways"
        ),
        actor=manager,
    )
    db.session.commit()
    return {
        "assumption_id": assumption.id,
        "dependency_id": dependency.id,
        "own_dependency_id": own.id,
    }


def _benefit_id(db, project, manager) -> int:
    """A benefit owned by the manager (owners outside the team are tested in benefits)."""
    from datetime import date
    from decimal import Decimal

    from tracker.benefits import services as benefits

    benefit = benefits.create_benefit(
        project,
        benefits.BenefitData(
            title="Fewer calls",
            kind="benefit",
            category="non_cashable",
            measure="Calls a month",
            unit="calls",
            baseline_value=Decimal(1000),
            baseline_on=date(2026, 1, 1),
            target_value=Decimal(600),
            target_on=date(2027, 1, 1),
            owner_email=manager.email,
        ),
        actor=manager,
    )
    db.session.commit()
    return benefit.id


def _lesson_id(db, project, manager) -> int:
    from tracker.lessons import services as lessons

    lesson = lessons.log_lesson(
        project,
        lessons.LessonData(
            "Book rooms early", "Rooms ran out", "Book at kick-off", "repeat", "planning"
        ),
        actor=manager,
    )
    db.session.commit()
    return lesson.id


def _agile_records(db, project) -> dict:
    from tracker.agile.models import BacklogItem, Feedback, Iteration

    iteration = Iteration(
        project_id=project.id,
        name="Sprint 1",
        goal="Try it",
        status="active",
        start_on=project.planned_start,
        end_on=project.planned_start,
    )
    item = BacklogItem(project_id=project.id, iteration=iteration, title="Item", points=1, rank=1)
    feedback = Feedback(
        project_id=project.id,
        iteration=iteration,
        source="citizen",
        rating=4,
        said="Fine",
        agreement="yes",
    )
    db.session.add_all([iteration, item, feedback])
    db.session.commit()
    return {"iteration_id": iteration.id, "item_id": item.id, "feedback_id": feedback.id}


def _worklog_records(db, project, member) -> dict:
    from datetime import date
    from decimal import Decimal

    from tracker.worklog.models import HourlyRate, TimeEntry, TimesheetWeek

    week = TimesheetWeek(person_id=member.id, week_start=date(2026, 3, 2), status="open")
    db.session.add(week)
    db.session.flush()
    entry = TimeEntry(
        person_id=member.id,
        week_id=week.id,
        project_id=project.id,
        work_date=date(2026, 3, 3),
        hours=Decimal("7.5"),
        role="team_member",
    )
    rate = HourlyRate(role="team_member", rate=Decimal(40), effective_from=date(2026, 1, 1))
    db.session.add_all([entry, rate])
    db.session.commit()
    return {"week_id": week.id, "entry_id": entry.id, "rate_id": rate.id}


def _notification(db, user) -> int:
    from tracker.notifications.models import Notification

    notification = Notification(user_id=user.id, kind="gate_requested", title="A gate")
    db.session.add(notification)
    db.session.commit()
    return notification.id


def _token(db, user) -> int:
    from tracker.api import services as tokens

    token = tokens.create_token(user, name="Reporting", expires_in_days=30).token
    db.session.commit()
    return token.id


def _condition(db, gate_id, project, owner, setter) -> int:
    from datetime import timedelta

    from tracker.board.models import GateCondition

    condition = GateCondition(
        project_id=project.id,
        gate_id=gate_id,
        set_by_role="executive",
        set_by_id=setter.id,
        text="Bring the data migration plan",
        owner_id=owner.id,
        due_on=project.planned_start + timedelta(days=30),
    )
    db.session.add(condition)
    db.session.commit()
    return condition.id


def _document(db, project, manager) -> int:
    from tracker.board import services as board

    document = board.attach_document(
        project,
        subject="project",
        record_id=None,
        title="Business case",
        filename="business-case.pdf",
        content=b"%PDF-1.4\n% a business case\n",
        actor=manager,
    )
    db.session.commit()
    return document.id


def _pack(db, gate_id, project, manager, exception_id=None, key="gate") -> int:
    """A stored pack (its bytes written as a frozen pack's are, without rendering one)."""
    import hashlib

    from tracker.board import services as board
    from tracker.board.models import BoardPack

    content = b"%PDF-1.7\n% a frozen board pack\n"
    key = f"packs/{project.id}/routes-fixture-{key}.pdf"
    path = board.documents_folder() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    pack = BoardPack(
        project_id=project.id,
        gate_id=gate_id,
        exception_id=exception_id,
        moment="requested",
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        storage_key=key,
        created_by_id=manager.id,
    )
    db.session.add(pack)
    db.session.commit()
    return pack.id


def _business_case(db, project, manager, gate_id) -> dict:
    """Version 1 frozen for the waiting gate (the board judges it), version 2 a draft with
    one option (the manager edits it)."""
    from tracker.business_cases import services as cases
    from tracker.business_cases.models import BusinessCaseVersion

    first = cases.start_version(project, kind="soc", actor=manager)
    first.strategic = "Why the change is needed."
    first.status, first.frozen_at, first.gate_review_id = "frozen", first.created_at, gate_id
    db.session.flush()
    draft = cases.start_version(project, kind="obc", actor=manager)
    cases.save_option(
        draft,
        cases.OptionData("Do minimum", "", "0, 100, 0"),
        number=None,
        stamp=None,
        actor=manager,
    )
    db.session.commit()
    assert isinstance(draft, BusinessCaseVersion)
    return {"case_frozen": first.number, "case_draft": draft.number}


def _framework_records(db) -> dict:
    """The shipped council framework (seeded by the migrations): a published version, a gate
    with checklist items."""
    from sqlalchemy import select

    from tracker.frameworks.models import FrameworkVersion, GovernanceFramework

    framework = db.session.scalars(
        select(GovernanceFramework).where(GovernanceFramework.name == "Council gateways 0 to 3")
    ).one()
    version = db.session.scalars(
        select(FrameworkVersion).where(FrameworkVersion.framework_id == framework.id)
    ).first()
    gate = next(g for g in version.gates if g.items)
    return {
        "framework_id": framework.id,
        "framework_version_id": version.id,
        "gate_template_id": gate.id,
        "template_item_id": gate.items[0].id,
    }


def _phase_records(db, project, manager) -> dict:
    """A phase under way with a service assessment waiting for the Executive (written
    directly: the world's project follows PRINCE2, which has no phases)."""
    from tracker.phases.models import Phase, ServiceAssessment

    phase = Phase(project_id=project.id, kind="discovery", sequence=1, status="active")
    db.session.add(phase)
    db.session.flush()
    assessment = ServiceAssessment(
        project_id=project.id,
        phase_id=phase.id,
        round=1,
        name="Discovery peer review",
        points="Understand users and their needs",
        required_roles="executive",
        summary="What we found",
        status="pending",
        requested_by_id=manager.id,
    )
    db.session.add(assessment)
    db.session.commit()
    from tracker.releases.models import Release

    release = Release(
        project_id=project.id,
        name="Release 1",
        notes="The first release",
        gate_name="Release gate",
        required_roles="executive",
        status="pending",
        requested_by_id=manager.id,
    )
    db.session.add(release)
    db.session.commit()
    from tracker.closure.models import EndProjectReport

    report = EndProjectReport(
        project_id=project.id,
        round=1,
        gate_name="Closing gate",
        required_roles="executive",
        status="pending",
        submitted_by_id=manager.id,
        **{name: "Done" for name in _REPORT_FIELDS},
    )
    db.session.add(report)
    db.session.commit()
    return {
        "phase_id": phase.id,
        "service_assessment_id": assessment.id,
        "release_id": release.id,
        "report_id": report.id,
    }


_REPORT_FIELDS = (
    "delivered_vs_business_case",
    "time_performance",
    "cost_performance",
    "scope_performance",
    "quality_performance",
    "risk_performance",
    "benefit_performance",
    "sustainability_performance",
    "lessons",
    "handover",
    "follow_on_actions",
    "benefits_to_review",
)
