"""schemathesis 4 against the API's own OpenAPI (R-9.5, issue 18)."""

from __future__ import annotations

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]


# CSRF enforced as in production (the test client switches it off by default).
_HANDLER = ClientHandler(enforce_csrf_checks=True)


def _test_client_app(environ, start_response):
    """WSGI face of Django's test-client handler, for schemathesis' in-process transport.

    Django's plain WSGI handler fires request_started/request_finished with close_old_connections
    connected, which on PostgreSQL closes the connection holding the test's transaction. The test
    client's handler disconnects that receiver around its own requests only (and reconnects it),
    so the live-server tests that run later in the same worker keep the default behaviour.
    """
    response = _HANDLER(environ)
    # The handler already closed a plain response; a streamed one closes (with the receiver
    # disconnected) when its wrapped iterator is exhausted, here.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = list(response.items())
    headers += [
        ("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()
    ]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [body]


def _schema():
    import lpse.urls  # noqa: F401  (every app's operations registered)
    from lpse.core.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    loaded.app = _test_client_app
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def _generous_limit(settings):
    settings.LPSE_API_RATE_PER_MINUTE = 1_000_000


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_R_9_5_every_operation_answers_as_its_openapi_says(case):
    case.call_and_validate(checks=CHECKS)
