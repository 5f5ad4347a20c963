"""The offline keys of backups: the server encrypts to *recipients* (age public keys, the head
of LPSE's key kept on paper or a token) and never holds an identity (private key), so it can
write backups it cannot read. An identity is needed only to restore or to ``--read-data``."""

from __future__ import annotations

from pathlib import Path

import pyrage


class KeyProblem(Exception):
    """A recipient or identity is missing or malformed; the message says what to fix."""


def parse_recipients(values: list[str]) -> list[pyrage.x25519.Recipient]:
    if not values:
        raise KeyProblem(
            "No backup recipient is configured: set LPSE_BACKUP_RECIPIENTS to the age public "
            "key(s) (age1…) of the offline backup key; make one with `age-keygen -o key.txt` "
            "on a computer that is not the server, and keep key.txt offline."
        )
    recipients = []
    for value in values:
        if value.startswith("AGE-SECRET-KEY-"):
            raise KeyProblem(
                "LPSE_BACKUP_RECIPIENTS holds a private key (AGE-SECRET-KEY-…): put only the "
                "public key (age1…) on the server and take the private key off it."
            )
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(value))
        except (pyrage.RecipientError, ValueError):
            raise KeyProblem(f"{value[:20]!r}… is not an age public key (age1…).") from None
    return recipients


def configured_recipients() -> list[pyrage.x25519.Recipient]:
    from django.conf import settings

    return parse_recipients(list(settings.LPSE_BACKUP_RECIPIENTS))


def recipient_names() -> list[str]:
    from django.conf import settings

    return sorted(settings.LPSE_BACKUP_RECIPIENTS)


def load_identities(path: str | Path) -> list[pyrage.x25519.Identity]:
    """The identities of an age key file (``age-keygen`` output; comments allowed)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyProblem(f"cannot read the key file {path}: {exc.strerror}") from None
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except (pyrage.IdentityError, ValueError):
                raise KeyProblem(f"{path} holds a malformed AGE-SECRET-KEY line.") from None
    if not identities:
        raise KeyProblem(f"{path} holds no age private key (a line AGE-SECRET-KEY-…).")
    return identities
