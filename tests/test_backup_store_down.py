"""A backup while the object store that holds the blobs dies (issue 21, R-6.3): SeaweedFS
killed (SIGKILL) midway through the blobs. The run is recorded failed with the store's own
message, the target keeps no piece that no manifest names and its previous backup stays
valid; once the store is back the next backup is good. A full backup medium:
tests/test_archive_faults.py; the process killed mid-backup: tests/test_archive_kill.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpse.archive import manifest
from lpse.archive.models import RunState
from lpse.archive.services import backup, verify
from tests import archive_helpers
from tests.archive_helpers import some_blobs

backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key

pytestmark = pytest.mark.django_db(transaction=True)


def _stored(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_issue21_the_store_killed_mid_backup_fails_the_run_cleanly_and_the_next_is_good(
    own_store, backup_folder
):
    some_blobs(2)
    [first] = backup.run_backup()
    assert first.state == RunState.GOOD, first.error
    some_blobs(3)  # new since: read from the store by the next backup

    killed = []

    def kill_after_the_first_new_blob(phase: str, done: int, total: int) -> None:
        if phase == "blobs" and not killed:
            own_store.server.kill()
            killed.append(phase)

    [failed] = backup.run_backup(progress=kill_after_the_first_new_blob)

    assert failed.state == RunState.FAILED
    assert "The file store is not reachable right now" in failed.error
    assert manifest.backup_ids(backup_folder) == [first.backup_id]
    # The piece of the blob written before the store died is swept: no orphan on the medium.
    assert _stored(backup_folder.root) == backup.referenced_keys(backup_folder)
    assert verify.verify(backup_folder).ok

    own_store.restart()
    [again] = backup.run_backup()
    assert again.state == RunState.GOOD, again.error
    assert manifest.backup_ids(backup_folder) == [first.backup_id, again.backup_id]
    assert verify.verify(backup_folder).ok


def test_issue21_a_full_data_disk_refuses_the_backup_clearly_and_leaves_no_work_copy(
    backup_folder, settings, full_disk
):
    """The database copy a backup takes first is written in the data folder: on a full disk the
    backup is refused with what to do, the unencrypted copy removed, the medium untouched."""
    import shutil

    some_blobs(2)
    for key_file in backup.data_files():
        shutil.copy(key_file, full_disk / key_file.name)
    settings.DATA_DIR = full_disk
    full_disk.fill(leave=8 * 1024)

    with pytest.raises(backup.BackupRefused) as refused:
        backup.run_backup()

    assert "disk of the data folder is full" in str(refused.value)
    assert not list(full_disk.glob("backup-work-*"))
    assert manifest.backup_ids(backup_folder) == []

    full_disk.free()
    [good] = backup.run_backup()
    assert good.state == RunState.GOOD, good.error
