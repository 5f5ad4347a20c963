"""Backups of the blobs on either store (issue 19, R-9.11, R-6.1, R-6.3): from the data folder
or from the S3 bucket on SeaweedFS, every blob is read, encrypted and restored whole."""

from __future__ import annotations

import hashlib

import pytest

from lpse.archive import keys, manifest
from lpse.archive.models import RunState
from lpse.archive.services import backup
from lpse.archive.services.restore import restore
from lpse.core import storage
from tests.archive_helpers import (  # noqa: F401
    backup_folder,
    into_database,
    offline_key,
    restored_database,
    some_blobs,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_R_9_11_a_backup_reads_every_blob_from_the_store_and_restores_it(
    file_store, backup_folder, offline_key, tmp_path, restored_database
):
    shas = some_blobs(3)
    [run] = backup.run_backup()
    assert run.state == RunState.GOOD
    loaded = manifest.load(backup_folder, run.backup_id)
    assert sorted(p.rsplit("/", 1)[-1] for p in loaded.blobs) == sorted(shas)
    restore(
        backup_folder,
        "latest",
        identities=keys.load_identities(offline_key[1]),
        data_dir=tmp_path / "new",
        database_url=restored_database,
    )
    for sha in shas:
        restored = (tmp_path / "new" / "media" / "blobs" / sha[:2] / sha).read_bytes()
        assert hashlib.sha256(restored).hexdigest() == sha


def test_R_9_11_a_blob_missing_from_the_store_stops_the_backup_with_its_name(
    file_store, backup_folder
):
    [_kept, lost] = some_blobs(2)
    storage.delete_blob(lost)
    [run] = backup.run_backup()
    assert run.state == RunState.FAILED
    assert f"blob {lost} is listed in the database but missing from the file store" in run.error
