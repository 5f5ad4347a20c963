"""A backup's pieces: each file is encrypted with age as it streams to the target, hashed
twice on the way — the plaintext (so a restore is proven) and the ciphertext (so anyone can
check a piece without the key). The format is docs/backup-format.md."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import pyrage

from lpse.archive.targets import Target, file_sha256

SPOOL_IN_MEMORY = 8 * 1024 * 1024  # larger pieces spill to a temporary file


class PieceDamaged(Exception):
    """A piece is missing, or its bytes are not the ones the manifest names."""


@dataclass(frozen=True)
class Piece:
    key: str  # its name on the target
    plain_sha256: str
    plain_size: int
    cipher_sha256: str
    cipher_size: int

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Piece:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


class _Hashing(io.RawIOBase):
    """A reader that hashes and counts what is read through it."""

    def __init__(self, source: BinaryIO):
        self.source, self.digest, self.size = source, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def encrypt_to(target: Target, key: str, source: BinaryIO, recipients: list) -> Piece:
    """Encrypt ``source`` to ``recipients`` and store it on ``target`` as ``key``."""
    plain = _Hashing(source)
    writer = getattr(target, "writer", None)
    if writer is not None:  # a folder: encrypt straight into the piece's file
        with writer(key) as out:
            try:
                pyrage.encrypt_io(plain, out, recipients)
            except pyrage.EncryptError as exc:
                raise _os_error(exc) from None  # the writer names a full medium
        written = out.written
    else:  # a bucket reads what it uploads: a spool (memory, then a temporary file)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            pyrage.encrypt_io(plain, spool, recipients)
            spool.seek(0)
            written = target.put(key, spool)  # type: ignore[arg-type]
    return Piece(
        key=key,
        plain_sha256=plain.digest.hexdigest(),
        plain_size=plain.size,
        cipher_sha256=written.sha256,
        cipher_size=written.size,
    )


def encrypt_path(target: Target, key: str, path: Path, recipients: list) -> Piece:
    """A file (a blob) to a piece. On a folder, age encrypts file to file with no Python in
    its loop (pyrage reads 8 KiB per call through a Python reader: a third of the speed), and
    both hashes are taken by reading the files back (from the page cache)."""
    produce = getattr(target, "produce", None)
    if produce is None:
        with path.open("rb") as source:
            return encrypt_to(target, key, source, recipients)
    plain_size, plain_sha256 = path.stat().st_size, file_sha256(path)

    def make(partial: Path) -> None:
        try:
            pyrage.encrypt_file(str(path), str(partial), recipients)
        except pyrage.EncryptError as exc:
            raise _os_error(exc) from None

    # Hashed before, encrypted after: a blob is never rewritten in place (the store writes a
    # new file under a new name), so both reads see the same bytes.
    written = produce(key, make)
    return Piece(key, plain_sha256, plain_size, written.sha256, written.size)


# The target the forked workers of encrypt_many write to: set before the pool forks, so the
# workers inherit it instead of receiving a pickled copy (an S3 client does not pickle).
_WORKER_TARGET: Target | None = None


def _encrypt_job(job: tuple[str, str, list[str]]) -> Piece:
    key, path, recipient_names = job
    recipients = [pyrage.x25519.Recipient.from_str(name) for name in recipient_names]
    assert _WORKER_TARGET is not None
    return encrypt_path(_WORKER_TARGET, key, Path(path), recipients)


def encrypt_many(
    target: Target, jobs: list[tuple[str, Path]], recipient_names: list[str], *, workers: int
) -> Iterator[Piece]:
    """Encrypt files to pieces, in order, on ``workers`` processes: age and SHA-256 use one
    core each, and a backup of thousands of blobs is otherwise bound by one core
    (bench/backup.py). Forked workers touch no database; the caller closes its connections
    first so no child shares a socket with it."""
    global _WORKER_TARGET
    if workers <= 1 or len(jobs) < 2 * workers:
        recipients = [pyrage.x25519.Recipient.from_str(name) for name in recipient_names]
        for key, path in jobs:
            yield encrypt_path(target, key, path, recipients)
        return
    _WORKER_TARGET = target
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            yield from pool.map(
                _encrypt_job,
                [(key, str(path), recipient_names) for key, path in jobs],
                chunksize=max(1, min(16, len(jobs) // (8 * workers))),
            )
    finally:
        _WORKER_TARGET = None


def _os_error(exc: Exception) -> Exception:
    """pyrage reports a failed write as an EncryptError carrying the OS error's text: the
    OSError again, so the target can say what it means (a full medium)."""
    import re

    # Python's "[Errno 28] …" when pyrage wrote through a Python file, Rust's "… (os error 28)"
    # when it wrote the file itself (encrypt_file).
    found = re.search(r"\[Errno (\d+)\]|\(os error (\d+)\)", str(exc))
    if found:
        number = int(found.group(1) or found.group(2))
        return OSError(number, os.strerror(number))
    return exc


_WORKER_IDENTITIES: list = []


def _decrypt_job(job: tuple[dict, str]) -> int:
    piece, dest = Piece.from_json(job[0]), Path(job[1])
    assert _WORKER_TARGET is not None
    _decrypt_into(_WORKER_TARGET, piece, _WORKER_IDENTITIES, dest)
    return piece.plain_size


def _decrypt_into(target: Target, piece: Piece, identities: list, final: Path) -> None:
    """Decrypt into a ``.partial`` file beside ``final``, renamed over it once proven."""
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        decrypt_to_path(target, piece, identities, partial)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)


def decrypt_many(
    target: Target, jobs: list[tuple[Piece, Path]], identities: list, *, workers: int
) -> Iterator[int]:
    """Decrypt pieces into files on ``workers`` processes (as encrypt_many); yields each
    piece's plaintext size as it is done. The first damaged piece or wrong key stops all."""
    global _WORKER_TARGET, _WORKER_IDENTITIES
    if workers <= 1 or len(jobs) < 2 * workers or getattr(target, "local_path", None) is None:
        for piece, dest in jobs:
            _decrypt_into(target, piece, identities, dest)
            yield piece.plain_size
        return
    _WORKER_TARGET, _WORKER_IDENTITIES = target, identities
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            yield from pool.map(
                _decrypt_job,
                [(piece.as_json(), str(dest)) for piece, dest in jobs],
                chunksize=max(1, min(16, len(jobs) // (8 * workers))),
            )
    finally:
        _WORKER_TARGET, _WORKER_IDENTITIES = None, []


def check(target: Target, piece: Piece) -> str | None:
    """Without the key: is the piece there, whole, the bytes the manifest names? None if so,
    else what is wrong."""
    size = target.size(piece.key)
    if size is None:
        return f"{piece.key}: missing"
    if size != piece.cipher_size:
        return f"{piece.key}: {size} bytes, the manifest says {piece.cipher_size}"
    digest = hashlib.sha256()
    with target.open(piece.key) as stored:
        while chunk := stored.read(1024 * 1024):
            digest.update(chunk)
    if digest.hexdigest() != piece.cipher_sha256:
        return f"{piece.key}: its SHA-256 differs from the manifest's (the piece was altered)"
    return None


def decrypt_to(target: Target, piece: Piece, identities: list, out: BinaryIO) -> None:
    """Decrypt a piece into ``out`` and prove it: PieceDamaged unless the plaintext has the
    manifest's SHA-256 and size. ``out`` may hold a partial result then; callers write to a
    temporary place and keep it only on success."""
    with target.open(piece.key) as stored, tempfile.TemporaryFile() as cipher:
        cipher_digest = hashlib.sha256()
        while chunk := stored.read(1024 * 1024):
            cipher_digest.update(chunk)
            cipher.write(chunk)
        if cipher_digest.hexdigest() != piece.cipher_sha256:
            raise PieceDamaged(f"{piece.key}: its SHA-256 differs from the manifest's")
        cipher.seek(0)
        plain = _HashingWriter(out)
        try:
            pyrage.decrypt_io(cipher, plain, identities)
        except pyrage.DecryptError:
            raise WrongKey(
                f"{piece.key}: cannot be decrypted with this key: it is not one of the "
                "backup's recipients (see the manifest's `recipients`)."
            ) from None
    if plain.digest.hexdigest() != piece.plain_sha256 or plain.size != piece.plain_size:
        raise PieceDamaged(f"{piece.key}: decrypted, but not the bytes that were backed up")


def decrypt_to_path(target: Target, piece: Piece, identities: list, dest: Path) -> None:
    """Decrypt a piece into the file ``dest`` and prove it (see decrypt_to). A piece on a
    folder is checked and decrypted in place, file to file."""
    local = getattr(target, "local_path", lambda _key: None)(piece.key)
    if local is None:
        with dest.open("wb") as out:
            decrypt_to(target, piece, identities, out)
        return
    if local.stat().st_size != piece.cipher_size or file_sha256(local) != piece.cipher_sha256:
        raise PieceDamaged(f"{piece.key}: its SHA-256 differs from the manifest's")
    try:
        pyrage.decrypt_file(str(local), str(dest), identities)
    except pyrage.DecryptError as exc:
        if "Errno" in str(exc):
            raise _os_error(exc) from None
        raise WrongKey(
            f"{piece.key}: cannot be decrypted with this key: it is not one of the "
            "backup's recipients (see the manifest's `recipients`)."
        ) from None
    if dest.stat().st_size != piece.plain_size or file_sha256(dest) != piece.plain_sha256:
        raise PieceDamaged(f"{piece.key}: decrypted, but not the bytes that were backed up")


class WrongKey(Exception):
    """The identity given is not a recipient of the backup."""


class _HashingWriter(io.RawIOBase):
    def __init__(self, out: BinaryIO):
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)
