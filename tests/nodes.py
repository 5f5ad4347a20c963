"""Several application nodes on shared services (issue 19, R-9.11): what each `lpse serve` of a
scale-out site is given, as docs/scale-out.md lays it out. Used by tests/test_two_nodes.py and by
``bench/deadline_rush.py --nodes 2``, which start their own servers (the test's can be killed,
the benchmark's measure their CPU) on the environment made here.

What every node shares: the database, the cache (rate limits, public pages, job leases), the
object store, the secret key (sessions), the receipt signing key (one LPSE, one signature) and
the clock that judges the deadline (the database's). What each keeps to itself: an empty data
folder, a scratch folder for temporary files, and its name (its metrics and heartbeat).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bucket:
    """A bucket of an S3 server (tests/s3server.SeaweedS3) the nodes keep their blobs in."""

    name: str
    endpoint: str
    access_key: str
    secret_key: str

    @property
    def storage_url(self) -> str:
        return f"s3://{self.name}/lpse?endpoint={self.endpoint}"


def shared_env(
    base: dict[str, str], *, database_url: str, cache_url: str, bucket: Bucket, secrets_dir: Path
) -> dict[str, str]:
    """The environment every node gets (and any process that prepares the site's data)."""
    env = {k: v for k, v in base.items() if k not in ("DATABASE_URL", "LPSE_CACHE_URL")}
    secrets_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="lpse.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")])),
        DATABASE_URL=database_url,
        LPSE_CACHE_URL=cache_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        LPSE_SIGNING_KEY_FILE=str(secrets_dir / "receipt_signing_key.pem"),
        LPSE_STORAGE_URL=bucket.storage_url,
        LPSE_STORAGE_S3_ACCESS_KEY=bucket.access_key,
        LPSE_STORAGE_S3_SECRET_KEY=bucket.secret_key,
        LPSE_DEADLINE_CLOCK="database",
    )
    return env


def node_env(shared: dict[str, str], folder: Path, name: str) -> dict[str, str]:
    """One node's environment: ``shared`` plus an empty data folder and a scratch folder of its
    own under ``folder`` (created here), and its name."""
    data_dir = folder / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **shared,
        "LPSE_DATA_DIR": str(data_dir),
        "LPSE_NODE_NAME": name,
        "LPSE_SCRATCH_DIR": str(folder / "scratch"),
    }


def node_files(data_dir: Path) -> list[str]:
    """The files of a node's data folder other than its own: its metrics (each node is scraped
    on its own) and its scheduler heartbeat. Anything else there (a blob, a chunk, a part file, a
    cache entry) is something the other nodes cannot see."""
    return sorted(
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file()
        and p.relative_to(data_dir).parts[0] != "metrics"
        and not p.name.endswith(".heartbeat")
    )
