"""The deadline rush over several nodes (``deadline_rush.py --nodes N``, issue 19): the shared
services the nodes need (a SeaweedFS bucket, PostgreSQL, a shared cache), each node's own
environment — both from tests/nodes.py, the two-node test's launcher — and a client that sends
each request of an upload to the next node in turn, as a load balancer without sticky sessions
would. Also the check of a stored envelope wherever it is kept (the data folder or the bucket)."""

from __future__ import annotations

import hashlib
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness import Browser, MiB, Server, free_port

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is a package of the checkout, not of the install

from tests.nodes import Bucket, node_files, shared_env  # noqa: E402
from tests.nodes import node_env as make_node_env  # noqa: E402

__all__ = ["Balanced", "SharedServices", "balanced", "check_stored", "node_files", "start_nodes"]


@dataclass
class SharedServices:
    """SeaweedFS on loopback with one bucket, and the environment every node shares."""

    s3: object
    bucket: Bucket
    env: dict

    @classmethod
    def start(cls, temp: Path, base: dict, *, database_url: str, cache_url: str):
        from tests.s3server import SeaweedS3

        folder = Path(tempfile.mkdtemp(prefix="seaweedfs-", dir=temp))
        s3 = SeaweedS3(folder).start()
        name = s3.make_bucket(f"rush-{secrets.token_hex(6)}")
        bucket = Bucket(name, s3.endpoint, s3.access_key, s3.secret_key)
        env = shared_env(
            base,
            database_url=database_url,
            cache_url=cache_url,
            bucket=bucket,
            secrets_dir=temp / "secrets",
        )
        # The set-up runs in this process, on the same site as the nodes.
        env.update(LPSE_DATA_DIR=base["LPSE_DATA_DIR"], LPSE_SCRATCH_DIR=str(temp / "scratch"))
        return cls(s3=s3, bucket=bucket, env=env)

    def stop(self) -> None:
        self.s3.stop()  # its folder goes with the benchmark's temp folder


class Balanced(Browser):
    """A provider's browser behind a load balancer that sends every request to the next node
    (round robin, starting at ``first``): consecutive chunks of an upload reach different
    nodes. With one port it is a plain ``Browser``."""

    def __init__(self, ports: list[int], timeout: float, first: int = 0):
        super().__init__(ports[first % len(ports)], timeout)
        self.ports, self.turn = ports, first

    def request(self, method, path, body=None, headers=None):
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        if port != self.port:
            self.close()  # a new connection to the other node
            self.port = port
        return super().request(method, path, body, headers)


def check_stored(blob) -> str:
    """'' when the store holds the blob complete (size and SHA-256), else what is wrong."""
    from lpse.core.storage import blob_size, open_stored

    size = blob_size(blob.sha256)
    if size is None:
        return "stored file missing"
    if size != blob.size:
        return f"stored file has {size} of {blob.size} bytes"
    sha = hashlib.sha256()
    with open_stored(blob.sha256) as f:
        while chunk := f.read(MiB):
            sha.update(chunk)
    return "" if sha.hexdigest() == blob.sha256 else "stored file does not match its SHA-256"


def start_nodes(env: dict, count: int, workers: int, temp: Path, services) -> list[Server]:
    """``count`` `lpse serve`: the site's own with one node, or nodes on the shared services,
    each with its own empty data folder (rush_nodes.node_env, tests/nodes.py)."""
    servers = []
    for n in range(count):
        node_env = env
        log = temp / f"server-{count}-{n}.log"
        if services is not None:
            node_env = make_node_env(services.env, temp / f"nodes-{count}" / f"node{n}", f"node{n}")
        servers.append(Server(node_env, free_port(), workers or None, log))
    for server in servers:
        server.wait_healthy(90, workers=workers or None)
    return servers


def balanced(servers: list[Server], timeout: float, first: int) -> Browser:
    if len(servers) == 1:
        return Browser(servers[0].port, timeout)
    return Balanced([s.port for s in servers], timeout, first)
