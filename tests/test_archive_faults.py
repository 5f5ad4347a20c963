"""Backups under faults and bad input (SPEC 6, R-6.3; issue 14): a medium that fills up, a piece
missing or swapped, a wrong key, a place that is not empty, a manifest signed by another key,
the rotating verify subsets. The process killed mid-backup: tests/test_archive_kill.py."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from lpse.archive import keys, manifest, pieces
from lpse.archive.models import RunState
from lpse.archive.services import backup, verify
from lpse.archive.targets import FolderTarget
from lpse.core import signing
from tests import archive_helpers
from tests.archive_helpers import into_database, read_all, some_blobs  # noqa: F401

# The shared fixtures, under the names the tests ask for.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key

pytestmark = pytest.mark.django_db(transaction=True)


def _command(*args: str) -> tuple[str, str]:
    """An ``lpse`` command in this process: (stdout, stderr); CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        exc.args = (f"{exc} | stderr: {err.getvalue()}",)
        raise
    return out.getvalue(), err.getvalue()


def _manifest_path(target: FolderTarget, backup_id: str) -> Path:
    return target.root / "manifests" / f"{backup_id}.json"


# ----- (b) the medium is full ------------------------------------------------------------------


@pytest.fixture
def small_medium(tmp_path, settings, offline_key):
    """A 3 MiB tmpfs mounted as the folder target: a medium that really fills up."""
    folder = tmp_path / "small-usb"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}"
        if os.environ.get("LPSE_REQUIRE_FAULTS") == "1":  # CI: the full medium must be tried
            pytest.fail(f"LPSE_REQUIRE_FAULTS=1 but {reason}")
        pytest.skip(reason)
    settings.LPSE_BACKUP_TARGETS = [f"folder:{folder}"]
    settings.LPSE_BACKUP_RECIPIENTS = [offline_key[0]]
    settings.LPSE_BACKUP_KEEP = "last=20"
    try:
        yield FolderTarget(folder, name=f"folder:{folder}")
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _fill_up(medium: FolderTarget) -> tuple[str, str]:
    """A good backup, then one that does not fit: (the good one's id, what the operator saw)."""
    some_blobs(2, size=100_000)
    [first] = backup.run_backup()
    assert first.state == RunState.GOOD, first.error
    some_blobs(6, size=500_000)  # 3 MB of random (incompressible) bytes: more than is left
    with pytest.raises(CommandError, match="previous backups stay valid") as refused:
        _command("backup", "run")
    return first.backup_id, str(refused.value)


def test_R_6_3_a_full_medium_keeps_nothing_half_and_the_previous_backup(small_medium):
    first, _ = _fill_up(small_medium)

    [failed] = backup.BackupRun.objects.filter(state=RunState.FAILED)
    everything = [p.relative_to(small_medium.root) for p in small_medium.root.rglob("*")]
    assert not [p for p in everything if p.name.endswith(".partial")]
    assert manifest.backup_ids(small_medium) == [first]
    assert not (small_medium.root / f"db/{failed.backup_id}.age").exists()
    named = backup.referenced_keys(small_medium)
    assert {p.as_posix() for p in everything if (small_medium.root / p).is_file()} == named
    assert verify.verify(small_medium).ok


def test_R_6_3_a_full_medium_is_named_full_with_what_to_do(small_medium):
    _, seen = _fill_up(small_medium)

    assert "is full" in seen and "Free space on the medium" in seen
    [failed] = backup.BackupRun.objects.filter(state=RunState.FAILED)
    assert "is full" in failed.error


# ----- (c) a piece missing ---------------------------------------------------------------------


def test_R_6_3_verify_names_a_missing_piece(backup_folder):
    some_blobs(3)
    [run] = backup.run_backup()
    gone = sorted(manifest.load(backup_folder, run.backup_id).blobs.values(), key=str)[1]
    (backup_folder.root / gone.key).unlink()

    report = verify.verify(backup_folder)
    assert report.problems == [f"{gone.key}: missing"]
    with pytest.raises(CommandError, match=f"{gone.key}: missing"):
        _command("backup", "verify")


# ----- (d) a wrong key, (e) a place that is not empty -------------------------------------------


def test_R_6_3_a_wrong_key_is_refused_and_leaves_the_folder_empty(
    backup_folder, tmp_path, into_database
):
    some_blobs(2)
    backup.run_backup()
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    place = tmp_path / "new-site"
    place.mkdir()  # made ready by the operator: must stay as it was

    with pytest.raises(CommandError, match=r"restore refused: .*cannot be decrypted with this key"):
        _command(
            "restore",
            *("--target", backup_folder.name, "--identity", str(stranger)),
            *("--data-dir", str(place), *into_database),
        )
    assert list(place.iterdir()) == []


