"""What every API resource module shares: the spec-generating ``Api``, field types, the
page envelope, and the one way to call a domain service and commit.

Resource modules stay thin, like the page views: load → check access → call the same
service the pages call → commit → dump.
"""

from __future__ import annotations

import http
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

import marshmallow as ma
from flask import abort
from flask_login import current_user
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

from tracker.api.problems import PROBLEM_TYPE, from_rule_error
from tracker.auth.access import forbid
from tracker.core.fields import MAX_MONEY
from tracker.core.pagination import Page
from tracker.core.unit_of_work import unit_of_work
from tracker.extensions import db
from tracker.projects.access import load_project

MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Record ids in URLs: 1 to 2**31 - 1, so an absurd id is a 404, never an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# --------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------


def _printable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(ma.fields.String):
    """A string the database can store: no NUL characters or lone surrogates."""

    default_error_messages = {"unstorable": "Contains characters that cannot be stored"}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _printable(text):
            raise self.make_error("unstorable")
        return text


MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"


class Money(ma.fields.Field):
    """Pounds as a decimal string (``"250000.00"``): JSON numbers would lose pence."""

    default_error_messages = {
        "invalid": 'Enter an amount in pounds as a string, like "250000.00"',
        "too_large": "The amount is too large",
    }

    def __init__(self, **kwargs):
        kwargs["metadata"] = {
            "type": ["string", "null"] if kwargs.get("allow_none") else "string",
            "pattern": MONEY_PATTERN,
            "examples": ["250000.00"],
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return f"{Decimal(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(MONEY_PATTERN, value):
            raise self.make_error("invalid")
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if amount > MAX_MONEY:
            raise self.make_error("too_large")
        return amount


class Day(ma.fields.Date):
    """A calendar date from 1900 to 2199, like the date fields on the pages."""

    default_error_messages = {"out_of_range": "Enter a date between 1900-01-01 and 2199-12-31"}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
            raise self.make_error("out_of_range")
        return day


def Int(*, strict: bool = True, **kwargs) -> ma.fields.Integer:
    """An integer bounded to what the database holds. In a JSON body it must be a number
    (``3``, not ``"3"``); in a query string (``strict=False``) it is digits."""
    low = kwargs.pop("minimum", 0)
    high = kwargs.pop("maximum", MAX_ID)
    return ma.fields.Integer(strict=strict, validate=ma.validate.Range(low, high), **kwargs)


def Id(**kwargs) -> ma.fields.Integer:
    return Int(minimum=1, **kwargs)


def Choice(choices, **kwargs) -> Text:
    return Text(validate=ma.validate.OneOf(values(choices)), **kwargs)


def values(vocabulary) -> list[str]:
    """The plain strings of an enum or a labels dict, for an OpenAPI ``enum`` or a check."""
    return [str(value) for value in vocabulary]


class Schema(ma.Schema):
    class Meta:
        ordered = True


# --------------------------------------------------------------------------------------
# Problems and pages
# --------------------------------------------------------------------------------------


class FieldErrorSchema(Schema):
    field = ma.fields.String(required=True, metadata={"description": "The field, dotted."})
    location = ma.fields.String(
        required=True, metadata={"description": "body, query, path or headers"}
    )
    message = ma.fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    instance = ma.fields.String(required=True)
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema),
        metadata={"description": "One entry per invalid field (validation errors only)."},
    )


class PageArgs(Schema):
    page = Int(strict=False, minimum=1, maximum=1_000_000, load_default=1)
    per_page = Int(strict=False, minimum=1, maximum=MAX_PER_PAGE, load_default=25)


class PageMetaSchema(Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list envelope for ``item_schema``: ``{"items": [...], "meta": {...}}``."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "meta": ma.fields.Nested(PageMetaSchema, required=True),
            },
        )
    return _page_schemas[name]


def envelope(page: Page, items: list[Any] | None = None) -> dict[str, Any]:
    return {
        "items": page.items if items is None else items,
        "meta": {
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": max(math.ceil(page.total / page.per_page), 1),
        },
    }


# --------------------------------------------------------------------------------------
# Calling services
# --------------------------------------------------------------------------------------


@contextmanager
def service_call() -> Iterator[None]:
    """Run a service in the one unit of work; a refusal becomes a problem response."""
    with unit_of_work() as work:
        yield
    if work.error is not None:
        abort(from_rule_error(work.error))


def for_project(
    *,
    manage: bool = False,
    rule: Callable[[Any, Any], bool] | None = None,
    refusal: Callable[[Any, Any], str | None] | None = None,
):
    """Load the path's project and check access *before* the request body is read, so a
    person without access gets 403 whatever they send (load → check → act). The view gets
    ``project`` in place of ``project_id``. ``refusal`` is a policy that says why (its
    sentence is the 403's detail).

    Put it between the route and ``@blp.arguments``: ``functools.wraps`` keeps the
    documentation flask-smorest hangs on the function.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            project = load_project(kwargs.pop("project_id"), manage=manage)
            if rule is not None and not rule(current_user, project):
                forbid()
            reason = refusal(current_user, project) if refusal is not None else None
            if reason:
                forbid(reason)
            return view(*args, project=project, **kwargs)

        return wrapper

    return decorator


def get_or_404(model, record_id: int, *, project=None):
    record = db.session.get(model, record_id)
    if record is None or (project is not None and record.project_id != project.id):
        abort(404)
    return record


def merged(record: Any, changes: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The record's current values overlaid with a PATCH body's, for services that take a
    whole record."""
    return {name: changes.get(name, getattr(record, name)) for name in names}


# --------------------------------------------------------------------------------------
# The Api: problem responses in the description, no error handler of its own
# --------------------------------------------------------------------------------------


class TrackerApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by ``tracker.api.problems`` for the whole API."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "An error, as RFC 9457 problem details",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


RESOURCE_BLUEPRINTS: list[Blueprint] = []


def resource(name: str, description: str) -> Blueprint:
    """A blueprint for one API resource; ``tracker.api.init_app`` registers them all."""
    blueprint = Blueprint(
        f"api_{name}", f"tracker.api.{name}", url_prefix="/api/v1", description=description
    )
    RESOURCE_BLUEPRINTS.append(blueprint)
    return blueprint


def is_api_blueprint(name: str | None) -> bool:
    return name is not None and name in {b.name for b in RESOURCE_BLUEPRINTS}
