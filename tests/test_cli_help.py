"""The command line as operators expect it (issue 21): ``--help`` on every command prints help and
changes nothing; ``lpse --help`` lists every command with one line each.

Each command runs as a real process, with LPSE_DATA_DIR pointing at a folder that does not exist:
before the fix ``lpse demo --help`` migrated a database there and started a server."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import get_commands

from lpse.cli import FRIENDLY


def lpse(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LPSE_DATA_DIR": str(data_dir)}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "LPSE_HELP_ONLY"):
        env.pop(name, None)  # the defaults: the embedded mode, where a database file would appear
    return subprocess.run(
        [sys.executable, "-m", "lpse", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def our_commands() -> list[str]:
    return sorted(name for name, app in get_commands().items() if app.startswith("lpse."))


def help_calls() -> list[list[str]]:
    calls = [[name, "--help"] for name in FRIENDLY]
    calls += [[name, "--help"] for name in our_commands()]
    calls += [["help", "serve"], ["help", "migrate"], ["backup", "run", "--help"], ["-h"]]
    return calls


def test_issue21_help_on_every_command_prints_help_and_changes_nothing(tmp_path):
    def run(args: list[str]):
        data_dir = tmp_path / "_".join(a.strip("-") for a in args) / "data"
        return args, data_dir, lpse(args, data_dir)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, help_calls()))
    for args, data_dir, done in results:
        shown = " ".join(args)
        assert done.returncode == 0, f"lpse {shown}: exit {done.returncode}\n{done.stderr[-2000:]}"
        assert "usage" in done.stdout.lower(), (
            f"lpse {shown} printed no usage:\n{done.stdout[:500]}"
        )
        assert not data_dir.exists(), f"lpse {shown} created {sorted(data_dir.rglob('*'))}"


def test_issue21_lpse_help_lists_every_command_with_one_line_each(tmp_path):
    done = lpse(["--help"], tmp_path / "never-made")
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, summary = line.strip().partition(" ")
            rows[name] = summary.strip()
    expected = set(FRIENDLY) | set(get_commands())
    assert expected - set(rows) == set(), "commands missing from lpse --help"
    assert [name for name in our_commands() if not rows[name]] == [], "LPSE commands without a line"
    assert not (tmp_path / "never-made").exists()


@pytest.mark.parametrize("bad", [["serve", "--workers", "0"], ["demo", "--no-such-option"]])
def test_issue21_a_wrong_option_is_refused_with_a_message_before_anything_starts(tmp_path, bad):
    done = lpse(bad, tmp_path / "never-made")
    assert done.returncode == 2 or done.returncode == 1
    assert done.stderr.strip(), "no message"
    assert not (tmp_path / "never-made").exists()
