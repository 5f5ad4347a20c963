"""``lpse restore --storage-url``: a backup's files straight into the bucket the nodes read
(issue 19, R-9.11, R-6.1), every blob proven on its way, nothing left behind when it fails."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.management import CommandError, call_command

from lpse.archive import keys
from lpse.archive.models import RunState
from lpse.archive.services import backup, restore_bucket
from lpse.archive.services.restore import RestoreRefused, restore
from lpse.core import storage
from tests.archive_helpers import (  # noqa: F401
    backup_folder,
    into_database,
    offline_key,
    restored_database,
    some_blobs,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_bucket(s3_server, settings):
    """The URL of a new empty bucket (the nodes' LPSE_STORAGE_URL), its keys in the settings."""
    settings.LPSE_STORAGE_S3_ACCESS_KEY = s3_server.access_key
    settings.LPSE_STORAGE_S3_SECRET_KEY = s3_server.secret_key
    name = s3_server.make_bucket(f"restore-{uuid.uuid4().hex[:12]}")
    yield f"s3://{name}/site?endpoint={s3_server.endpoint}"
    s3_server.delete_bucket(name)


def _backed_up(count: int) -> list[str]:
    shas = some_blobs(count)
    [run] = backup.run_backup()
    assert run.state == RunState.GOOD
    return shas


def test_R_9_11_a_restore_puts_every_blob_into_the_bucket_and_none_in_the_folder(
    backup_folder, offline_key, tmp_path, restored_database, empty_bucket
):
    shas = _backed_up(3)
    report = restore(
        backup_folder,
        "latest",
        identities=keys.load_identities(offline_key[1]),
        data_dir=tmp_path / "new",
        database_url=restored_database,
        storage_url=empty_bucket,
    )
    bucket = storage.bucket_at(empty_bucket)
    assert bucket.keys("blobs/") == sorted(storage.blob_key(sha) for sha in shas)
    for sha in shas:
        with bucket.open(storage.blob_key(sha)) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == sha
    assert not (tmp_path / "new" / "media").exists()
    assert not (tmp_path / "new" / ".blobs-on-their-way").exists()
    assert report.bucket.startswith("s3://")


def test_R_9_11_a_bucket_that_holds_blobs_is_refused_and_nothing_is_written(
    backup_folder, offline_key, tmp_path, restored_database, empty_bucket
):
    _backed_up(1)
    storage.bucket_at(empty_bucket).put_bytes("blobs/00/someone-elses", b"kept")
    with pytest.raises(RestoreRefused, match="already holds 1 blobs: restore only into an empty"):
        restore(
            backup_folder,
            "latest",
            identities=keys.load_identities(offline_key[1]),
            data_dir=tmp_path / "new",
            database_url=restored_database,
            storage_url=empty_bucket,
        )
    assert not (tmp_path / "new").exists()
    assert storage.bucket_at(empty_bucket).keys("blobs/") == ["blobs/00/someone-elses"]


def test_R_9_11_a_store_that_does_not_answer_is_named_before_anything_is_written(
    backup_folder, offline_key, tmp_path, settings, into_database
):
    _backed_up(1)
    settings.LPSE_STORAGE_S3_ACCESS_KEY = settings.LPSE_STORAGE_S3_SECRET_KEY = "any"
    with pytest.raises(CommandError, match=r"does not answer .* check the address"):
        call_command(
            "restore",
            "--target",
            backup_folder.name,
            "--identity",
            str(offline_key[1]),
            "--data-dir",
            str(tmp_path / "new"),
            "--storage-url",
            "s3://nowhere/site?endpoint=http://127.0.0.1:9",
            *into_database,
        )
    assert not (tmp_path / "new").exists()


def test_R_6_3_a_damaged_blob_midway_takes_back_every_blob_already_put(
    backup_folder, offline_key, tmp_path, restored_database, empty_bucket, monkeypatch
):
    shas = _backed_up(4)
    # One blob per batch, so the first ones are in the bucket when the damaged one comes.
    monkeypatch.setattr(restore_bucket, "BATCH_BYTES", 1)
    [last] = sorted(shas)[-1:]
    piece = backup_folder.root / f"blobs/{last[:2]}/{last}.age"
    data = piece.read_bytes()
    piece.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(Exception, match=last[:12]):
        restore(
            backup_folder,
            "latest",
            identities=keys.load_identities(offline_key[1]),
            data_dir=tmp_path / "new",
            database_url=restored_database,
            storage_url=empty_bucket,
        )
    assert storage.bucket_at(empty_bucket).keys("blobs/") == []
    assert not (tmp_path / "new").exists()
