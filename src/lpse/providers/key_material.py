"""A company's Ed25519 signing public key as it travels (R-9.7): 32 raw bytes in standard
base64, and its fingerprint, the SHA-256 of those bytes, which people compare by eye or read out
at the verifier's counter. Pure functions, no database: the model, the services, the bids app
(through ``selectors``) and the offline CLI share one definition."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

RAW_KEY_BYTES = 32


class KeyMaterialError(ValueError):
    """Not an Ed25519 public key; the message says what was given instead."""


def public_key_bytes(text: str) -> bytes:
    """The 32 raw bytes of a public key given as base64, or KeyMaterialError saying why not."""
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError("the public key is not base64 text") from None
    if len(raw) != RAW_KEY_BYTES:
        raise KeyMaterialError(
            f"the public key has {len(raw)} bytes; an Ed25519 key has {RAW_KEY_BYTES}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise KeyMaterialError("the bytes are not an Ed25519 public key") from None
    return raw


def public_key_text(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def fingerprint(raw: bytes) -> str:
    """SHA-256 of the raw key, 64 lower-case hex digits (what the database keeps)."""
    return hashlib.sha256(raw).hexdigest()


def grouped(fingerprint_hex: str) -> str:
    """``3F2A 91BC …``: 16 groups of four, upper case, the form printed and read out."""
    text = fingerprint_hex.upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalized_fingerprint(typed: str) -> str:
    """What a person typed from the printed fingerprint, with spaces, colons and dashes taken out
    and lower-cased, for comparison with ``fingerprint``."""
    return "".join(ch for ch in (typed or "") if ch not in " :-\t\r\n").lower()
