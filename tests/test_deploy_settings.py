"""Production settings (R-4.1, R-4.4, issue 17): `lpse check --deploy` is clean with
LPSE_HTTPS=true, HSTS preload is a choice, and a malformed scanner address stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys

PRODUCTION = {
    "LPSE_HTTPS": "true",
    "SECRET_KEY": "a-production-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": "lpse.maroskab.go.id",
    "LPSE_BASE_URL": "https://lpse.maroskab.go.id",
}


def lpse(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    # Nothing of the test process's own setup: browser tests set DJANGO_ALLOW_ASYNC_UNSAFE,
    # which check --deploy rightly reports.
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LPSE_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    full.update({"LPSE_DATA_DIR": str(tmp_path / "data")}, **env)
    return subprocess.run(
        [sys.executable, "-m", "lpse", *args], env=full, capture_output=True, text=True, timeout=120
    )


def test_R_4_1_check_deploy_is_clean_with_https(tmp_path):
    result = lpse(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout and "silenced" in result.stdout


def test_R_4_1_hsts_preload_is_an_option_and_then_nothing_is_silenced(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_PRELOAD, s.SILENCED_SYSTEM_CHECKS, s.SECURE_HSTS_SECONDS)"
    )
    off = lpse(["shell", "-c", script], PRODUCTION, tmp_path)
    on = lpse(["shell", "-c", script], {**PRODUCTION, "LPSE_HSTS_PRELOAD": "true"}, tmp_path)
    assert off.stdout.split("\n")[-2] == "False ['security.W021'] 31536000"
    assert on.stdout.split("\n")[-2] == "True [] 31536000"
    clean = lpse(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION, "LPSE_HSTS_PRELOAD": "true"},
        tmp_path,
    )
    assert clean.returncode == 0, clean.stderr


def test_R_4_4_a_malformed_scanner_address_stops_start_up_with_a_clear_message(tmp_path):
    result = lpse(["check"], {"LPSE_CLAMD": "127.0.0.1:3310"}, tmp_path)
    assert result.returncode == 2
    assert "LPSE_CLAMD='127.0.0.1:3310': write tcp://host:port" in result.stderr


def test_issue19_a_sqlite_connection_is_kept_between_requests_unless_told_otherwise(tmp_path):
    """A new SQLite connection parses the whole schema before its first query (2 ms of every
    request, bench/README.md): the embedded mode keeps it, as PostgreSQL's is kept."""
    script = (
        "from django.core.signals import request_finished, request_started;"
        "from django.db import connection;"
        "request_started.send(sender=None); connection.ensure_connection();"
        "first = connection.connection;"
        "request_finished.send(sender=None); request_started.send(sender=None);"
        "connection.ensure_connection(); print(connection.vendor, connection.connection is first)"
    )
    kept = lpse(["shell", "-c", script], {}, tmp_path)
    assert kept.stdout.split("\n")[-2] == "sqlite True", kept.stderr
    renewed = lpse(["shell", "-c", script], {"DATABASE_CONN_MAX_AGE": "0"}, tmp_path)
    assert renewed.stdout.split("\n")[-2] == "sqlite False", renewed.stderr
