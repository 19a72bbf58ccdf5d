"""The whole described API, run by Schemathesis against the app (WSGI, no network) with a
valid token: no response is a server error, and every response matches the description."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
# Small and fixed, so the suite stays fast and every run tries the same cases.
EXAMPLES = 12


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_description_is_openapi_3_1(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert len(spec["paths"]) >= 15


def test_every_operation_against_its_description(app, client, governed, token_for):
    """Real ids in the paths, so generated bodies reach the services, not only 404s."""
    headers = {"Authorization": f"Bearer {token_for(governed['pmo'])}"}
    ids = governed["ids"]
    spare = {"entry_id": governed["spare_entry"].id}
    operations = _operations(app)
    assert len(operations) >= 25
    seen: dict[str, set[int]] = {}
    for operation in operations:
        names = set(re.findall(r"{(\w+)}", operation.path))
        # A delete that succeeds takes a spare record, so the reads still find theirs.
        values = {**ids, **spare} if operation.method.upper() == "DELETE" else ids
        strategy = operation.as_strategy(
            path_parameters={name: values[name] for name in names}, headers=headers
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        run()
    # The run reached the services, not only the front door.
    gets = [label for label in seen if label.startswith("GET")]
    assert all(200 in seen[label] for label in gets), seen
    assert any(201 in codes for codes in seen.values()), seen
    assert any(422 in codes for codes in seen.values()), seen


@pytest.mark.parametrize("mode", ["negative"])
def test_invalid_requests_are_refused_cleanly(app, client, governed, token_for, mode):
    """Generated invalid requests get a 4xx problem, never a server error."""
    from schemathesis import GenerationMode

    headers = {"Authorization": f"Bearer {token_for(governed['pmo'])}"}
    ids = governed["ids"]
    operations = [op for op in _operations(app) if len(op.body) or len(op.query)]
    assert len(operations) >= 15
    for operation in operations:
        names = set(re.findall(r"{(\w+)}", operation.path))
        strategy = operation.as_strategy(
            generation_mode=GenerationMode.NEGATIVE,
            path_parameters={name: ids[name] for name in names},
            headers=headers,
        )

        @given(case=strategy)
        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
