"""The restore drill (R-6.3): a backup restored into a scratch place — a temporary folder, and
for PostgreSQL a scratch database on the same server — then proven: every piece's plaintext
hash, every table's row count, and ``lpse audit verify`` on the restored copy with its head
equal to the manifest's. The result is recorded for the duty register, then the scratch place
is removed."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from lpse.archive import manifest, pieces
from lpse.archive.models import DrillResult, RestoreDrill
from lpse.archive.services.restore import RestoreRefused, pg_connect, pg_params, restore
from lpse.archive.targets import Target, TargetError


def _scratch_database() -> tuple[str, str]:
    """A new empty database beside the site's (name, URL)."""
    site = settings.DATABASES["default"]
    name = f"lpse_drill_{secrets.token_hex(4)}"
    user = site.get("USER") or "postgres"
    password = f":{site['PASSWORD']}" if site.get("PASSWORD") else ""
    url = f"postgres://{user}{password}@{site.get('HOST') or '127.0.0.1'}:{site.get('PORT') or 5432}/{name}"
    with pg_connect({**pg_params(url), "dbname": site["NAME"]}) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return name, url


def _drop_database(name: str, url: str) -> None:
    site = settings.DATABASES["default"]
    with pg_connect({**pg_params(url), "dbname": site["NAME"]}) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def audit_of_copy(data_dir: Path, database_url: str | None) -> tuple[bool, str, str]:
    """Run ``lpse audit verify`` and ``lpse audit head`` on the restored copy, in a process of
    its own (its settings point at the copy). Returns (chain ok, verify output, head line)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LPSE_DEMO"}}
    env.update({"LPSE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "lpse.settings"})
    env.pop("SECRET_KEY", None)  # the copy's own (restored) secret key
    if database_url:
        env["DATABASE_URL"] = database_url

    def lpse(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 — our own CLI
            [sys.executable, "-m", "lpse", "audit", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    verified = lpse("verify")
    head = lpse("head")
    return (
        verified.returncode == 0,
        (verified.stdout + verified.stderr).strip(),
        head.stdout.strip(),
    )


def drill(
    target: Target,
    backup_id: str,
    *,
    identities: list,
    by: str,
    public_pem: str | None = None,
) -> RestoreDrill:
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="lpse-drill-"))
    scratch_db: tuple[str, str] | None = None
    details: dict = {}
    result = DrillResult.FAILED
    try:
        if backup_id == "latest":
            backup_id = (manifest.backup_ids(target) or ["(none)"])[-1]
        loaded = manifest.load(target, backup_id, public_pem=public_pem)
        if loaded.database_kind == "postgresql":
            scratch_db = _scratch_database()
        report = restore(
            target,
            backup_id,
            identities=identities,
            data_dir=scratch / "data",
            database_url=scratch_db[1] if scratch_db else None,
            public_pem=public_pem,
        )
        chain_ok, output, head = audit_of_copy(
            scratch / "data", scratch_db[1] if scratch_db else None
        )
        expected = loaded.audit_head
        expected_line = f"{expected['seq']} {expected['hash']}" if expected else "0 (empty)"
        details = {
            "pieces": report.pieces,
            "bytes": report.bytes,
            "tables": len(loaded.tables),
            "rows": sum(loaded.tables.values()),
            "audit_verify": output[-500:],
            "audit_head": head,
            "manifest_audit_head": expected_line,
        }
        if chain_ok and head == expected_line:
            result = DrillResult.PASSED
        else:
            details["problem"] = (
                "the restored audit log does not verify"
                if not chain_ok
                else "the restored audit head differs from the manifest's"
            )
    except (
        manifest.ManifestRefused,
        pieces.PieceDamaged,
        pieces.WrongKey,
        RestoreRefused,
        TargetError,
    ) as exc:
        details["problem"] = str(exc)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if scratch_db:
            _drop_database(*scratch_db)
    return RestoreDrill.objects.create(
        backup_id=backup_id,
        target=target.name,
        performed_at=timezone.now(),
        performed_by=by,
        result=result,
        seconds=round(time.monotonic() - started, 1),
        details=details,
    )
