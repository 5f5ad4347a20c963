"""The provider's signature on a bid (R-9.7; R-7.1: Apendo carries a digital identity).

Every envelope is signed with the company's own Ed25519 key, whose public half two verifiers
bound to the company (``lpse.providers.services.signing_keys``). The signed message is a short,
canonical ASCII text that binds the format, the tender, the company (its NPWP) and the envelope
(its SHA-256 and size) — defined here once; the bid page gets it from ``message_template`` and
fills in the two envelope lines, ``lpse apendo sign`` calls ``message``::

    lpse-bid-signature-v1\\n
    tender: 2026000001\\n
    provider-npwp: 012345678901000\\n
    envelope-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\\n
    envelope-size: 184320\\n

The signature is Ed25519 over those bytes (RFC 8032), in standard base64. A signature made for
another envelope, tender or company does not verify; nor does one made with any key but the one
bound to the company when the bid arrived. See docs/bid-envelope.md.

Also here: the *signature file* of the offline path (``lpse apendo sign`` writes it, the bid page
reads it) and the *key export file* — the private key sealed with an age passphrase, made by the
key page or ``lpse apendo signing-keygen``, opened by the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "lpse-bid-signature-v1"
KEY_EXPORT_FORMAT = "lpse-signing-key-v1"

_TOKEN = re.compile(r"[A-Za-z0-9._/-]{1,100}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class SignatureInvalid(Exception):
    """The signature does not hold; the message says why in plain words."""


def _checked(tender_code: str, npwp: str) -> None:
    # Neither may carry a line break or a space: the message must read one way only.
    if not _TOKEN.fullmatch(tender_code or ""):
        raise ValueError(f"not a tender code: {tender_code!r}")
    if not (npwp or "").isdigit():
        raise ValueError(f"not an NPWP (digits only): {npwp!r}")


def message_template(*, tender_code: str, npwp: str) -> str:
    """The message with ``{sha256}`` and ``{size}`` left to fill: what the bid page signs once
    it has hashed the envelope it streams."""
    _checked(tender_code, npwp)
    return (
        f"{FORMAT}\n"
        f"tender: {tender_code}\n"
        f"provider-npwp: {npwp}\n"
        "envelope-sha256: {sha256}\n"
        "envelope-size: {size}\n"
    )


def message(*, tender_code: str, npwp: str, sha256: str, size: int) -> bytes:
    """The exact bytes a bid's signature covers."""
    if not _SHA256.fullmatch(sha256 or ""):
        raise ValueError("the envelope SHA-256 must be 64 lower-case hex digits")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ValueError("the envelope size must be a positive whole number of bytes")
    template = message_template(tender_code=tender_code, npwp=npwp)
    return template.replace("{sha256}", sha256).replace("{size}", str(size)).encode("ascii")


def public_key_of(private_key: Ed25519PrivateKey) -> str:
    """The raw public key, base64: what the key page proposes and the database keeps."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def sign(
    private_key: Ed25519PrivateKey, *, tender_code: str, npwp: str, sha256: str, size: int
) -> str:
    """The base64 signature of an envelope (the CLI and the tests; the browser does the same
    with WebCrypto)."""
    data = message(tender_code=tender_code, npwp=npwp, sha256=sha256, size=size)
    return base64.b64encode(private_key.sign(data)).decode()


def verify(
    *, public_key: str, signature: str, tender_code: str, npwp: str, sha256: str, size: int
) -> None:
    """Raise SignatureInvalid unless ``signature`` is the key's signature over this envelope,
    for this tender and company. ``public_key``: the raw 32 bytes, base64."""
    try:
        raw_signature = base64.b64decode((signature or "").strip(), validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
    except (binascii.Error, ValueError):
        raise SignatureInvalid("the signature or the key is not readable (not base64)") from None
    if len(raw_signature) != 64:
        raise SignatureInvalid(
            f"the signature has {len(raw_signature)} bytes; an Ed25519 signature has 64"
        )
    try:
        key.verify(
            raw_signature, message(tender_code=tender_code, npwp=npwp, sha256=sha256, size=size)
        )
    except InvalidSignature:
        raise SignatureInvalid(
            "the signature does not verify with the company's key: it was made for another "
            "envelope, tender or company, or with another key"
        ) from None


# --- the signature file of the offline path ----------------------------------------------------


def signature_file(
    private_key: Ed25519PrivateKey, *, tender_code: str, npwp: str, sha256: str, size: int
) -> str:
    """``bid.age.sig``: the signature with what it covers, so the bid page can say *which*
    envelope a wrong file was made for before sending the last byte."""
    return json.dumps(
        {
            "format": FORMAT,
            "tender": tender_code,
            "provider_npwp": npwp,
            "sha256": sha256,
            "size": size,
            "public_key": public_key_of(private_key),
            "signature": sign(
                private_key, tender_code=tender_code, npwp=npwp, sha256=sha256, size=size
            ),
        },
        indent=2,
    )


# --- the key export file ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedKey:
    private_key: Ed25519PrivateKey
    public_key: str  # raw, base64
    company: str
    npwp: str


def key_export(
    private_key: Ed25519PrivateKey, *, company: str, npwp: str, passphrase: str
) -> bytes:
    """The private key as the key page exports it: JSON (the PKCS #8 key, its public half, whose
    it is) sealed with an age passphrase (scrypt)."""
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    payload = json.dumps(
        {
            "format": KEY_EXPORT_FORMAT,
            "company": company,
            "npwp": npwp,
            "public_key": public_key_of(private_key),
            "private_key_pkcs8": base64.b64encode(pkcs8).decode(),
        }
    ).encode()
    return pyrage.passphrase.encrypt(payload, passphrase)


def key_from_export(data: bytes, passphrase: str) -> ExportedKey:
    """The key inside an export file, or ValueError saying why it does not open."""
    try:
        payload = json.loads(pyrage.passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError:
        raise ValueError(
            "the passphrase is wrong, or the file is not a key export file (age, passphrase)"
        ) from None
    except ValueError:
        raise ValueError("the export file does not hold a key (not JSON inside)") from None
    if not isinstance(payload, dict) or payload.get("format") != KEY_EXPORT_FORMAT:
        raise ValueError(f"not an LPSE signing key export file ({KEY_EXPORT_FORMAT})")
    try:
        key = serialization.load_der_private_key(
            base64.b64decode(payload["private_key_pkcs8"]), password=None
        )
    except (KeyError, ValueError, TypeError, binascii.Error):
        raise ValueError("the export file's key is damaged") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the export file holds a key that is not Ed25519")
    if public_key_of(key) != payload.get("public_key"):
        raise ValueError("the export file's public key does not belong to its private key")
    return ExportedKey(
        private_key=key,
        public_key=payload["public_key"],
        company=str(payload.get("company", "")),
        npwp=str(payload.get("npwp", "")),
    )
