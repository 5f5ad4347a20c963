"""A backup killed mid-run (SPEC 6, R-6.3): a real ``lpse backup run`` process gets SIGKILL
with some pieces written; the previous backup stays valid, the killed one is never taken as
good, and the next run marks it failed and sweeps what it left (pieces, its clear copy of the
database)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyrage
import pytest

from tests import archive_helpers

# The shared fixtures, under the names the tests ask for.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key

pytestmark = pytest.mark.django_db(transaction=True)


def _site_env(data_dir: Path, medium: Path, recipient: str) -> dict[str, str]:
    """A throw-away embedded site (SQLite in its data folder), as bench/portal.py runs one."""
    drop = {"DATABASE_URL", "LPSE_DEMO", "DEBUG", "CELERY_BROKER_URL", "SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("LPSE_")}
    return env | {
        "DJANGO_SETTINGS_MODULE": "lpse.settings",
        "LPSE_DATA_DIR": str(data_dir),
        "LPSE_LOG_LEVEL": "WARNING",
        "LPSE_BACKUP_TARGETS": f"folder:{medium}",
        "LPSE_BACKUP_RECIPIENTS": recipient,
        "LPSE_BACKUP_KEEP": "last=20",
    }


def _lpse(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "lpse", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert not check or done.returncode == 0, done.stdout + done.stderr
    return done


def _new_blobs(env: dict[str, str], count: int) -> list[str]:
    code = (
        "import os\nfrom lpse.core.storage import store_chunks\n"
        f"for _ in range({count}): print(store_chunks([os.urandom(400_000)]).sha256)"
    )
    printed = _lpse(env, "shell", "-c", code).stdout.split()
    return [word for word in printed if re.fullmatch("[0-9a-f]{64}", word)]


def _runs(data_dir: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(data_dir / "lpse.sqlite3") as db:
        rows = db.execute("SELECT backup_id, state, error FROM archive_backuprun").fetchall()
    return {backup_id: (state, error) for backup_id, state, error in rows}


def _wait_for(paths: list[Path], process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while not all(path.exists() for path in paths):
        assert process.poll() is None, f"the backup ended before the kill:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no pieces appeared:\n{log.read_text()}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def killed_backup(tmp_path_factory) -> dict:
    """One good backup, then a second one SIGKILLed with some of its pieces on the medium, then
    a third run. A blob file replaced by a FIFO holds the second run still (as a slow disk
    would) at a known point, so the kill lands mid-backup every time, with no race."""
    root = tmp_path_factory.mktemp("killed")
    data_dir, medium = root / "site", root / "usb-disk"
    medium.mkdir()
    identity = pyrage.x25519.Identity.generate()
    (root / "key.txt").write_text(f"{identity}\n")
    env = _site_env(data_dir, medium, str(identity.to_public()))
    _lpse(env, "migrate", "--noinput", "-v", "0")
    _new_blobs(env, 3)
    _lpse(env, "backup", "run")
    [good] = os.listdir(medium / "manifests")
    new = sorted(_new_blobs(env, 6))
    blob = {sha: data_dir / "media" / "blobs" / sha[:2] / sha for sha in new}
    held = blob[new[3]].read_bytes()
    blob[new[3]].unlink()
    os.mkfifo(blob[new[3]])
    log = root / "killed-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lpse", "backup", "run"],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        _wait_for([medium / "blobs" / s[:2] / f"{s}.age" for s in new[:3]], process, log)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    blob[new[3]].unlink()
    blob[new[3]].write_bytes(held)
    [killed] = [i for i, (state, _) in _runs(data_dir).items() if state == "running"]
    seen = {
        "good": good.removesuffix(".json"),
        "killed": killed,
        "orphan_blob": f"blobs/{new[0][:2]}/{new[0]}.age",
        "manifests_after_kill": sorted(os.listdir(medium / "manifests")),
        "db_pieces_after_kill": sorted(os.listdir(medium / "db")),
        "list_after_kill": _lpse(env, "backup", "list").stdout,
        "verify_after_kill": _lpse(env, "backup", "verify", check=False),
    }
    # The site loses the first new blob before the next run, so no later backup names its
    # piece: only the sweep can remove it.
    with sqlite3.connect(data_dir / "lpse.sqlite3") as db:
        db.execute("DELETE FROM core_blob WHERE sha256 = ?", (new[0],))
    blob[new[0]].unlink()
    _lpse(env, "backup", "run")
    identity_file = str(root / "key.txt")
    return seen | {
        "runs_after_next": _runs(data_dir),
        "pieces_after_next": {p.relative_to(medium).as_posix() for p in medium.rglob("*.age")},
        "data_dir_after_next": sorted(p.name for p in data_dir.iterdir()),
        "verify_after_next": _lpse(
            env, "backup", "verify", "--read-data", "--identity", identity_file
        ),
    }


def test_R_6_3_a_killed_backup_is_never_good_and_the_previous_stays_valid(killed_backup):
    seen = killed_backup
    assert f"db/{seen['killed']}.age" in [f"db/{n}" for n in seen["db_pieces_after_kill"]]
    assert seen["manifests_after_kill"] == [f"{seen['good']}.json"]
    assert seen["killed"] not in seen["list_after_kill"] and seen["good"] in seen["list_after_kill"]
    assert seen["verify_after_kill"].returncode == 0, seen["verify_after_kill"].stderr
    assert "OK, 1 backups" in seen["verify_after_kill"].stdout
    state, error = seen["runs_after_next"][seen["killed"]]
    assert state == "failed" and "interrupted" in error
    assert sorted(s for s, _ in seen["runs_after_next"].values()) == ["failed", "good", "good"]
    assert "OK, 2 backups" in seen["verify_after_next"].stdout


def test_R_6_3_the_next_run_sweeps_the_killed_runs_pieces(killed_backup):
    leftover = killed_backup["pieces_after_next"]
    assert f"db/{killed_backup['killed']}.age" not in leftover
    assert killed_backup["orphan_blob"] not in leftover


def test_R_6_3_the_next_run_removes_the_killed_runs_work_folder(killed_backup):
    assert not [n for n in killed_backup["data_dir_after_next"] if n.startswith("backup-work-")]
