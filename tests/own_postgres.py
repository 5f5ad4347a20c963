"""A PostgreSQL server of the test's own, to stop and restart for real (issue 21).

The shared server on 127.0.0.1:5432 serves every other test at the same time, so it is never
stopped: this one is made with ``initdb`` in a temporary folder and listens on a free loopback
port only. PostgreSQL refuses to run as root; when the tests run as root it runs as the
``postgres`` system user (Debian's package makes it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def missing() -> str | None:
    """Why an own server cannot run here, or None."""
    for name in ("initdb", "pg_ctl"):
        if _binary(name) is None:
            return f"PostgreSQL's {name} is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as another user"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OwnPostgres:
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lpse-own-pg-")))
    port: int = field(default_factory=_free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/lpse"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [_binary(args[0]) or args[0], *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        made = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust")
        assert made.returncode == 0, made.stderr
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.folder}'\nfsync = off\n"
            )
        self.start()
        created = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                            "-c", "CREATE DATABASE lpse")  # fmt: skip
        assert created.returncode == 0, created.stderr

    def start(self) -> None:
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start"
        )
        assert started.returncode == 0, started.stderr + self.log()

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session at once (what a restart does); ``immediate`` is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def accepting(self) -> bool:
        with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    def log(self) -> str:
        with suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")[-3000:]
        return ""

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
