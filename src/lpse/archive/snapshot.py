"""A consistent snapshot of the database, taken while the site runs: SQLite's online backup
API, or ``pg_dump`` in custom format on a snapshot exported from a REPEATABLE READ transaction,
in which the row counts, the audit head and the list of blobs are read too — so all four
describe the same instant."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection


class SnapshotFailed(Exception):
    """The database could not be copied; the message says why and what to do. ``full``: the
    copy did not fit on the data folder's disk (the backup says so, with what to do)."""

    def __init__(self, message: str, *, full: bool = False):
        super().__init__(message)
        self.full = full


@dataclass
class Snapshot:
    kind: str  # "sqlite" | "postgresql"
    path: Path  # the copy (SQLite file) or the dump (pg_dump custom format)
    tables: dict[str, int]
    audit_head: dict | None
    blobs: list[str]  # sha256 of every Blob row


def take(workdir: Path) -> Snapshot:
    vendor = connection.vendor
    if vendor == "sqlite":
        return _sqlite(workdir)
    if vendor == "postgresql":
        return _postgresql(workdir)
    raise SnapshotFailed(f"backups support SQLite and PostgreSQL, not {vendor}")


def _read(query: Callable[[str], list[tuple]], tables: list[str]) -> tuple[dict, dict | None, list]:
    counts = {table: query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in sorted(tables)}  # noqa: S608 — names from the catalogue
    head_rows = query("SELECT seq, hash FROM core_audithead WHERE id = 1")
    head = {"seq": head_rows[0][0], "hash": head_rows[0][1]} if head_rows else None
    blobs = [row[0] for row in query("SELECT sha256 FROM core_blob ORDER BY sha256")]
    return counts, head, blobs


def _sqlite(workdir: Path) -> Snapshot:
    copy = workdir / "database.sqlite3"
    connection.ensure_connection()
    source = connection.connection  # Django's own: the site's database, whatever its name
    try:
        target = sqlite3.connect(copy)
        with target:
            # All pages in one step under a read lock: a consistent copy while others write.
            source.backup(target)
        tables = [
            row[0]
            for row in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts, head, blobs = _read(lambda sql: target.execute(sql).fetchall(), tables)
        target.close()
    except sqlite3.Error as exc:
        full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        raise SnapshotFailed(f"the SQLite database could not be copied: {exc}", full=full) from None
    return Snapshot("sqlite", copy, counts, head, blobs)


def pg_environment(database: dict) -> dict[str, str]:
    """libpq's variables for a Django PostgreSQL database entry (no password on a command line)."""
    env = dict(os.environ)
    for variable, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if database.get(name):
            env[variable] = str(database[name])
    return env


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise SnapshotFailed(
            f"{name} is not installed: install PostgreSQL's client programs "
            "(scripts/install-postgresql-client, or apt-get install postgresql-client)."
        )
    return found


def _postgresql(workdir: Path) -> Snapshot:
    import psycopg

    database = settings.DATABASES["default"]
    dump = workdir / "database.pgdump"
    params = {
        k: v
        for k, v in {
            "host": database.get("HOST"),
            "port": database.get("PORT"),
            "user": database.get("USER"),
            "password": database.get("PASSWORD"),
            "dbname": database["NAME"],
        }.items()
        if v
    }
    try:
        with psycopg.connect(**params, autocommit=False) as held:
            held.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot_name = held.execute("SELECT pg_export_snapshot()").fetchone()[0]
            done = subprocess.run(  # noqa: S603 — our arguments, no shell
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot_name}",
                    "--no-owner",
                    f"--file={dump}",
                ],
                env=pg_environment(database),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise SnapshotFailed(
                    f"pg_dump failed: {done.stderr.strip()[-500:]}",
                    full="No space left on device" in done.stderr
                    or "Disk quota exceeded" in done.stderr,
                )
            tables = [
                row[0]
                for row in held.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]
            counts, head, blobs = _read(lambda sql: held.execute(sql).fetchall(), tables)
    except psycopg.Error as exc:
        raise SnapshotFailed(f"PostgreSQL could not be read: {exc}") from None
    return Snapshot("postgresql", dump, counts, head, blobs)
