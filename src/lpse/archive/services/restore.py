"""Restore a backup (``lpse restore``) into an empty data folder, and for a PostgreSQL backup an
empty database: every piece decrypted with the offline key and proven against the signed
manifest (plaintext SHA-256 and size), then the restored database's row counts compared with
the manifest's. Refused into a place that holds anything; on a failure what was written is
removed, so a half restore never looks like a site."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from lpse.archive import manifest, pieces
from lpse.archive.manifest import Manifest
from lpse.archive.services.restore_bucket import BucketRefused, blobs_into_bucket, open_empty_bucket
from lpse.archive.snapshot import pg_tool
from lpse.archive.targets import Target
from lpse.archive.workers import fork_ready
from lpse.core import storage

SQLITE_NAME = "lpse.sqlite3"


class RestoreRefused(Exception):
    """The restore cannot start or did not prove itself; the message says why."""


@dataclass
class RestoreReport:
    backup_id: str
    database_kind: str
    data_dir: Path
    database: str
    pieces: int = 0
    bytes: int = 0
    row_count_differences: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    # Where the blobs went when not into the data folder (``--storage-url``).
    bucket: str = ""


def pg_params(database_url: str) -> dict[str, str]:
    import dj_database_url

    parsed = dj_database_url.parse(database_url)
    if "postgresql" not in parsed["ENGINE"]:
        raise RestoreRefused(f"{database_url!r} is not a PostgreSQL database URL")
    return {
        "host": parsed.get("HOST") or "",
        "port": str(parsed.get("PORT") or ""),
        "user": parsed.get("USER") or "",
        "password": parsed.get("PASSWORD") or "",
        "dbname": parsed["NAME"],
    }


def pg_env(params: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    env.update({names[k]: v for k, v in params.items() if k in names and v})
    return env


def pg_connect(params: dict[str, str]):
    import psycopg

    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
    return psycopg.connect(conninfo, autocommit=True)


def table_counts(kind: str, location: str, tables: list[str]) -> dict[str, int | None]:
    """Rows of each table in a restored database (None: the table is not there)."""
    counts: dict[str, int | None] = {}
    if kind == "sqlite":
        with sqlite3.connect(location) as db:
            present = {
                r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            for table in tables:
                counts[table] = (
                    db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                    if table in present
                    else None
                )
        return counts
    with pg_connect(pg_params(location)) as db:
        present = {
            r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        for table in tables:
            counts[table] = (
                db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                if table in present
                else None
            )
    return counts


def _refuse_unless_empty(data_dir: Path, database_url: str | None, kind: str) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        raise RestoreRefused(
            f"{data_dir} is not empty: restore only into an empty folder (a new one is made), "
            "never over a site's data."
        )
    if kind == "postgresql":
        if not database_url:
            raise RestoreRefused(
                "this is a PostgreSQL backup: give --database-url of an empty database "
                "(createdb lpse_restored)"
            )
        with pg_connect(pg_params(database_url)) as db:
            tables = db.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
        if tables:
            raise RestoreRefused(
                f"the database of {database_url.rsplit('@', 1)[-1]} holds {tables} tables: "
                "restore only into an empty database."
            )


def _decrypt_into(target: Target, piece: pieces.Piece, identities: list, final: Path) -> None:
    pieces.decrypt_many(target, [(piece, final)], identities, workers=1).__next__()


def restore(
    target: Target,
    backup_id: str,
    *,
    identities: list,
    data_dir: Path,
    database_url: str | None = None,
    public_pem: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    storage_url: str | None = None,
) -> RestoreReport:
    """``storage_url`` (``s3://bucket/prefix?endpoint=…``): the blobs go into that empty bucket,
    the one the nodes will read, instead of the data folder's ``media/``."""
    if backup_id == "latest":
        ids = manifest.backup_ids(target)
        if not ids:
            raise RestoreRefused(f"{target.name} holds no backup")
        backup_id = ids[-1]
    loaded: Manifest = manifest.load(target, backup_id, public_pem=public_pem)
    _refuse_unless_empty(data_dir, database_url, loaded.database_kind)
    try:
        bucket = open_empty_bucket(storage_url) if storage_url else None
    except BucketRefused as exc:
        raise RestoreRefused(str(exc)) from None
    made = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    report = RestoreReport(
        backup_id=backup_id,
        database_kind=loaded.database_kind,
        data_dir=data_dir,
        database=str(data_dir / SQLITE_NAME) if loaded.database_kind == "sqlite" else "",
    )
    try:
        _restore_pieces(
            target, loaded, identities, data_dir, database_url, report, progress, bucket
        )
    except BaseException:
        _undo(data_dir, made, database_url if loaded.database_kind == "postgresql" else None)
        raise
    return report


def _restore_pieces(target, loaded, identities, data_dir, database_url, report, progress, bucket):
    every = loaded.pieces()
    total = sum(piece.plain_size for piece in every)
    done = 0
    for name, piece in loaded.files.items():
        _decrypt_into(target, piece, identities, data_dir / Path(name).name)
        os.chmod(data_dir / Path(name).name, 0o600)  # keys: readable by the service only
        done += piece.plain_size
    workers = fork_ready(settings.LPSE_BACKUP_WORKERS)

    def restored(size: int) -> None:
        nonlocal done
        done += size
        if progress:
            progress(done, total)

    if bucket is None:
        jobs = [(piece, data_dir / "media" / path) for path, piece in loaded.blobs.items()]
        for size in pieces.decrypt_many(target, jobs, identities, workers=workers):
            restored(size)
    else:
        scratch = data_dir / ".blobs-on-their-way"
        try:
            blobs_into_bucket(
                target,
                loaded.blobs,
                identities,
                bucket,
                scratch,
                workers=workers,
                restored=restored,
            )
        except BucketRefused as exc:
            raise RestoreRefused(str(exc)) from None
        except storage.StorageUnavailable as exc:
            raise RestoreRefused(
                f"{bucket!r} stopped answering ({exc}); what this restore had put there was "
                "removed. Start it again once the store answers."
            ) from None
        report.bucket = repr(bucket)
    if loaded.database_kind == "sqlite":
        _decrypt_into(target, loaded.database, identities, data_dir / SQLITE_NAME)
    else:
        dump = data_dir / "database.pgdump"
        _decrypt_into(target, loaded.database, identities, dump)
        try:
            _pg_restore(dump, database_url)
        finally:
            dump.unlink(missing_ok=True)
        report.database = database_url.rsplit("@", 1)[-1]
    if progress:
        progress(total, total)
    report.pieces, report.bytes = len(every), total
    location = str(data_dir / SQLITE_NAME) if loaded.database_kind == "sqlite" else database_url
    counts = table_counts(loaded.database_kind, location, list(loaded.tables))
    report.row_count_differences = {
        table: (expected, counts[table])
        for table, expected in loaded.tables.items()
        if counts[table] != expected
    }
    if report.row_count_differences:
        raise RestoreRefused(
            f"restored rows differ from the manifest: {report.row_count_differences}"
        )


def _pg_restore(dump: Path, database_url: str) -> None:
    params = pg_params(database_url)
    done = subprocess.run(  # noqa: S603 — our arguments, no shell
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",  # all or nothing
            f"--dbname={params['dbname']}",
            str(dump),
        ],
        env=pg_env(params),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RestoreRefused(f"pg_restore failed: {done.stderr.strip()[-500:]}")


def _undo(data_dir: Path, made: bool, database_url: str | None) -> None:
    if made:
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        for child in data_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    if database_url:  # pg_restore ran in one transaction; nothing else was written there
        return
