"""Tender keys made on the server before December 2026 (``lpse-tender-key-v1``).

The server generated those keys at publication, so it saw each identity for a moment (the
attack of issue 12). They still open: 16-byte W split with pycryptodome's Shamir over
GF(2^128), the identity wrapped with ChaCha20-Poly1305. Their tender pages say how the key was
made, and a committee may replace it with a browser-made key while no bid has arrived
(``tender_key_import``). Nothing here makes a new key.
"""

from __future__ import annotations

import base64

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "lpse-tender-key-v1"


class LegacyKeyError(Exception):
    pass


def unwrap(
    shares: list[tuple[int, bytes]],
    *,
    threshold: int,
    tender_code: str,
    recipient: str,
    wrapped_identity: str,
) -> str:
    """The identity text from k (index, value) shares of a v1 key."""
    distinct = list(dict(shares).items())
    if len(distinct) < threshold:
        raise LegacyKeyError(f"{len(distinct)} of the {threshold} shares needed")
    chosen = distinct[:threshold]
    w = Shamir.combine(chosen) if threshold >= 2 else chosen[0][1]
    info = f"{FORMAT}|{tender_code}|{recipient}".encode()
    aead = ChaCha20Poly1305(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(w)
    )
    blob = base64.b64decode(wrapped_identity)
    try:
        return aead.decrypt(blob[:12], blob[12:], info).decode()
    except InvalidTag:
        raise LegacyKeyError(
            "the shares do not combine into this tender's key (a wrong or altered share)"
        ) from None
