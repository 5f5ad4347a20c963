"""Tender keys opened only by k of n committee members (R-9.2), made off the server (R-9.9).

A tender's bids are encrypted to an age X25519 recipient. Its identity (the private key) is
never stored: it is encrypted ("wrapped") with a 32-byte wrapping key W, and W is split with
Shamir's scheme into n shares, any k of which rebuild it. Each share is sealed with age to one
committee member's opening key. What the server holds — the recipient, the wrapped identity, the
sealed shares — opens nothing without k members unlocking their shares.

The key is made and split in a committee member's browser (``static/lpse/tender-key.js``) or
offline (``lpse apendo keygen``, which calls :func:`generate`); both write the same
``lpse-tender-key-v2`` material, documented in ``docs/tender-keys.md``:

- Shamir over GF(2^8) as the audited ``shamir-secret-sharing`` JS package does it; the server's
  combine is the port in :mod:`lpse.bids.shamir`. That package needs k ≥ 2; with k = 1 each
  member's share *is* W (the key sealed to each member directly).
- W → HKDF-SHA256 (empty salt, info = format|tender|recipient) → AES-256-GCM over the identity
  with the same info as associated data: both exist in WebCrypto and in ``cryptography``, and a
  wrong W (k−1 shares, an altered share) fails authentication instead of yielding a wrong key.
- Each share carries a commitment, SHA-256(info|index|share): stored and written to the
  transparency log when the key is stored, so an altered share is refused and *named* at the unlock.

Tenders published before this change hold ``lpse-tender-key-v1`` keys made on the server
(:mod:`lpse.bids.keys_legacy`); they still open, and may be re-keyed while no bid has arrived.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass

import pyrage
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyrage import x25519

from lpse.bids import keys_legacy, shamir

FORMAT = "lpse-tender-key-v2"
FORMATS = (FORMAT, keys_legacy.FORMAT)
W_BYTES = 32


class TenderKeyError(Exception):
    """A key operation failed; the message says why in plain words."""


def _info(tender_code: str, recipient: str) -> bytes:
    return f"{FORMAT}|{tender_code}|{recipient}".encode()


def _wrapping(w: bytes, *, tender_code: str, recipient: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"", info=_info(tender_code, recipient)
    ).derive(w)
    return AESGCM(key)


def share_commitment(*, tender_code: str, recipient: str, index: int, value: bytes) -> str:
    return hashlib.sha256(_info(tender_code, recipient) + f"|{index}|".encode() + value).hexdigest()


def sealed_digest(sealed: str) -> str:
    """The SHA-256 of a sealed share as stored: logged when the key is stored, checked at the unlock."""
    return hashlib.sha256(sealed.encode()).hexdigest()


@dataclass(frozen=True)
class SealedShare:
    index: int
    member_recipient: str
    sealed: str  # base64 of the age file that holds the share payload
    commitment: str = ""


@dataclass(frozen=True)
class TenderKeyMaterial:
    """Everything that may reach the server: nothing here decrypts a bid."""

    tender: str
    recipient: str
    wrapped_identity: str  # base64(nonce || ciphertext)
    threshold: int
    shares: list[SealedShare]
    format: str = FORMAT

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "tender": self.tender,
                "recipient": self.recipient,
                "wrapped_identity": self.wrapped_identity,
                "threshold": self.threshold,
                "shares": [
                    {
                        "index": s.index,
                        "member_recipient": s.member_recipient,
                        "sealed": s.sealed,
                        "commitment": s.commitment,
                    }
                    for s in self.shares
                ],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> TenderKeyMaterial:
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise TenderKeyError(
                    f"this is not an LPSE tender key file ({FORMAT}); make it again with the "
                    "tender's key page or lpse apendo keygen"
                )
            material = cls(
                tender=str(data["tender"]),
                recipient=check_recipient(str(data["recipient"])),
                wrapped_identity=str(data["wrapped_identity"]),
                threshold=int(data["threshold"]),
                shares=[
                    SealedShare(
                        int(s["index"]),
                        check_recipient(str(s["member_recipient"])),
                        str(s["sealed"]),
                        str(s["commitment"]).lower(),
                    )
                    for s in data["shares"]
                ],
            )
            wrapped = base64.b64decode(material.wrapped_identity, validate=True)
            for share in material.shares:
                base64.b64decode(share.sealed, validate=True)
                int(share.commitment, 16)
                if len(share.commitment) != 64:
                    raise ValueError(f"share {share.index} has no SHA-256 commitment")
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise TenderKeyError(f"the tender key file is malformed: {exc}") from None
        if len(wrapped) < 12 + 16 + 60:
            raise TenderKeyError("the tender key file is malformed: the wrapped key is too short")
        return material


def generate(
    *, tender_code: str, threshold: int, member_recipients: list[str]
) -> TenderKeyMaterial:
    """The offline ceremony, as the browser does it: make a key, split W, seal one share to each
    member; the identity and W are dropped when this returns."""
    n = len(member_recipients)
    if not 1 <= threshold <= n:
        raise TenderKeyError(f"k must be between 1 and the number of members ({n})")
    recipients = [x25519.Recipient.from_str(check_recipient(text)) for text in member_recipients]
    identity = x25519.Identity.generate()
    recipient = str(identity.to_public())
    w = os.urandom(W_BYTES)
    nonce = os.urandom(12)
    info = _info(tender_code, recipient)
    wrapped = nonce + _wrapping(w, tender_code=tender_code, recipient=recipient).encrypt(
        nonce, str(identity).encode(), info
    )
    values = shamir.split(w, n, threshold) if threshold >= 2 else [w] * n
    shares = []
    for index, (value, member, text) in enumerate(
        zip(values, recipients, member_recipients, strict=True), start=1
    ):
        payload = share_payload(
            tender_code=tender_code,
            recipient=recipient,
            index=index,
            threshold=threshold,
            value=value,
        )
        shares.append(
            SealedShare(
                index=index,
                member_recipient=text,
                sealed=base64.b64encode(pyrage.encrypt(payload.encode(), [member])).decode(),
                commitment=share_commitment(
                    tender_code=tender_code, recipient=recipient, index=index, value=value
                ),
            )
        )
    del identity, w
    return TenderKeyMaterial(
        tender=tender_code,
        recipient=recipient,
        wrapped_identity=base64.b64encode(wrapped).decode(),
        threshold=threshold,
        shares=shares,
    )


def share_payload(*, tender_code: str, recipient: str, index: int, threshold: int, value: bytes):
    """What a sealed share holds, and what a member's device sends at the unlock."""
    return json.dumps(
        {
            "format": FORMAT,
            "tender": tender_code,
            "recipient": recipient,
            "index": index,
            "threshold": threshold,
            "share": base64.b64encode(value).decode(),
        }
    )


