"""docs/backup-format.md, followed literally (SPEC 6, R-6.3; issue 14): a backup is restored
with the `age` CLI, `sha256sum`, `openssl`, SQLite or `pg_restore`/`psql` only — no LPSE code
reads a piece — and every ciphertext and plaintext hash is compared with the signed manifest.

The SQLite variant runs on a folder target; the PostgreSQL one (only when the suite runs on
PostgreSQL) on a backup taken to SeaweedFS, downloaded as `aws s3 cp --recursive` would (boto3
stands in for the aws CLI, which is not installed)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from lpse.archive.services import backup
from lpse.archive.services.drill import audit_of_copy
from lpse.core import audit, signing
from tests import archive_helpers
from tests.archive_helpers import some_blobs

# The shared fixtures, under the names the tests ask for.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key

pytestmark = pytest.mark.django_db(transaction=True)

needs_age = pytest.mark.skipif(
    shutil.which("age") is None,
    reason="the age CLI is not installed (scripts/test installs Debian's: apt-get install age)",
)


def sha256sum(path: Path) -> str:
    """`sha256sum FILE`, its first column."""
    done = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    return done.stdout.split()[0]


def age_decrypt(key_file: Path, piece: Path, out: Path) -> None:
    """`age -d -i key.txt -o OUT PIECE` (step 4 of the document)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["age", "-d", "-i", str(key_file), "-o", str(out), str(piece)],
        check=True,
        capture_output=True,
    )


def newest_manifest(medium: Path) -> dict:
    """Step 1: the newest backup is the last name of `ls manifests | sort`."""
    newest = sorted(os.listdir(medium / "manifests"))[-1]
    return json.loads((medium / "manifests" / newest).read_text(encoding="utf-8"))


