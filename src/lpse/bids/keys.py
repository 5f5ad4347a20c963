"""Tender keys opened only by k of n committee members (R-9.2).

A tender's bids are encrypted to an age X25519 recipient. Its identity (the private key) is
never stored: it is encrypted ("wrapped") with a 16-byte wrapping key W, and W is split with
Shamir's scheme into n shares, any k of which rebuild it. Each share is sealed with age to one
committee member's personal opening key. What the database holds — the recipient, the wrapped
identity, the sealed shares — opens nothing without k members unlocking their shares.

Shamir over 16 bytes cannot tell a wrong combination (k−1 shares, a share of another tender)
from a right one: it silently yields another W. The wrapping is authenticated
(ChaCha20-Poly1305, with the tender code and recipient as associated data), so a wrong W is
caught there and reported, never used.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

import pyrage
from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyrage import x25519

WRAP_VERSION = "lpse-tender-key-v1"


class TenderKeyError(Exception):
    """A key operation failed; the message says why in plain words."""


def _wrapping_aead(w: bytes, *, tender_code: str, recipient: str) -> ChaCha20Poly1305:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"{WRAP_VERSION}|{tender_code}|{recipient}".encode(),
    ).derive(w)
    return ChaCha20Poly1305(key)


def _aad(tender_code: str, recipient: str) -> bytes:
    return f"{WRAP_VERSION}|{tender_code}|{recipient}".encode()


@dataclass(frozen=True)
class SealedShare:
    index: int
    member_recipient: str
    sealed: str  # base64 of the age file that holds the share


@dataclass(frozen=True)
class TenderKeyMaterial:
    """Everything that may be stored: nothing here decrypts a bid."""

    recipient: str
    wrapped_identity: str  # base64(nonce || ciphertext)
    threshold: int
    shares: list[SealedShare]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": WRAP_VERSION,
                "recipient": self.recipient,
                "wrapped_identity": self.wrapped_identity,
                "threshold": self.threshold,
                "shares": [
                    {"index": s.index, "member_recipient": s.member_recipient, "sealed": s.sealed}
                    for s in self.shares
                ],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> TenderKeyMaterial:
        try:
            data = json.loads(text)
            if data.get("format") != WRAP_VERSION:
                raise TenderKeyError(f"not an LPSE tender key file ({WRAP_VERSION})")
            return cls(
                recipient=data["recipient"],
                wrapped_identity=data["wrapped_identity"],
                threshold=int(data["threshold"]),
                shares=[
                    SealedShare(int(s["index"]), s["member_recipient"], s["sealed"])
                    for s in data["shares"]
                ],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise TenderKeyError(f"the tender key file is malformed: {exc}") from None


def generate(
    *, tender_code: str, threshold: int, member_recipients: list[str]
) -> TenderKeyMaterial:
    """Make a tender key and seal one share to each member; the identity and W are dropped."""
    n = len(member_recipients)
    if not 1 <= threshold <= n:
        raise TenderKeyError(f"k must be between 1 and the number of members ({n})")
    recipients = []
    for text in member_recipients:
        try:
            recipients.append(x25519.Recipient.from_str(text))
        except Exception:
            raise TenderKeyError(f"“{text[:20]}…” is not an age X25519 recipient (age1…)") from None
    identity = x25519.Identity.generate()
    recipient = str(identity.to_public())
    w = os.urandom(16)
    nonce = os.urandom(12)
    wrapped = nonce + _wrapping_aead(w, tender_code=tender_code, recipient=recipient).encrypt(
        nonce, str(identity).encode(), _aad(tender_code, recipient)
    )
    shares = []
    # Shamir in pycryptodome needs k ≥ 2; with k = 1 every member simply holds W.
    raw = Shamir.split(threshold, n, w) if threshold >= 2 else [(i + 1, w) for i in range(n)]
    for (index, share), member, text in zip(raw, recipients, member_recipients, strict=True):
        payload = json.dumps(
            {
                "format": WRAP_VERSION,
                "tender": tender_code,
                "recipient": recipient,
                "index": index,
                "threshold": threshold,
                "share": base64.b64encode(share).decode(),
            }
        ).encode()
        sealed = base64.b64encode(pyrage.encrypt(payload, [member])).decode()
        shares.append(SealedShare(index=index, member_recipient=text, sealed=sealed))
    del identity, w
    return TenderKeyMaterial(
        recipient=recipient,
        wrapped_identity=base64.b64encode(wrapped).decode(),
        threshold=threshold,
        shares=shares,
    )


@dataclass(frozen=True)
class UnlockedShare:
    tender_code: str
    recipient: str
    index: int
    threshold: int
    value: bytes


def unseal_share(sealed: str, member_identity: str) -> UnlockedShare:
    try:
        identity = x25519.Identity.from_str(member_identity.strip())
    except Exception:
        raise TenderKeyError(
            "this is not an age identity (it starts with AGE-SECRET-KEY-1)"
        ) from None
    try:
        payload = json.loads(pyrage.decrypt(base64.b64decode(sealed), [identity]))
    except pyrage.DecryptError:
        raise TenderKeyError(
            "this opening key does not unlock this share (it belongs to someone "
            "else, or is another key of yours)"
        ) from None
    return UnlockedShare(
        tender_code=payload["tender"],
        recipient=payload["recipient"],
        index=int(payload["index"]),
        threshold=int(payload["threshold"]),
        value=base64.b64decode(payload["share"]),
    )


def combine(
    shares: list[UnlockedShare], *, tender_code: str, recipient: str, wrapped_identity: str
) -> x25519.Identity:
    """Rebuild the tender identity from k shares, or say why not."""
    foreign = [s.index for s in shares if s.tender_code != tender_code or s.recipient != recipient]
    if foreign:
        raise TenderKeyError("a share belongs to another tender")
    if not shares:
        raise TenderKeyError("no shares")
    threshold = shares[0].threshold
    if len({s.index for s in shares}) < threshold:
        raise TenderKeyError(f"{len({s.index for s in shares})} of the {threshold} shares needed")
    distinct = list({s.index: s for s in shares}.values())[:threshold]
    w = (
        Shamir.combine([(s.index, s.value) for s in distinct])
        if threshold >= 2
        else distinct[0].value
    )
    blob = base64.b64decode(wrapped_identity)
    try:
        identity_text = (
            _wrapping_aead(w, tender_code=tender_code, recipient=recipient)
            .decrypt(blob[:12], blob[12:], _aad(tender_code, recipient))
            .decode()
        )
    except InvalidTag:
        raise TenderKeyError(
            "the shares do not combine into this tender's key (a wrong or altered share)"
        ) from None
    identity = x25519.Identity.from_str(identity_text)
    if str(identity.to_public()) != recipient:
        raise TenderKeyError("the rebuilt key does not match the tender's public key")
    return identity


# --- personal opening keys -------------------------------------------------------------------------


def personal_key_from_passphrase(passphrase: str) -> tuple[str, str]:
    """A member's opening key protected by their passphrase: returns (recipient, sealed identity).
    The server sees the passphrase once, while sealing; members who prefer can instead register
    the recipient of an age key they made themselves (``age-keygen``)."""
    identity = x25519.Identity.generate()
    sealed = base64.b64encode(
        pyrage.passphrase.encrypt(str(identity).encode(), passphrase)
    ).decode()
    return str(identity.to_public()), sealed


def personal_identity_from_passphrase(sealed_identity: str, passphrase: str) -> str:
    try:
        return pyrage.passphrase.decrypt(base64.b64decode(sealed_identity), passphrase).decode()
    except pyrage.DecryptError:
        raise TenderKeyError("wrong passphrase") from None


def check_recipient(text: str) -> str:
    text = text.strip()
    try:
        x25519.Recipient.from_str(text)
    except Exception:
        raise TenderKeyError("this is not an age X25519 public key (it starts with age1)") from None
    return text
