"""Signed bid receipts (R-9.3): verifiable offline with the LPSE's published Ed25519 key.

The receipt is a JSON object; its signature covers the canonical JSON of every field but
``signature`` (sorted keys, no spaces, UTF-8). ``lpse apendo verify-receipt`` checks it with
the public key from ``/api/v1/receipt-key`` (PEM), with no access to the server.
"""

from __future__ import annotations

from lpse.core.signing import SignatureInvalid, canonical, public_key_pem, sign_json, verify_json

RECEIPT_FORMAT = "lpse-bid-receipt-v1"

__all__ = ["ReceiptInvalid", "canonical", "envelope_claim", "public_key_pem", "sign", "verify"]


def sign(fields: dict) -> dict:
    return sign_json({"format": RECEIPT_FORMAT, **fields})


class ReceiptInvalid(Exception):
    pass


def verify(receipt: dict, public_pem: str) -> None:
    """Raise ReceiptInvalid, saying why, unless the receipt was signed by this key unchanged."""
    if receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptInvalid("not an LPSE bid receipt")
    try:
        verify_json(receipt, public_pem)
    except SignatureInvalid as exc:
        raise ReceiptInvalid(str(exc)) from None


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
