"""``lpse apendo signing-keygen`` and ``lpse apendo sign``: the provider's signing key and bid
signatures, offline (R-9.7, R-7.1). Neither touches the database nor the network.

    lpse apendo signing-keygen --company "CV Sinar Maros" --npwp 012345678901000 -o key.age
    lpse apendo sign --key key.age --tender CODE bid.age -o bid.age.sig

The key file is the same *export file* the key page of the site makes (the private key sealed
with an age passphrase), so a key made here can be imported into a browser and the other way
round. The passphrase is asked twice on the terminal, or read from ``--passphrase-file``.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import CommandError

from lpse.bids import signatures
from lpse.core.hashing import fingerprint_file
from lpse.providers.selectors import grouped_fingerprint, signing_key_fingerprint

MIN_PASSPHRASE = 12


def add_parsers(sub) -> None:
    gen = sub.add_parser(
        "signing-keygen", help="make the company's signing key pair offline (an export file)"
    )
    gen.add_argument("--company", required=True, help="the company's name, kept in the file")
    gen.add_argument("--npwp", required=True, help="the company's NPWP (digits)")
    gen.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")
    gen.add_argument("-o", "--output", required=True, type=Path)
    sig = sub.add_parser("sign", help="sign an envelope with the company's key (bid.age.sig)")
    sig.add_argument("--key", required=True, type=Path, help="the key export file")
    sig.add_argument("--passphrase-file", type=Path)
    sig.add_argument("--tender", required=True)
    sig.add_argument("--npwp", help="the company's NPWP (default: the one in the key file)")
    sig.add_argument("file", type=Path, help="the envelope (.age)")
    sig.add_argument("-o", "--output", type=Path, help="default: FILE.sig")


def _passphrase(path: Path | None, *, twice: bool) -> str:
    if path is not None:
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise CommandError(f"cannot read the passphrase file: {exc}") from None
        return lines[0] if lines else ""
    first = getpass.getpass("Passphrase for the key file: ")
    if twice and getpass.getpass("The passphrase again: ") != first:
        raise CommandError("the two passphrases differ; nothing was written")
    return first


def _npwp(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) not in (15, 16):
        raise CommandError(f"--npwp {text!r}: an NPWP has 15 or 16 digits")
    return digits


def signing_keygen(command, *, company, npwp, passphrase_file, output, **_) -> None:
    if output.exists():
        raise CommandError(f"{output} exists: choose another name (a key is never overwritten)")
    npwp = _npwp(npwp)
    passphrase = _passphrase(passphrase_file, twice=True)
    if len(passphrase) < MIN_PASSPHRASE:
        raise CommandError(
            f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters (four or "
            "five random words are best)"
        )
    key = Ed25519PrivateKey.generate()
    sealed = signatures.key_export(key, company=company, npwp=npwp, passphrase=passphrase)
    partial = output.with_suffix(output.suffix + ".part")
    partial.write_bytes(sealed)
    partial.chmod(0o600)
    partial.replace(output)
    public = signatures.public_key_of(key)
    command.stdout.write(
        f"{output}: the signing key of {company} (NPWP {npwp}), sealed with your passphrase.\n"
        f"public key (propose it on the site's signing key page): {public}\n"
        f"fingerprint (bring it to the LPSE verifier): "
        f"{grouped_fingerprint(signing_key_fingerprint(public))}"
    )


def sign(command, *, key, passphrase_file, tender, npwp, file, output, **_) -> None:
    if not file.is_file():
        raise CommandError(f"no such envelope: {file}")
    try:
        exported = signatures.key_from_export(
            key.read_bytes(), _passphrase(passphrase_file, twice=False)
        )
    except OSError as exc:
        raise CommandError(f"cannot read the key file: {exc}") from None
    except ValueError as exc:
        raise CommandError(f"{key}: {exc}") from None
    npwp = _npwp(npwp or exported.npwp)
    fp = fingerprint_file(file)
    try:
        text = signatures.signature_file(
            exported.private_key, tender_code=tender, npwp=npwp, sha256=fp.sha256, size=fp.size
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    output = output or file.with_name(file.name + ".sig")
    output.write_text(text + "\n")
    fingerprint = grouped_fingerprint(signing_key_fingerprint(exported.public_key))
    command.stdout.write(
        f"{output}: signature of {file} ({fp.size} bytes, SHA-256 {fp.sha256}) for tender "
        f"{tender}, NPWP {npwp}, key {fingerprint}. Send it with the envelope on the bid page."
    )
