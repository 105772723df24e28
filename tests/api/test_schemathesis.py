"""Fuzzing: schemathesis drives every endpoint of the schema through WSGI with an auditor's token.

No response may be a 5xx, and every response must match the schema (status code, content type,
headers, body). The schema is loaded from the app itself (no network). Bounded: a few examples
per operation, so the whole run takes well under two minutes.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from electadmin.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def auditor_headers(world, national_token):
    # Requests run through the raw WSGI app inside the test's transaction: keep Django from
    # closing the connection at the end of each request (as its own test client does).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Token {national_token.raw}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_endpoint_conforms_and_never_fails(case, auditor_headers):
    case.call_and_validate(headers=auditor_headers, checks=CHECKS)
