"""What a process of the opening's pool does with one bid (R-8.4, issue 19): decrypt the stored
envelope in one streaming pass that also takes its SHA-256, and write each document it holds to
a temporary file. No Django, no database: a worker gets a path and the key, and gives back
hashes, the offer and file names; the ceremony's process checks, stores and writes the rows.
Each document's SHA-256 (R-7.2) is taken here as it is written, so the ceremony's process
adopts it (``core.storage.store_hashed_file``: a rename in the data folder) instead of reading
every byte again. Its MD5, kept for compatibility, is not: it was a quarter of a worker's CPU,
and is taken once the bids are open (``core.storage.complete_md5``).

pyrage holds the GIL while it decrypts, so threads would take turns; separate processes do not.
Memory stays flat in a bid's size: ``envelope.opened`` decrypts a large bid into an unnamed
temporary file and the documents are copied out 1 MiB at a time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pyrage import x25519

from lpse.bids import envelope
from lpse.core.durable import DirectFile
from lpse.core.hashing import Fingerprint, RunningFingerprint

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Job:
    path: str
    identity: str  # the rebuilt tender key, as age writes it (AGE-SECRET-KEY-1…)
    tender_code: str
    tmp_dir: str


@dataclass
class Decrypted:
    """A bid decrypted: its envelope's SHA-256 and, when it opened, its offer and documents
    (name, temporary file, fingerprint) — or the reason it did not (``envelope.EnvelopeError``)."""

    ciphertext_sha256: str = ""
    offer: envelope.Offer | None = None
    documents: list[tuple[str, str, Fingerprint]] = field(default_factory=list)
    problem: tuple[str, str] | None = None

    def discard(self) -> None:
        """Remove the temporary files (stored, or never to be)."""
        for _name, path, _fingerprint in self.documents:
            Path(path).unlink(missing_ok=True)


def decrypt(job: Job) -> Decrypted:
    sha256 = hashlib.sha256()
    result = Decrypted()
    try:
        with envelope.opened(
            Path(job.path),
            x25519.Identity.from_str(job.identity),
            tender_code=job.tender_code,
            ciphertext_hash=sha256,
            tmp_dir=Path(job.tmp_dir),
        ) as opened:
            result.ciphertext_sha256 = sha256.hexdigest()
            result.offer = opened.offer
            for name, stream in opened.documents():
                result.documents.append((name, *_copy_out(stream, job.tmp_dir)))
    except envelope.EnvelopeError as exc:
        result.discard()
        return Decrypted(ciphertext_sha256=sha256.hexdigest(), problem=(exc.reason, str(exc)))
    except BaseException:
        result.discard()
        raise
    return result


def _copy_out(stream, tmp_dir: str) -> tuple[str, Fingerprint]:
    running = RunningFingerprint(md5=False)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="opened-")
    os.close(fd)
    try:
        # Around the page cache, and not fsynced here: the ceremony flushes the store once,
        # after the last bid and before its rows commit (core.storage.make_durable). Through
        # the cache, a gigabyte of new documents cost each worker more CPU than decrypting
        # them (core.durable.DirectFile).
        with DirectFile(name) as out:
            while chunk := stream.read(CHUNK):
                running.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return name, running.result()
