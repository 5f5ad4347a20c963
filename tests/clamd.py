"""A real ClamAV daemon for the tests (R-4.4): Debian's ``clamd`` on a free loopback port, with
the project's own configuration and a local signature database (none can be downloaded here).

The database holds two signatures of the EICAR test file: its MD5 (``.hdb``, made with
``sigtool --md5``), which matches only the exact 68-byte file, and a body signature (``.ndb``),
which finds the EICAR string inside a larger file. ``StreamMaxLength`` is set above the largest
upload the tests send, or clamd would refuse the stream instead of scanning it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

# The EICAR anti-virus test file: harmless, and recognised by every scanner as a "virus".
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
START_TIMEOUT = 60.0


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clamd:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _write_database(self) -> Path:
        db = self.folder / "db"
        db.mkdir(parents=True, exist_ok=True)
        sample = self.folder / "eicar.com"
        sample.write_bytes(EICAR)
        md5 = subprocess.run(
            ["sigtool", "--md5", str(sample)], check=True, capture_output=True, text=True
        ).stdout
        (db / "lpse-eicar.hdb").write_text(md5)
        (db / "lpse-eicar.ndb").write_text(f"Lpse.Test.Eicar-Body:0:*:{EICAR.hex()}\n")
        return db

    def start(self) -> Clamd:
        binary = clamd_binary()
        if binary is None:
            raise RuntimeError("clamd is not installed: apt-get install clamav-daemon")
        db = self._write_database()
        config = self.folder / "clamd.conf"
        config.write_text(
            "\n".join(
                [
                    f"DatabaseDirectory {db}",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    "Foreground yes",
                    "StreamMaxLength 100M",
                    f"LogFile {self.folder / 'clamd.log'}",
                    f"PidFile {self.folder / 'clamd.pid'}",
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(
            [binary, "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.folder / "clamd.log").read_text(errors="replace")
                raise RuntimeError(f"clamd exited at start:\n{log[-2000:]}")
            if self.ping():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("clamd did not answer PING within a minute")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"zPING\0")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
