"""age files sealed with a passphrase at a fixed scrypt work factor (age v1, the scrypt stanza).

``pyrage.passphrase.encrypt`` picks the work factor by timing this machine (about a second):
on a slow or loaded machine it chooses less than the 2^15 that ``opening_keys`` accepts, and
pyrage's decryption in turn refuses factors far above what the machine manages now — so a key
sealed by the demo loader at one moment could be refused at the next. Sealing here uses the
factor asked for; pyrage (or any age implementation) decrypts the result.

Format (https://age-encryption.org/v1): header ``age-encryption.org/v1``, one stanza
``-> scrypt <salt> <log2 N>`` whose body is the file key wrapped with ChaCha20-Poly1305 under
scrypt(passphrase), the header's HMAC, then the payload in 64 KiB ChaCha20-Poly1305 chunks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION_LINE = b"age-encryption.org/v1"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
CHUNK = 64 * 1024
DEFAULT_LOG_N = 15  # the least that opening_keys accepts: ~32 MiB and well under a second


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def encrypt(plaintext: bytes, passphrase: str, *, log_n: int = DEFAULT_LOG_N) -> bytes:
    """A binary age file of ``plaintext`` for ``passphrase``, scrypt work factor 2^``log_n``."""
    file_key = os.urandom(16)
    salt = os.urandom(16)
    wrap_key = hashlib.scrypt(
        passphrase.encode(),
        salt=SCRYPT_LABEL + salt,
        n=2**log_n,
        r=8,
        p=1,
        maxmem=256 * 8 * 2**log_n,  # twice scrypt's 128·r·N bytes
        dklen=32,
    )
    body = ChaCha20Poly1305(wrap_key).encrypt(bytes(12), file_key, None)
    header = b"%s\n-> scrypt %s %d\n%s\n---" % (VERSION_LINE, _b64(salt), log_n, _b64(body))
    mac = hmac.new(_hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
    nonce = os.urandom(16)
    payload = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i : i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    sealed = [
        payload.encrypt(
            n.to_bytes(11, "big") + (b"\x01" if n == len(chunks) - 1 else b"\x00"), c, None
        )
        for n, c in enumerate(chunks)
    ]
    return header + b" " + _b64(mac) + b"\n" + nonce + b"".join(sealed)
