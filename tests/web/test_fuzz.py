"""Schemathesis over the whole OpenAPI schema, in process (WSGI): the REST API with a manager's token and
the Segment-compatible endpoints with a write key. Generated inputs (NUL characters included) must never
cause a server error, and every answer must match the schema: its status code, content type and body."""

from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from config.wsgi import application
from tests.factories import CompanyFactory, ContactFactory, EventFactory, MetricValueFactory, UserFactory

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def in_test_transaction():
    """Schemathesis calls the WSGI app directly, so Django's request signals would close the test's
    connection mid-transaction; its test client disconnects them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, methodology, in_test_transaction):
    from accounts.services import api_token_create
    from ingestion.services.write_keys import write_key_create

    manager = UserFactory(username="fuzz-manager", role=Role.MANAGER)
    csm = UserFactory(username="fuzz-csm", role=Role.CSM)
    company = CompanyFactory(external_id="acme", csm=csm)
    ContactFactory(company=company, external_id="u-1")
    EventFactory(company=company)
    MetricValueFactory(company=company)
    _, token = api_token_create(user=manager, name="fuzz")
    _, write_key = write_key_create(name="Fuzz", source="fuzz")
    return {"token": token, "write_key": write_key}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure is reproducible, CI is not flaky
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_makes_the_api_fail_or_break_its_schema(case, credentials):
    if case.path.startswith("/v1/"):
        import base64

        authorization = "Basic " + base64.b64encode(f"{credentials['write_key']}:".encode()).decode()
    else:
        authorization = f"Token {credentials['token']}"
    response = case.call(headers={"Authorization": authorization})
    case.validate_response(response, checks=CHECKS)
