"""Backups (SPEC 6, R-4.5, R-6.1–R-6.3): a backup is a consistent snapshot plus every blob,
encrypted to an offline key the server does not hold, incremental, made good only by its
signed manifest; verify needs no key; restore and drill prove every hash."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lpse.archive import keys, manifest
from lpse.archive.models import BackupRun, DrillResult, RunState
from lpse.archive.services import backup, drill, verify
from lpse.archive.services.restore import RestoreRefused, restore
from lpse.core import audit
from lpse.core.models import Blob
from tests.archive_helpers import (  # noqa: F401
    backup_folder,
    into_database,
    offline_key,
    read_all,
    restored_database,
    some_blobs,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_R_6_1_a_backup_holds_the_database_and_every_blob_encrypted(backup_folder, offline_key):
    blobs = some_blobs(3)
    audit.record(actor=None, action="test.before_backup", data={"n": 1})
    [run] = backup.run_backup()
    assert run.state == RunState.GOOD and run.pieces_new == run.pieces
    loaded = manifest.load(backup_folder, run.backup_id)
    assert sorted(p.rsplit("/", 1)[-1] for p in loaded.blobs) == sorted(blobs)
    assert loaded.tables["core_blob"] == 3 and loaded.audit_head["seq"] >= 1
    assert loaded.recipients == [offline_key[0]]
    # What is on the medium is age ciphertext, not the blob's bytes.
    for piece in loaded.pieces():
        assert read_all(backup_folder, piece.key).startswith(b"age-encryption.org/v1\n")


def test_R_6_1_a_second_backup_writes_only_what_is_new(backup_folder):
    some_blobs(4)
    first = backup.run_backup()[0]
    some_blobs(1)
    second = backup.run_backup()[0]
    assert second.pieces == first.pieces + 1
    # the database and the one new blob; the data-folder files and old blobs are reused
    assert second.pieces_new == 2
    assert manifest.load(backup_folder, second.backup_id).previous == first.backup_id


def test_R_6_3_verify_needs_no_key_and_names_a_flipped_piece(backup_folder):
    some_blobs(2)
    run = backup.run_backup()[0]
    assert verify.verify(backup_folder).ok
    piece = next(iter(manifest.load(backup_folder, run.backup_id).blobs.values()))
    path = backup_folder.root / piece.key
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    report = verify.verify(backup_folder)
    assert not report.ok and piece.key in report.problems[0]


def test_R_6_3_restore_into_an_empty_folder_proves_every_hash(
    backup_folder, offline_key, tmp_path, restored_database
):
    shas = some_blobs(2)
    run = backup.run_backup()[0]
    identities = keys.load_identities(offline_key[1])
    report = restore(
        backup_folder,
        "latest",
        identities=identities,
        data_dir=tmp_path / "new",
        database_url=restored_database,
    )
    assert report.backup_id == run.backup_id and not report.row_count_differences
    for sha in shas:
        assert (tmp_path / "new" / "media" / "blobs" / sha[:2] / sha).exists()
    assert (tmp_path / "new" / "receipt_signing_key.pem").exists()  # the data folder's keys
    # Not over anything: the folder now holds a site.
    with pytest.raises(RestoreRefused, match="not empty"):
        restore(
            backup_folder,
            "latest",
            identities=identities,
            data_dir=tmp_path / "new",
            database_url=restored_database,
        )


def test_R_6_3_a_wrong_key_restores_nothing(backup_folder, tmp_path, restored_database):
    import pyrage

    some_blobs(1)
    backup.run_backup()
    stranger = [pyrage.x25519.Identity.generate()]
    from lpse.archive.pieces import WrongKey

    with pytest.raises(WrongKey):
        restore(
            backup_folder,
            "latest",
            identities=stranger,
            data_dir=tmp_path / "new",
            database_url=restored_database,
        )
    assert not (tmp_path / "new").exists()


def test_R_6_3_a_manifest_whose_signature_fails_is_refused(backup_folder):
    run = backup.run_backup()[0]
    path = backup_folder.root / "manifests" / f"{run.backup_id}.json"
    data = json.loads(path.read_text())
    data["database"]["tables"]["core_blob"] += 1
    path.write_text(json.dumps(data))
    with pytest.raises(manifest.ManifestRefused, match="signature"):
        manifest.load(backup_folder, run.backup_id)
    assert not verify.verify(backup_folder).ok


def test_R_6_3_the_drill_restores_and_compares_and_is_recorded(backup_folder, offline_key):
    some_blobs(2)
    audit.record(actor=None, action="test.drill", data={})
    backup.run_backup()
    done = drill.drill(
        backup_folder,
        "latest",
        identities=keys.load_identities(offline_key[1]),
        by="Kepala LPSE",
    )
    assert done.result == DrillResult.PASSED, done.details
    assert done.details["audit_head"] == done.details["manifest_audit_head"]


def test_R_6_1_the_command_reports_and_refuses_without_a_key(backup_folder, settings, capsys):
    call_command("backup", "run")
    assert "good" in capsys.readouterr().out
    settings.LPSE_BACKUP_RECIPIENTS = []
    with pytest.raises(CommandError, match="LPSE_BACKUP_RECIPIENTS"):
        call_command("backup", "run")
    assert BackupRun.objects.filter(state=RunState.GOOD).count() == 1
    assert Blob.objects.count() == 0


def test_R_6_2_one_snapshot_goes_to_a_folder_and_an_s3_bucket(
    backup_folder, s3_server, s3_bucket, settings, offline_key, tmp_path, restored_database
):
    settings.LPSE_BACKUP_S3_ENDPOINT = s3_server.endpoint
    settings.LPSE_BACKUP_S3_ACCESS_KEY = s3_server.access_key
    settings.LPSE_BACKUP_S3_SECRET_KEY = s3_server.secret_key
    settings.LPSE_BACKUP_TARGETS = [*settings.LPSE_BACKUP_TARGETS, f"s3://{s3_bucket}/lpse"]
    shas = some_blobs(3)
    folder_run, s3_run = backup.run_backup()
    assert folder_run.state == s3_run.state == RunState.GOOD
    assert folder_run.backup_id == s3_run.backup_id  # one snapshot
    from lpse.archive.targets import target_from_spec

    bucket = target_from_spec(f"s3://{s3_bucket}/lpse")
    assert verify.verify(bucket).ok and verify.verify(backup_folder).ok
    report = restore(
        bucket,
        "latest",
        identities=keys.load_identities(offline_key[1]),
        data_dir=tmp_path / "from-s3",
        database_url=restored_database,
    )
    assert report.pieces == s3_run.pieces
    for sha in shas:
        assert (tmp_path / "from-s3" / "media" / "blobs" / sha[:2] / sha).exists()


def test_R_6_1_many_blobs_are_encrypted_and_restored_on_several_processes(
    backup_folder, offline_key, tmp_path, settings, restored_database, monkeypatch
):
    """The forked workers of pieces.encrypt_many / decrypt_many: the same pieces, proven."""
    settings.LPSE_BACKUP_WORKERS = 2
    forked = []
    real_pool = backup.pieces.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        forked.append(args[0])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(backup.pieces, "ProcessPoolExecutor", counting_pool)
    shas = some_blobs(12, size=20_000)
    [run] = backup.run_backup()
    assert run.state == RunState.GOOD and forked == [2]
    assert verify.verify(backup_folder, identities=keys.load_identities(offline_key[1])).ok
    restore(
        backup_folder,
        "latest",
        identities=keys.load_identities(offline_key[1]),
        data_dir=tmp_path / "new",
        database_url=restored_database,
    )
    assert forked == [2, 2]
    for sha in shas:
        assert (tmp_path / "new" / "media" / "blobs" / sha[:2] / sha).stat().st_size == 20_000
