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
