"""Plain-http calls to the APIs are refused, pages redirected (issue 21, ASVS V4.1.2), checked
in-process with the settings ``LPSE_HTTPS`` gives; tests/test_tls_proxy.py checks the same
through the real nginx."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

HTTPS_SETTINGS = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


@override_settings(**HTTPS_SETTINGS)
def test_issue21_over_plain_http_the_api_answers_403_json_and_a_page_redirects():
    client = Client(HTTP_X_FORWARDED_PROTO="http")
    api = client.get("/api/v1/tenders")
    assert api.status_code == 403 and "Location" not in api
    assert api.json()["code"] == "https_required" and api.json()["errors"] == []
    sensor = client.post("/sensor/v1/readings", b"{}", content_type="application/json")
    assert sensor.status_code == 403 and sensor.json()["code"] == "https_required"
    assert "HTTPS" in sensor.json()["error"]  # the facility feed's own shape
    page = client.get("/tender/")
    assert page.status_code == 301 and page["Location"].startswith("https://")


@override_settings(**HTTPS_SETTINGS)
def test_issue21_over_https_the_api_answers_as_usual():
    answer = Client(HTTP_X_FORWARDED_PROTO="https").get("/api/v1/tenders")
    assert answer.status_code == 200
