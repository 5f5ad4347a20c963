"""Configuration from the environment (DESIGN rule 6) and the `lpse` command line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def start_up(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    full_env.update({"LPSE_DATA_DIR": str(tmp_path / "data")}, **env)
    return subprocess.run(
        [sys.executable, "-m", "lpse", "check"],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        ({"LPSE_SESSION_IDLE_MINUTES": "0"}, "LPSE_SESSION_IDLE_MINUTES=0 is too small"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"LPSE_BASE_URL": "lpse.example"}, "must start with http"),
        (
            {"SECRET_KEY_FILE": "/nonexistent/secret"},
            "SECRET_KEY_FILE='/nonexistent/secret' cannot be read",
        ),
    ],
)
def test_a_malformed_setting_stops_start_up_with_a_clear_message(tmp_path, env, message):
    result = start_up(env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "configuration error" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x" * 40 + "\n")
    result = start_up({"SECRET_KEY_FILE": str(secret)}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_embedded_default_keeps_its_database_in_the_data_folder(tmp_path):
    result = start_up({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "secret_key").exists()
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"


def _parallel_workers(tmp_path, database_url: str) -> str:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(LPSE_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=database_url)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lpse",
            "shell",
            "-c",
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('SHOW max_parallel_workers_per_gather')\n"
            "    print(c.fetchone()[0])",
        ],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_runs_a_query_without_parallel_workers_unless_told(tmp_path):
    """A page under LIMIT with parallel workers scanned the whole index (bench/README.md):
    LPSE's connections ask for none; ?options= in DATABASE_URL chooses otherwise."""
    psycopg = pytest.importorskip("psycopg")
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    assert _parallel_workers(tmp_path, url) == "0"
    told = url + "?options=-c%20max_parallel_workers_per_gather%3D1"
    assert _parallel_workers(tmp_path, told) == "1"