@dataclass(frozen=True)
class UnlockedShare:
    tender_code: str
    recipient: str
    index: int
    threshold: int
    value: bytes
    format: str = FORMAT


def parse_share(text: str) -> UnlockedShare:
    """A share as a member's device sends it (the decrypted payload of their sealed share)."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") not in FORMATS:
            raise ValueError("not an LPSE key share")
        return UnlockedShare(
            tender_code=str(data["tender"]),
            recipient=str(data["recipient"]),
            index=int(data["index"]),
            threshold=int(data["threshold"]),
            value=base64.b64decode(data["share"], validate=True),
            format=data["format"],
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise TenderKeyError(f"this is not a key share ({exc})") from None


def unseal_share(sealed: str, member_identity: str) -> UnlockedShare:
    """On the member's device (the CLI, the tests): decrypt a sealed share with their key."""
    return parse_share(opened_share_text(sealed, member_identity))


def opened_share_text(sealed: str, member_identity: str) -> str:
    """The share payload as the member's device sends it at the unlock."""
    try:
        identity = x25519.Identity.from_str(member_identity.strip())
    except Exception:
        raise TenderKeyError(
            "this is not an age identity (it starts with AGE-SECRET-KEY-1)"
        ) from None
    try:
        payload = pyrage.decrypt(base64.b64decode(sealed), [identity])
    except pyrage.DecryptError:
        raise TenderKeyError(
            "this opening key does not unlock this share (it belongs to someone "
            "else, or is another key of yours)"
        ) from None
    return payload.decode()


def combine(
    shares: list[UnlockedShare], *, tender_code: str, recipient: str, wrapped_identity: str
) -> x25519.Identity:
    """Rebuild the tender identity from k shares, or say why not."""
    if not shares:
        raise TenderKeyError("no shares")
    if any(s.tender_code != tender_code or s.recipient != recipient for s in shares):
        raise TenderKeyError("a share belongs to another tender")
    if shares[0].format == keys_legacy.FORMAT:
        try:
            identity_text = keys_legacy.unwrap(
                [(s.index, s.value) for s in shares],
                threshold=shares[0].threshold,
                tender_code=tender_code,
                recipient=recipient,
                wrapped_identity=wrapped_identity,
            )
        except keys_legacy.LegacyKeyError as exc:
            raise TenderKeyError(str(exc)) from None
    else:
        identity_text = _unwrap(
            shares, tender_code=tender_code, recipient=recipient, wrapped_identity=wrapped_identity
        )
    identity = x25519.Identity.from_str(identity_text)
    if str(identity.to_public()) != recipient:
        raise TenderKeyError("the rebuilt key does not match the tender's public key")
    return identity


def _unwrap(
    shares: list[UnlockedShare], *, tender_code: str, recipient: str, wrapped_identity: str
) -> str:
    threshold = shares[0].threshold
    distinct = list({s.index: s for s in shares}.values())
    if len(distinct) < threshold:
        raise TenderKeyError(f"{len(distinct)} of the {threshold} shares needed")
    try:
        w = (
            shamir.combine([s.value for s in distinct[:threshold]])
            if threshold >= 2
            else distinct[0].value
        )
    except shamir.ShamirError as exc:
        raise TenderKeyError(f"the shares do not fit together: {exc}") from None
    blob = base64.b64decode(wrapped_identity)
    try:
        return (
            _wrapping(w, tender_code=tender_code, recipient=recipient)
            .decrypt(blob[:12], blob[12:], _info(tender_code, recipient))
            .decode()
        )
    except InvalidTag:
        raise TenderKeyError(
            "the shares do not combine into this tender's key (a wrong or altered share)"
        ) from None


def check_recipient(text: str) -> str:
    text = text.strip()
    try:
        x25519.Recipient.from_str(text)
    except Exception:
        raise TenderKeyError("this is not an age X25519 public key (it starts with age1)") from None
    return text
