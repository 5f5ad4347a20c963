"""Shared set-up of the backup tests: an offline age key, a folder target, a few blobs."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from lpse.archive.targets import FolderTarget
from lpse.core.storage import store_chunks


@pytest.fixture
def offline_key(tmp_path) -> tuple[str, Path]:
    """(public key for the server, path of the private key file kept offline)."""
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "offline-key.txt"
    key_file.write_text(
        f"# created: for the tests\n# public key: {identity.to_public()}\n{identity}\n"
    )
    return str(identity.to_public()), key_file


@pytest.fixture
def backup_folder(tmp_path, settings, offline_key) -> FolderTarget:
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    settings.LPSE_BACKUP_TARGETS = [f"folder:{folder}"]
    settings.LPSE_BACKUP_RECIPIENTS = [offline_key[0]]
    settings.LPSE_BACKUP_KEEP = "last=20,daily=7"  # several backups a minute in the tests
    return FolderTarget(folder, name=f"folder:{folder}")


@pytest.fixture
def into_database() -> Iterator[list[str]]:
    """What a restore of the suite's database needs besides a folder: nothing for SQLite; for
    PostgreSQL ``--database-url`` of a new empty database, dropped after the test."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield []
        return
    import secrets

    import psycopg

    site = connection.settings_dict
    user, host, port = site["USER"] or "postgres", site["HOST"] or "127.0.0.1", site["PORT"] or 5432
    name = f"lpse_faults_{secrets.token_hex(4)}"
    admin = {"host": host, "port": port, "user": user, "dbname": site["NAME"], "autocommit": True}
    with psycopg.connect(**admin) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ["--database-url", f"postgres://{user}@{host}:{port}/{name}"]
    finally:
        with psycopg.connect(**admin) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_database(into_database) -> str | None:
    """``database_url`` for restore(): None for SQLite, else a new empty database's URL."""
    return into_database[1] if into_database else None


def some_blobs(count: int, size: int = 50_000) -> list[str]:
    return [store_chunks([os.urandom(size)]).sha256 for _ in range(count)]


def read_all(target, key: str) -> bytes:
    with target.open(key) as stored:
        return stored.read()


__all__ = [
    "backup_folder",
    "into_database",
    "io",
    "offline_key",
    "read_all",
    "restored_database",
    "some_blobs",
]
