"""The bid envelope (R-7.1 Apendo, R-9.1): what a provider seals and the server stores.

Plaintext: a POSIX tar archive with ``offer.json`` (the structured offer) and the bid's
documents under ``documents/``. Ciphertext: that tar encrypted in the age v1 format
(X25519 + ChaCha20-Poly1305 STREAM) to the tender's recipient. With the tender identity, the
standard tool opens it: ``age -d -i tender.key bid.age | tar -x``. See docs/bid-envelope.md.

An envelope may also come ASCII-armoured (``age -a``: "-----BEGIN AGE ENCRYPTED FILE-----" and
base64 lines). It is kept exactly as received — the receipt's SHA-256 is over the bytes the
provider sent, which the provider can hash again — and checked and decrypted through its armour.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

import pyrage
from pyrage import x25519

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = b"-----END AGE ENCRYPTED FILE-----"
OFFER_NAME = "offer.json"
OFFER_FORMAT = "lpse-offer-v1"


class EnvelopeError(Exception):
    """The file is not a bid we can read; ``reason`` is a short code, the message plain words."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Offer:
    tender: str
    total_price: Decimal
    validity_days: int
    declarations: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": OFFER_FORMAT,
                "tender": self.tender,
                "total_price": str(self.total_price),
                "validity_days": self.validity_days,
                "declarations": self.declarations,
            },
            indent=2,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Offer:
        try:
            raw = json.loads(data)
            if raw.get("format") != OFFER_FORMAT:
                raise ValueError("unknown offer format")
            return cls(
                tender=str(raw["tender"]),
                total_price=Decimal(str(raw["total_price"])),
                validity_days=int(raw["validity_days"]),
                declarations=[str(d) for d in raw.get("declarations", [])],
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise EnvelopeError("bad_offer", f"the offer inside is not readable: {exc}") from None


def pack(offer: Offer, documents: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, OFFER_NAME, offer.to_json())
        for path in documents:
            tar.add(path, arcname=f"documents/{path.name}", recursive=False)
    return buffer.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def encrypt_file(plain: Path, sealed: Path, recipient: str) -> None:
    """Stream-encrypt a packed bid to the tender's recipient (the CLI's path for large bids)."""
    with open(plain, "rb") as src, open(sealed, "wb") as dst:
        pyrage.encrypt_io(src, dst, [x25519.Recipient.from_str(recipient)])


def is_armoured(head: bytes) -> bool:
    # From the first byte, as the decrypting side (pyrage) requires: a file with anything before
    # the armour would be taken at upload and fail at the opening.
    return head.startswith(ARMOR_BEGIN)


def looks_like_age(head: bytes) -> bool:
    return head.startswith(AGE_MAGIC) or is_armoured(head)


def _dearmoured_start(head: bytes) -> bytes:
    """The binary age bytes that the whole base64 lines of ``head`` (an armoured file's start)
    encode: enough for the header checks. Armour lines are 64 characters, so each decodes on its
    own."""
    lines = head.split(b"\n")[1:]
    if lines and not head.endswith(b"\n"):
        lines = lines[:-1]  # cut by the read, not by the file: left for the next read
    out = bytearray()
    for line in lines:
        line = line.rstrip(b"\r")
        if line.startswith(ARMOR_END):
            break
        try:
            out += base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise EnvelopeError(
                "corrupted",
                "the armoured file is damaged: a line of its armour is not base64",
            ) from None
    return bytes(out)


def _armour_ends(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(max(0, Path(path).stat().st_size - 128))
        return f.read().rstrip().endswith(ARMOR_END)


def check_header(path: Path) -> None:
    """What the server can check without a key: an age v1 file with an X25519 stanza, binary or
    armoured (then also: the armour's closing line is there)."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if is_armoured(head):
        if not _armour_ends(path):
            raise EnvelopeError(
                "truncated",
                "the armoured file has no closing line (-----END AGE ENCRYPTED FILE-----): "
                "it is truncated",
            )
        head = _dearmoured_start(head)
        if not head.startswith(AGE_MAGIC):
            raise EnvelopeError(
                "not_age", "the armoured file does not hold an age file: it is not a bid"
            )
    if not looks_like_age(head):
        raise EnvelopeError(
            "not_age",
            "this file is not an encrypted bid (it is not in the age "
            "format); encrypt the bid with the LPSE page or "
            "`lpse apendo encrypt` before uploading",
        )
    if b"\n-> X25519 " not in head:
        raise EnvelopeError(
            "not_x25519",
            "this age file is not encrypted to a tender key (it has no X25519 recipient)",
        )
    if b"\n--- " not in head:
        raise EnvelopeError("truncated", "the file ends inside its header: it is truncated")


@dataclass
class OpenedEnvelope:
    offer: Offer
    documents: dict[str, bytes]


def decrypt(path: Path, identity: x25519.Identity, *, tender_code: str) -> OpenedEnvelope:
    """The whole bid in memory: the offer and every document's bytes (for small bids and
    diagnosis; the opening ceremony streams with ``opened``)."""
    with opened(path, identity, tender_code=tender_code) as bid:
        return OpenedEnvelope(
            offer=bid.offer, documents={name: f.read() for name, f in bid.documents()}
        )


# A bid up to this size is decrypted in memory; a larger one into a temporary file.
IN_MEMORY_BYTES = 32 * 1024 * 1024


@dataclass
class OpenedArchive:
    offer: Offer
    _tar: tarfile.TarFile
    _members: list[tarfile.TarInfo]

    # The decrypted archive when it is in memory (a view of a bytes object, which a view
    # still held after the block does not stop from being freed, as it would a BytesIO from
    # closing): documents are then read from it in place.
    _buffer: memoryview | None = None

    def documents(self) -> Iterator[tuple[str, BinaryIO]]:
        """(name, readable stream) of each document, in the archive's order. From a bid in
        memory a stream's ``read(n)`` gives views of the archive's own bytes (no copy: the
        opening hashes and writes 10 MiB a bid from them)."""
        for member in self._members:
            name = member.name.removeprefix("documents/")
            if self._buffer is None or member.issparse():
                yield name, self._tar.extractfile(member)
                continue
            end = member.offset_data + member.size
            if end > len(self._buffer):
                raise tarfile.ReadError(f"unexpected end of data in {member.name}")
            yield name, _InPlace(self._buffer[member.offset_data : end])


class _InPlace:
    """A document inside the decrypted archive in memory, read without copying it."""

    def __init__(self, view: memoryview):
        self._view, self._at = view, 0

    def read(self, size: int = -1):
        stop = len(self._view) if size < 0 else min(self._at + size, len(self._view))
        chunk = self._view[self._at : stop]
        self._at = stop
        return bytes(chunk) if size < 0 else chunk


class _HashingReader:
    """Passes every byte pyrage reads through ``hasher``, so a stored file is hashed in the same
    pass that decrypts it."""

    def __init__(self, raw: BinaryIO, hasher):
        self.raw, self.hasher = raw, hasher

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.hasher.update(data)
        return data


@contextmanager
def opened(
    path: Path,
    identity: x25519.Identity,
    *,
    tender_code: str,
    ciphertext_hash=None,
    tmp_dir: Path | None = None,
) -> Iterator[OpenedArchive]:
    """Decrypt with ``pyrage.decrypt_io`` (streaming) into memory, or into an unnamed temporary
    file for a bid larger than IN_MEMORY_BYTES, and read the archive from there: memory stays
    bounded whatever the bid's size, and the plaintext is gone when the block ends. With
    ``ciphertext_hash`` (a hashlib object) every byte of the stored file goes through it, so on
    entering the block it holds the whole file's digest: one read of the file does both."""
    small = Path(path).stat().st_size <= IN_MEMORY_BYTES
    # Not a SpooledTemporaryFile: age writes in 8 KiB pieces, and its Python-level write() per
    # piece costs more than the choice made here once.
    with (
        open(path, "rb") as f,
        io.BytesIO() if small else tempfile.TemporaryFile(dir=tmp_dir) as plain,
    ):
        head = f.read(len(ARMOR_BEGIN) + 64)
        f.seek(0)
        source = _HashingReader(f, ciphertext_hash) if ciphertext_hash is not None else f
        try:
            # age reads through the armour of an armoured file itself (as `age -d` does).
            pyrage.decrypt_io(source, plain, [identity])
        except (pyrage.DecryptError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # a real I/O error, not a bad envelope
            if is_armoured(head) and not _armour_ends(Path(path)):
                raise EnvelopeError(
                    "truncated", "the file is truncated: its end is missing"
                ) from None
            raise EnvelopeError(*_decrypt_failure(head, str(exc))) from None
        if ciphertext_hash is not None:
            while rest := f.read(1024 * 1024):  # age stops at its last chunk: hash any tail too
                ciphertext_hash.update(rest)
        plain.seek(0)
        try:
            with tarfile.open(fileobj=plain, mode="r:") as tar:
                members = [m for m in tar.getmembers() if m.isfile()]
                by_name = {m.name: m for m in members}
                if OFFER_NAME not in by_name:
                    raise EnvelopeError("bad_offer", "the bid has no offer.json")
                offer = Offer.from_json(tar.extractfile(by_name[OFFER_NAME]).read())
                if offer.tender != tender_code:
                    raise EnvelopeError(
                        "wrong_tender",
                        f"the offer inside is for tender {offer.tender}, not {tender_code}",
                    )
                # A name given twice counts once, the last copy (as tar -x leaves it).
                documents = [m for name, m in by_name.items() if name.startswith("documents/")]
                yield OpenedArchive(
                    offer=offer,
                    _tar=tar,
                    _members=documents,
                    # getvalue() hands over the BytesIO's own bytes, not a copy.
                    _buffer=memoryview(plain.getvalue()) if isinstance(plain, io.BytesIO) else None,
                )
        except tarfile.TarError as exc:
            raise EnvelopeError(
                "bad_archive", f"the decrypted bid is not a readable archive: {exc}"
            ) from None


def _decrypt_failure(data: bytes, detail: str) -> tuple[str, str]:
    """Plain words for why age refused the file (R-3.1)."""
    lowered = detail.lower()
    if not looks_like_age(data):
        return "not_age", "the file is not an encrypted bid (not in the age format)"
    if "no matching keys" in lowered or "no identity matched" in lowered:
        return "wrong_key", (
            "the file was encrypted to another key: not this tender's (a bid "
            "for another tender, or encrypted with a wrong public key)"
        )
    if (
        "truncat" in lowered
        or "unexpected eof" in lowered
        or "failed to fill whole buffer" in lowered
        or "incomplete header" in lowered
    ):
        return "truncated", "the file is truncated: its end is missing"
    return "corrupted", f"the file is damaged: its contents fail the integrity check ({detail})"
