"""The LPSE's Ed25519 signing key and signed JSON: bid receipts (R-9.3), signed tree heads of the
transparency log (R-9.8). Verifiable offline with the published public key (PEM), whose
fingerprint (SHA-256 of the raw 32-byte key) is printed wherever something is signed.

A signed JSON object carries ``signature``: Ed25519 over the canonical JSON of every other field
(sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SignatureInvalid(Exception):
    """The object was not signed by the key, or was changed since; the message says which."""


def _key_path() -> Path:
    configured = getattr(settings, "LPSE_SIGNING_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "receipt_signing_key.pem"


def signing_key() -> Ed25519PrivateKey:
    """The LPSE's key: generated once into the data folder unless one is configured."""
    path = _key_path()
    if not path.exists():
        new = Ed25519PrivateKey.generate()
        path.write_bytes(
            new.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key (LPSE_SIGNING_KEY_FILE)")
    return loaded


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def fingerprint(public_pem: str | None = None) -> str:
    """SHA-256 of the raw public key, hex: what a person compares with the operator guide."""
    key = serialization.load_pem_public_key((public_pem or public_key_pem()).encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def canonical(fields: dict) -> bytes:
    body = {k: v for k, v in fields.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_json(fields: dict) -> dict:
    """``fields`` with its ``signature`` added."""
    body = dict(fields)
    body["signature"] = base64.b64encode(signing_key().sign(canonical(body))).decode()
    return body


def verify_json(signed: dict, public_pem: str) -> None:
    """Raise SignatureInvalid, saying why, unless ``signed`` was signed by this key unchanged."""
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        signature = base64.b64decode(signed["signature"])
    except (ValueError, KeyError, TypeError):
        raise SignatureInvalid("the public key or the signature is malformed") from None
    try:
        key.verify(signature, canonical(signed))
    except InvalidSignature:
        raise SignatureInvalid(
            "the signature does not match: it was altered or was not signed with this key"
        ) from None