def test_R_6_3_a_damaged_last_piece_undoes_what_was_restored_before_it(
    backup_folder, offline_key, tmp_path, into_database
):
    some_blobs(2)
    [run] = backup.run_backup()
    database = backup_folder.root / f"db/{run.backup_id}.age"  # restored after files and blobs
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 1
    database.write_bytes(bytes(data))
    place = tmp_path / "new-site"

    with pytest.raises(CommandError, match=f"db/{run.backup_id}.age: its SHA-256 differs"):
        _command(
            "restore",
            *("--target", backup_folder.name, "--identity", str(offline_key[1])),
            *("--data-dir", str(place), *into_database),
        )
    assert not place.exists()  # not a half site that looks like one


def test_R_6_3_restore_into_a_folder_that_holds_anything_is_refused(
    backup_folder, offline_key, tmp_path
):
    backup.run_backup()
    place = tmp_path / "site"
    place.mkdir()
    (place / "notes.txt").write_text("the operator's own file")

    with pytest.raises(CommandError, match="is not empty: restore only into an empty folder"):
        _command(
            "restore",
            *("--target", backup_folder.name, "--identity", str(offline_key[1])),
            *("--data-dir", str(place)),
        )
    assert [p.name for p in place.iterdir()] == ["notes.txt"]
    assert (place / "notes.txt").read_text() == "the operator's own file"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backup is needed")
def test_R_6_3_restore_into_a_database_that_holds_tables_is_refused(
    backup_folder, offline_key, tmp_path, into_database
):
    import psycopg

    backup.run_backup()
    url = into_database[1]
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE ledger (entry text); INSERT INTO ledger VALUES ('kept')")
    with pytest.raises(CommandError, match="holds 1 tables: restore only into an empty"):
        _command(
            "restore",
            *("--target", backup_folder.name, "--identity", str(offline_key[1])),
            *("--data-dir", str(tmp_path / "site"), *into_database),
        )
    with psycopg.connect(url) as db:
        assert db.execute("SELECT entry FROM ledger").fetchall() == [("kept",)]
    assert not (tmp_path / "site").exists()


# ----- (f) a manifest signed by another key ----------------------------------------------------


def _pem(key: Ed25519PrivateKey) -> str:
    public = key.public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_R_6_3_a_manifest_signed_by_another_key_is_refused(backup_folder, offline_key, tmp_path):
    [run] = backup.run_backup()
    genuine = tmp_path / "lpse-public.pem"
    genuine.write_text(signing.public_key_pem())
    path = _manifest_path(backup_folder, run.backup_id)
    forged = json.loads(path.read_text())
    forged["database"]["tables"]["core_blob"] = 0  # "nothing to see here"
    intruder = Ed25519PrivateKey.generate()
    forged["signature"] = (
        __import__("base64").b64encode(intruder.sign(signing.canonical(forged))).decode()
    )
    path.write_text(json.dumps(forged))
    assert signing.verify_json(forged, _pem(intruder)) is None  # well signed — by someone else

    with pytest.raises(manifest.ManifestRefused, match="signature does not match"):
        manifest.load(backup_folder, run.backup_id)
    with pytest.raises(CommandError, match="verification found problems"):
        _command("backup", "verify", "--signer", str(genuine))
    with pytest.raises(CommandError, match=r"restore refused: .*signature"):
        _command(
            "restore",
            *("--target", backup_folder.name, "--identity", str(offline_key[1])),
            *("--data-dir", str(tmp_path / "site"), "--signer", str(genuine)),
        )
    assert not (tmp_path / "site").exists()


def test_R_6_3_on_a_new_server_the_manifest_is_checked_with_signer(
    backup_folder, offline_key, settings, tmp_path, into_database
):
    backup.run_backup()
    genuine = tmp_path / "lpse-public.pem"
    genuine.write_text(signing.public_key_pem())
    settings.LPSE_SIGNING_KEY_FILE = str(tmp_path / "new-server-key.pem")  # another key here

    with pytest.raises(CommandError, match="give the LPSE's public key with --signer"):
        _command("backup", "verify")
    out, _ = _command("backup", "verify", "--signer", str(genuine))
    assert "OK, 1 backups" in out
    out, _ = _command(
        "restore",
        *("--target", backup_folder.name, "--identity", str(offline_key[1])),
        *("--data-dir", str(tmp_path / "site"), "--signer", str(genuine), *into_database),
    )
    assert "every hash and row count as in the manifest" in out


# ----- (g) a piece re-encrypted by an attacker, and a manifest swapped with it -------------------


