"""Hypothesis fuzzing of the parsers behind forms and imports: whatever people type or upload,
each either returns a value or refuses with its own error carrying a message — never an
unexpected exception (which would be a 500)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tracker.budget import rules as budget_rules
from tracker.core.fields import ChoiceField, DayField, MoneyField, optional_int, options, record_id
from tracker.methods import rules as method_rules
from tracker.worklog import rules as worklog_rules
from tracker.worklog import transfer

FUZZ = settings(max_examples=300, suppress_health_check=list(HealthCheck))

# Text that looks a little like what the parsers expect, and text that does not at all.
_near_numbers = st.from_regex(r"\A[ £\-+]?[0-9,. ]{0,20}(e[+-]?[0-9]{1,5})?[ a-zA-Z]{0,3}\Z")
_near_dates = st.from_regex(r"\A[0-9]{1,5}[-/][0-9]{1,3}[-/][0-9]{1,5}\Z")
_text = st.one_of(
    st.text(max_size=60),
    _near_numbers,
    _near_dates,
    st.sampled_from(["NaN", "Infinity", "-inf", "sNaN", "1e999999", "٣٤", "１２", "0x10", "\x00"]),
)


def _form_class():
    class Form(FlaskForm):
        class Meta:
            csrf = False

        amount = MoneyField("Amount")
        day = DayField("Start date")
        owner = ChoiceField(
            "Owner", choices=options([("", "Choose"), (1, "One"), (2, "Two")]), coerce=optional_int
        )

    return Form


@FUZZ
@given(amount=_text, day=_text, owner=_text)
def test_form_fields_never_raise(app, amount, day, owner):
    with app.test_request_context():
        form = _form_class()(formdata=MultiDict({"amount": amount, "day": day, "owner": owner}))
        valid = form.validate()
        assert isinstance(valid, bool)
        if form.amount.data is not None and not form.amount.errors:
            assert isinstance(form.amount.data, Decimal)
            assert 0 <= form.amount.data <= Decimal("999999999999.99")
        if form.day.data is not None and not form.day.errors:
            assert date(1900, 1, 1) <= form.day.data <= date(2199, 12, 31)
        for field in (form.amount, form.day, form.owner):
            for message in field.errors:
                assert isinstance(message, str) and message
        if valid:
            assert form.owner.data in {None, 1, 2}


@FUZZ
@given(raw=_text)
def test_optional_int_returns_an_int_or_raises_value_error(raw):
    try:
        value = optional_int(raw)
    except ValueError:
        return
    assert value is None or isinstance(value, int)


@FUZZ
@given(raw=st.one_of(_text, st.integers().map(str)))
def test_record_id_is_none_or_in_range(raw):
    value = record_id(raw)
    assert value is None or 1 <= value <= 2**31 - 1


_csv_cell = st.one_of(
    _text, st.sampled_from(['"', '""', "\n", "\r", ",", "=SUM(A1)", "stage 1", "Sprint 1"])
)
_csv_header = st.lists(
    st.sampled_from(
        ["date", "amount", "category", "supplier", "description", "stage", "iteration", "x", ""]
    ),
    max_size=8,
)


def _csv(header, rows) -> str:
    return "\n".join([",".join(header), *(",".join(row) for row in rows)])


@FUZZ
@given(
    header=_csv_header,
    rows=st.lists(st.lists(_csv_cell, max_size=8), max_size=6),
    noise=st.text(max_size=80),
)
def test_cost_csv_parser_returns_rows_or_a_list_of_problems(header, rows, noise):
    for text in (_csv(header, rows), noise, _csv(header, rows) + noise):
        try:
            parsed = budget_rules.parse_cost_csv(
                text, {"1", "stage 1"}, {"Sprint 1"}, today=date(2026, 6, 1)
            )
        except budget_rules.CsvImportError as error:
            assert error.problems
            assert all(problem.message for problem in error.problems)
        else:
            assert all(row.amount > 0 for row in parsed)


_time_header = st.lists(
    st.sampled_from(["Date", "Person email", "Project code", "Hours", "Note", "Stage", "x"]),
    max_size=7,
)


@FUZZ
@given(
    header=_time_header,
    rows=st.lists(st.lists(_csv_cell, max_size=7), max_size=6),
    noise=st.binary(max_size=80),
)
def test_time_csv_parser_returns_rows_and_problems_or_refuses(header, rows, noise):
    text = _csv(header, rows).encode()
    for data in (text, noise, text + noise):
        try:
            parsed, problems = transfer.parse_csv(data)
        except transfer.ImportRefused as error:
            assert error.problems
        else:
            assert parsed or problems
            assert all(row.hours >= 0 for row in parsed)


@FUZZ
@given(raw=_text)
def test_hours_parser_returns_hours_or_a_message(raw):
    try:
        hours = worklog_rules.parse_hours(raw)
    except worklog_rules.HoursError as error:
        assert str(error)
    else:
        assert hours is None or hours >= 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)


@FUZZ
@given(document=st.one_of(_json.map(json.dumps), st.text(max_size=80)))
def test_method_batch_parser_assesses_or_names_the_problem(document):
    try:
        results = method_rules.parse_batch(document)
    except method_rules.BatchError as error:
        assert str(error)
    else:
        assert isinstance(results, list)