def check_signature(manifest: dict, public_pem: str, work: Path) -> None:
    """Step 2: the canonical body (every field but `signature`, sorted keys, no spaces) and
    `openssl pkeyutl -verify -rawin`; then the key's fingerprint as the manifest names it."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    (work / "body").write_bytes(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    (work / "sig").write_bytes(base64.b64decode(manifest["signature"]))
    (work / "lpse-public.pem").write_text(public_pem)
    if shutil.which("openssl") is None:
        return  # the document's fallback is python3 with `cryptography`: LPSE's own check
    verified = subprocess.run(
        [
            *("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(work / "lpse-public.pem")),
            *("-rawin", "-in", str(work / "body"), "-sigfile", str(work / "sig")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(work / "lpse-public.pem"), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    (work / "raw-key").write_bytes(der[-32:])  # `| tail -c 32`: the raw Ed25519 key
    assert sha256sum(work / "raw-key") == manifest["signer"]["fingerprint"]


def pieces_and_places(manifest: dict, data_dir: Path, database_file: Path) -> list[tuple]:
    """Step 3: where each piece goes — files beside the database, blobs under media/."""
    placed = [(manifest["database"]["piece"], database_file)]
    placed += [(piece, data_dir / name) for name, piece in manifest["files"].items()]
    placed += [(piece, data_dir / "media" / path) for path, piece in manifest["blobs"].items()]
    return placed


def restore_by_hand(manifest: dict, medium: Path, key_file: Path, data_dir: Path, db: Path):
    """Step 4 for every piece: ciphertext hash, decrypt, plaintext hash and size."""
    placed = pieces_and_places(manifest, data_dir, db)
    for piece, place in placed:
        stored = medium / piece["key"]
        assert sha256sum(stored) == piece["cipher_sha256"], piece["key"]
        assert stored.stat().st_size == piece["cipher_size"], piece["key"]
        age_decrypt(key_file, stored, place)
        assert sha256sum(place) == piece["plain_sha256"], piece["key"]
        assert place.stat().st_size == piece["plain_size"], piece["key"]
    return placed


@needs_age
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite variant; the PostgreSQL one runs below"
)
def test_R_6_3_a_sqlite_backup_restores_with_age_and_sha256sum_alone(
    backup_folder, offline_key, tmp_path
):
    some_blobs(3)
    audit.record(actor=None, action="test.format", data={"n": 1})
    [run] = backup.run_backup()
    assert run.state == "good", run.error
    medium, work = backup_folder.root, tmp_path / "work"
    work.mkdir()

    manifest = newest_manifest(medium)
    assert manifest["backup_id"] == run.backup_id and manifest["format"] == "lpse-backup-1"
    check_signature(manifest, signing.public_key_pem(), work)
    data_dir = tmp_path / "restored"
    placed = restore_by_hand(manifest, medium, offline_key[1], data_dir, data_dir / "lpse.sqlite3")
    assert len(placed) == 1 + len(manifest["files"]) + 3

    # Step 5: every table has the manifest's rows, the audit head is the manifest's.
    with sqlite3.connect(data_dir / "lpse.sqlite3") as db:
        for table, rows in manifest["database"]["tables"].items():
            assert db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == rows, table
        seq, head = db.execute("SELECT seq, hash FROM core_audithead WHERE id = 1").fetchone()
    assert {"seq": seq, "hash": head} == manifest["audit_head"]

    # The folder restored by hand is a site: its own audit chain verifies up to that head.
    chain_ok, output, head_line = audit_of_copy(data_dir, None)
    assert chain_ok, output
    assert head_line == f"{manifest['audit_head']['seq']} {manifest['audit_head']['hash']}"


# ----- PostgreSQL, backed up to SeaweedFS ------------------------------------------------------


def _pg_env(database_name: str | None = None) -> dict[str, str]:
    site = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(site.get("HOST") or "127.0.0.1"),
            "PGPORT": str(site.get("PORT") or 5432),
            "PGUSER": str(site.get("USER") or "postgres"),
        }
    )
    if site.get("PASSWORD"):
        env["PGPASSWORD"] = str(site["PASSWORD"])
    if database_name:
        env["PGDATABASE"] = database_name
    return env


def download_all(server, bucket: str, prefix: str, medium: Path) -> None:
    """`aws s3 cp --recursive s3://bucket/prefix medium/`: every object, same layout."""
    client = server.client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            local = medium / item["Key"].removeprefix(prefix)
            local.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, item["Key"], str(local))


@pytest.fixture
def scratch_database():
    """A fresh empty database (`createdb`), dropped after the test (`dropdb`)."""
    name = f"lpse_fmt_restore_{secrets.token_hex(4)}"
    subprocess.run(["createdb", name], env=_pg_env(), check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(
            ["dropdb", "--force", "--if-exists", name],
            env=_pg_env(),
            check=True,
            capture_output=True,
        )


@needs_age
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)",
)
@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_restore is not installed")
def test_R_6_3_a_postgresql_backup_on_s3_restores_with_age_pg_restore_and_sha256sum(
    settings, offline_key, s3_server, s3_bucket, scratch_database, tmp_path
):
    settings.LPSE_BACKUP_TARGETS = [f"s3://{s3_bucket}/lpse"]
    settings.LPSE_BACKUP_S3_ENDPOINT = s3_server.endpoint
    settings.LPSE_BACKUP_S3_ACCESS_KEY = s3_server.access_key
    settings.LPSE_BACKUP_S3_SECRET_KEY = s3_server.secret_key
    settings.LPSE_BACKUP_RECIPIENTS = [offline_key[0]]
    settings.LPSE_BACKUP_KEEP = "last=5"
    some_blobs(3)
    audit.record(actor=None, action="test.format", data={"n": 2})
    [run] = backup.run_backup()
    assert run.state == "good", run.error
    medium, work = tmp_path / "medium", tmp_path / "work"
    work.mkdir()
    download_all(s3_server, s3_bucket, "lpse/", medium)

    manifest = newest_manifest(medium)
    assert manifest["backup_id"] == run.backup_id and manifest["database"]["kind"] == "postgresql"
    check_signature(manifest, signing.public_key_pem(), work)
    data_dir = tmp_path / "restored"
    dump = work / "database.pgdump"
    restore_by_hand(manifest, medium, offline_key[1], data_dir, dump)

    # Step 5 (PostgreSQL): pg_restore into the empty database, then psql's row counts.
    subprocess.run(
        [
            *("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"),
            *(f"--dbname={scratch_database}", str(dump)),
        ],
        env=_pg_env(),
        check=True,
        capture_output=True,
    )
    tables = manifest["database"]["tables"]
    query = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM \"{table}\"" for table in sorted(tables)
    )
    counted = subprocess.run(
        ["psql", "-At", "-F", " ", "-c", query],
        env=_pg_env(scratch_database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    restored = {line.split()[0]: int(line.split()[1]) for line in counted if line.strip()}
    assert restored == tables
    head = subprocess.run(
        ["psql", "-At", "-F", " ", "-c", "SELECT seq, hash FROM core_audithead WHERE id = 1"],
        env=_pg_env(scratch_database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert {"seq": int(head[0]), "hash": head[1]} == manifest["audit_head"]