def test_R_6_3_a_piece_re_encrypted_to_the_same_recipient_is_caught(backup_folder, offline_key):
    some_blobs(2)
    [run] = backup.run_backup()
    identities = keys.load_identities(offline_key[1])
    loaded = manifest.load(backup_folder, run.backup_id)
    victim = sorted(loaded.blobs.values(), key=str)[0]
    # The recipient is public (in the manifest): anyone can write valid age to it.
    recipient = pyrage.x25519.Recipient.from_str(loaded.recipients[0])
    swapped = pyrage.encrypt(b"a forged document", [recipient])
    (backup_folder.root / victim.key).write_bytes(swapped)

    without_key = verify.verify(backup_folder)
    assert without_key.problems == [
        f"{victim.key}: {len(swapped)} bytes, the manifest says {victim.cipher_size}"
    ]
    with_key = verify.verify(backup_folder, identities=identities)
    assert with_key.problems == [f"{victim.key}: its SHA-256 differs from the manifest's"]
    with pytest.raises(CommandError, match=victim.key):
        _command("backup", "verify", "--read-data", "--identity", str(offline_key[1]))

    # The plaintext check stands behind the ciphertext one: were the ciphertext hash to match
    # (a manifest that named the forged piece), the decrypted bytes still are not the backed-up.
    import hashlib

    forged = pieces.Piece(
        key=victim.key,
        plain_sha256=victim.plain_sha256,
        plain_size=victim.plain_size,
        cipher_sha256=hashlib.sha256(swapped).hexdigest(),
        cipher_size=len(swapped),
    )
    with pytest.raises(pieces.PieceDamaged, match="decrypted, but not the bytes"):
        pieces.decrypt_to(backup_folder, forged, identities, io.BytesIO())

    # And such a manifest cannot be made: naming the forged piece breaks the signature.
    path = _manifest_path(backup_folder, run.backup_id)
    edited = json.loads(path.read_text())
    path_in_media = next(p for p, piece in loaded.blobs.items() if piece.key == victim.key)
    edited["blobs"][path_in_media].update(
        cipher_sha256=forged.cipher_sha256,
        cipher_size=forged.cipher_size,
        plain_sha256=hashlib.sha256(b"a forged document").hexdigest(),
        plain_size=len(b"a forged document"),
    )
    path.write_text(json.dumps(edited))
    report = verify.verify(backup_folder, identities=identities)
    assert not report.ok and "signature does not match" in report.problems[0]
    assert report.checked == 0  # nothing of a refused manifest is taken as checked


# ----- (h) the rotating subsets ---------------------------------------------------------------


def test_R_6_3_verify_subsets_1_to_7_cover_every_piece_exactly_once(backup_folder):
    some_blobs(12, size=2_000)
    backup.run_backup()
    some_blobs(6, size=2_000)
    backup.run_backup()
    every = {
        piece.key: piece
        for backup_id in manifest.backup_ids(backup_folder)
        for piece in manifest.load(backup_folder, backup_id).pieces()
    }
    checked = [verify.verify(backup_folder, subset=(n, 7)).checked for n in range(1, 8)]
    assert sum(checked) == len(every)
    for piece in every.values():
        assert sum(verify.in_subset(piece, (n, 7)) for n in range(1, 8)) == 1, piece.key

    # A flipped piece is named by exactly the one day whose part holds it.
    victim = sorted(every.values(), key=str)[3]
    path = backup_folder.root / victim.key
    data = read_all(backup_folder, victim.key)
    # The last byte changed for certain (writing b"\0" over a last byte that was already 0,
    # one time in 256, changed nothing).
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    named = [n for n in range(1, 8) if not verify.verify(backup_folder, subset=(n, 7)).ok]
    assert len(named) == 1
    assert any(victim.key in p for p in verify.verify(backup_folder, subset=(named[0], 7)).problems)


def test_R_6_3_a_subset_is_written_n_of_t(backup_folder):
    for bad in ("0/7", "8/7", "1-7", "a/b", "7"):
        with pytest.raises(CommandError, match="write n/t with 1 ≤ n ≤ t"):
            _command("backup", "verify", "--subset", bad)


# ----- (a) the process killed mid-backup -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["OSError: [Errno 28] No space left on device", "No space left on device (os error 28)"],
)
def test_R_6_3_a_full_disk_is_recognised_in_both_of_pyrages_wordings(text):
    """pyrage words a write error as Python's ("[Errno 28]", writing through a Python file) or
    Rust's ("(os error 28)", encrypt_file writing itself); both must name a full medium (the
    PostgreSQL run of the test above filled the disk on the second path)."""
    import errno

    from lpse.archive.pieces import _os_error

    again = _os_error(Exception(text))
    assert isinstance(again, OSError) and again.errno == errno.ENOSPC
