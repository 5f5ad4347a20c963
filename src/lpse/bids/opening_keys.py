"""Committee members' personal opening keys, sealed with a passphrase the server never sees.

A member's browser makes an age X25519 key, seals its secret part with the member's passphrase
(an age scrypt file) and sends only the public part and that sealed file; the browser judges the
passphrase's strength, since the server never has it. What the server can still do, outside
demo mode, is try the published demo passwords against the sealed file and refuse a match: a
member who kept the demo password would otherwise let anyone with the database open their
shares.
"""

from __future__ import annotations

import base64
import binascii
import re

import pyrage

from lpse.bids import age_passphrase

AGE_HEADER = b"age-encryption.org/v1\n"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
# age's own default is 2^18; browsers on old phones may choose less, nothing sane more.
SCRYPT_LOG_N = range(15, 23)


class OpeningKeyError(Exception):
    pass


def sealed_bytes(sealed: str) -> bytes:
    """The age file from its stored form: base64 of the binary file, or the armoured text."""
    text = sealed.strip()
    if text.startswith(ARMOR_BEGIN.decode()):
        return text.encode() + b"\n"
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise OpeningKeyError("the sealed key is neither base64 nor an armoured age file") from None


def check_sealed_identity(sealed: str) -> None:
    """The sealed key must be an age file with one scrypt stanza of a sane work factor: the
    only thing the server can check without the passphrase."""
    data = sealed_bytes(sealed)
    if data.startswith(ARMOR_BEGIN):
        body = b"".join(data.split(b"\n")[1:-2])
        try:
            data = base64.b64decode(body)
        except (ValueError, binascii.Error):
            raise OpeningKeyError("the armoured age file is damaged") from None
    if not data.startswith(AGE_HEADER):
        raise OpeningKeyError("the sealed key is not an age file")
    header = data[: data.find(b"\n---")].decode("ascii", "replace")
    stanzas = re.findall(r"^-> (\S+)(?: (.*))?$", header, flags=re.M)
    if len(stanzas) != 1 or stanzas[0][0] != "scrypt":
        raise OpeningKeyError("the sealed key must be sealed with a passphrase (one scrypt stanza)")
    parts = stanzas[0][1].split()
    if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) not in SCRYPT_LOG_N:
        raise OpeningKeyError(
            f"the passphrase work factor must be 2^{SCRYPT_LOG_N.start}…2^{SCRYPT_LOG_N.stop - 1}"
        )


def opens_with(sealed: str, passphrase: str) -> bool:
    try:
        pyrage.passphrase.decrypt(sealed_bytes(sealed), passphrase)
    except pyrage.DecryptError:
        return False
    return True


def seal_new_identity(passphrase: str) -> tuple[str, str]:
    """Offline only (the demo loader, the tests): what a member's browser does. Returns
    (recipient, sealed identity as base64)."""
    identity = pyrage.x25519.Identity.generate()
    # A fixed work factor, within SCRYPT_LOG_N on any machine (pyrage's own choice depends on
    # how busy the machine is: age_passphrase).
    sealed = age_passphrase.encrypt(str(identity).encode(), passphrase, log_n=SCRYPT_LOG_N.start)
    return str(identity.to_public()), base64.b64encode(sealed).decode()


def open_identity(sealed: str, passphrase: str) -> str:
    """Offline only: the member's device opening their sealed key."""
    try:
        return pyrage.passphrase.decrypt(sealed_bytes(sealed), passphrase).decode()
    except pyrage.DecryptError:
        raise OpeningKeyError("wrong passphrase") from None
