"""A pipeline: a proposer, two PMO scorers, a board of two, criteria and an organisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.api.conftest import api_as, token_for  # noqa: F401
from tests.methods.helpers import raw


@pytest.fixture
def pipeline(db, make_user, make_org):
    from tracker.proposals import services
    from tracker.proposals.models import BoardMember

    proposer = make_user("Team member")
    pmo = make_user("PMO analyst", global_role="pmo")
    pmo2 = make_user("Second scorer", global_role="pmo")
    chair = make_user("Board chair")
    member = make_user("Board member")
    lead = make_org("Northshire Council")
    partner = make_org("Northshire NHS Trust")
    db.session.add_all(
        [BoardMember(user_id=u.id, added_by_id=pmo.id) for u in (chair, member, proposer)]
    )
    strategic = services.create_criterion(
        services.CriterionData("Strategic priority", "", 3, 5), actor=pmo
    )
    deliverable = services.create_criterion(
        services.CriterionData("Deliverability", "", 1, 5), actor=pmo
    )
    db.session.commit()
    return {
        "proposer": proposer,
        "pmo": pmo,
        "pmo2": pmo2,
        "chair": chair,
        "member": member,
        "lead": lead,
        "partner": partner,
        "criteria": [strategic, deliverable],
        "partner_person": make_user("Someone elsewhere"),
    }


def submitted(db, world, **overrides):
    """A submitted proposal of the proposer's, assessed, with capital and grant funding."""
    from tracker.proposals import services

    data = {
        "title": "Joined-up hospital discharge",
        "problem": "People wait days in hospital for care at home.",
        "outcome": "Discharge on the day they are medically fit.",
        "lead_organisation_id": world["lead"].id,
        "partner_ids": [world["partner"].id],
        "rough_cost": Decimal("250000.00"),
        "start_on": date(2027, 4, 1),
        "finish_on": date(2028, 3, 31),
        "funding": [
            services.FundingLine("capital", Decimal("150000.00"), True),
            services.FundingLine("grant", Decimal("100000.00"), False),
        ],
    }
    data.update(overrides)
    proposal = services.create_proposal(services.ProposalData(**data), actor=world["proposer"])
    services.record_assessment(proposal, raw(C1=3), version=None, actor=world["proposer"])
    services.submit_proposal(proposal, version=None, actor=world["proposer"])
    db.session.commit()
    return proposal
