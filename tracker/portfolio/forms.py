"""The portfolio's filters and table order, read from the query string."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.core.fields import ChoiceField, DayField, optional_int, options
from tracker.methods.model import ZONES
from tracker.projects.rules import DELIVERY_METHODS, PROJECT_STATUSES, SIZE_TIERS

SORTS = {
    "code": "Code",
    "name": "Name",
    "organisation": "Lead organisation",
    "programme": "Programme",
    "method": "Method",
    "status": "Status",
    "cpi": "CPI",
    "spi": "SPI",
    "exceptions": "Exceptions",
    "rating": "Feedback rating",
}


def _any(mapping):
    return options([("", "Any"), *mapping.items()])


class PortfolioFilterForm(FlaskForm):
    class Meta:
        csrf = False

    organisation = ChoiceField("Organisation", coerce=optional_int)
    portfolio = ChoiceField("Portfolio", coerce=optional_int)
    programme = ChoiceField("Programme", coerce=optional_int, description="With its sub-programmes")
    tier = ChoiceField("Size", choices=_any(SIZE_TIERS))
    zone = ChoiceField(
        "Uncertainty zone",
        choices=_any({**{key: zone.label for key, zone in ZONES.items()}, "none": "Not assessed"}),
    )
    status = ChoiceField("Status", choices=_any(PROJECT_STATUSES))
    method = ChoiceField("Delivery method", choices=_any(DELIVERY_METHODS))
    period_from = DayField("Running from", description="For example, 2026-04-01")
    period_to = DayField("Running to", description="For example, 2027-03-31")
    sort = ChoiceField("Sort by", choices=options(SORTS))
    direction = ChoiceField(
        "Order", choices=options([("asc", "Ascending"), ("desc", "Descending")])
    )

    def __init__(self, *args, organisations=(), portfolios=(), programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options([("", "Any"), *[(o.id, o.name) for o in organisations]])
        self.portfolio.choices = options([("", "Any"), *portfolios])
        self.programme.choices = options([("", "Any"), *programmes])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.period_from.data, self.period_to.data
        if start and end and end < start and not self.period_to.errors:
            self.period_to.errors = [
                *self.period_to.errors,
                "Running to must be on or after running from",
            ]
            valid = False
        return valid
