"""Signed bid receipts (R-9.3): verifiable offline with the LPSE's published Ed25519 key.

The receipt is a JSON object; its signature covers the canonical JSON of every field but
``signature`` (sorted keys, no spaces, UTF-8). ``lpse apendo verify-receipt`` checks it with
the public key from ``/api/v1/receipt-key`` (PEM), with no access to the server.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

RECEIPT_FORMAT = "lpse-bid-receipt-v1"


def _key_path() -> Path:
    configured = getattr(settings, "LPSE_SIGNING_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "receipt_signing_key.pem"


def signing_key() -> Ed25519PrivateKey:
    """The LPSE's receipt key: generated once into the data folder unless one is configured."""
    path = _key_path()
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def canonical(fields: dict) -> bytes:
    body = {k: v for k, v in fields.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(fields: dict) -> dict:
    body = {"format": RECEIPT_FORMAT, **fields}
    body["signature"] = base64.b64encode(signing_key().sign(canonical(body))).decode()
    return body


class ReceiptInvalid(Exception):
    pass


def verify(receipt: dict, public_pem: str) -> None:
    """Raise ReceiptInvalid, saying why, unless the receipt was signed by this key unchanged."""
    if receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptInvalid("not an LPSE bid receipt")
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
        assert isinstance(key, Ed25519PublicKey)
        signature = base64.b64decode(receipt["signature"])
    except (ValueError, KeyError, AssertionError, TypeError):
        raise ReceiptInvalid("the public key or the signature is malformed") from None
    try:
        key.verify(signature, canonical(receipt))
    except InvalidSignature:
        raise ReceiptInvalid(
            "the signature does not match: the receipt was altered or was not issued with this key"
        ) from None


def envelope_claim(receipt: dict, *, bid_pk: int, tender_code: str) -> tuple[str, int]:
    """The SHA-256 and size of the envelope a bid's receipt names, once the receipt is proven
    to be this bid's, on this tender, signed by this LPSE and unchanged (R-9.9). Raises
    ReceiptInvalid, saying why. The opening trusts this, not the blob row the bid points at:
    anyone with write access to the database can point a bid at another file, nobody without
    the signing key can make a receipt for it."""
    verify(receipt, public_key_pem())
    if receipt.get("bid") != bid_pk or receipt.get("tender") != tender_code:
        raise ReceiptInvalid("the receipt belongs to another bid")
    sha256, size = receipt.get("sha256"), receipt.get("size")
    if not isinstance(sha256, str) or not isinstance(size, int):
        raise ReceiptInvalid("the receipt names no envelope")
    return sha256, size
