"""Real faults shared by the tests of issue 21 ("every real part failing"): a disk that is
really full (a small tmpfs) and an object store that really dies (SeaweedFS, SIGKILL).
Registered in conftest.py's ``pytest_plugins``; CI sets ``LPSE_REQUIRE_FAULTS=1`` so that a
machine where they cannot be made fails instead of skipping."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import PosixPath

import pytest

from tests.conftest import use_s3_storage
from tests.s3server import SeaweedS3


def skip_or_fail(reason: str):
    if os.environ.get("LPSE_REQUIRE_FAULTS") == "1":
        pytest.fail(f"LPSE_REQUIRE_FAULTS=1 but {reason}")
    pytest.skip(reason)


class SmallDisk(PosixPath):  # a Path (the fixtures run on Linux only: mount)
    """The mount point of a small tmpfs; ``fill`` leaves only so many bytes free, ``free``
    gives the space back (the operator deleting old files)."""

    def fill(self, leave: int = 0) -> None:
        stats = os.statvfs(self)
        free = stats.f_bavail * stats.f_frsize
        ballast = self / "ballast"
        with open(ballast, "ab") as out:
            chunk = b"\0" * 65536
            remaining = max(free - leave, 0)
            try:
                while remaining > 0:
                    out.write(chunk[: min(len(chunk), remaining)])
                    remaining -= len(chunk)
                out.flush()
            except OSError:
                pass  # full before the count: that is full too

    def free(self) -> None:
        (self / "ballast").unlink(missing_ok=True)


@pytest.fixture
def full_disk(tmp_path):
    """A real 4 MiB tmpfs, mounted (as root) for the test and always unmounted."""
    if os.geteuid() != 0:
        skip_or_fail("mounting a small tmpfs to fill up needs root")
    mount_point = SmallDisk(tmp_path / "small-disk")
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        skip_or_fail(f"mounting a tmpfs is not permitted here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def own_store(tmp_path, settings):
    """A SeaweedFS of this test's own, holding the blobs, which it may kill (``server.kill()``,
    SIGKILL); ``restart()`` brings the same data back on fresh ports."""
    folder = tmp_path / "seaweedfs"
    folder.mkdir()

    class Store:
        server = SeaweedS3(folder).start()
        bucket = server.make_bucket("lpse-blobs")

        def restart(self):
            self.server = SeaweedS3(folder).start()
            use_s3_storage(settings, self.server, self.bucket)
            self._wait_readable()

        def _wait_readable(self):
            """Back means serving what it held and taking new objects: the S3 gateway answers
            before the volume server has registered again, and a read or a write then is an
            InternalError."""
            from botocore.exceptions import BotoCoreError, ClientError

            client = self.server.client()
            deadline = time.monotonic() + 60
            while True:
                try:
                    for item in client.list_objects_v2(Bucket=self.bucket).get("Contents", []):
                        client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                    client.put_object(Bucket=self.bucket, Key="ready-probe", Body=b"ok")
                    client.delete_object(Bucket=self.bucket, Key="ready-probe")
                    return
                except (BotoCoreError, ClientError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.25)

    store = Store()
    use_s3_storage(settings, store.server, store.bucket)
    try:
        yield store
    finally:
        store.server.stop()
