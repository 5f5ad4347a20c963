"""Finding credentials where none may be (R-3.4 [safer]): in what a provider writes to the
helpdesk, in a diagnosis, in a file attached to an escalation to LKPP.

LPSE never asks for a password or a key; when one is pasted or attached anyway it is refused
before it is stored, with a message that says so. The patterns are the secrets this system
knows: age identities (a committee member's or a tender's opening key), PEM private keys, opening
keys sealed with a passphrase (age ``scrypt`` files, raw or base64), tender key files, and a
password written out as ``password: …``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from lpse.core.errors import DomainError

# base64 of "age-encryption.org/v1\n-> scrypt": a passphrase-sealed opening key as stored.
_SEALED_IDENTITY_B64 = rb"YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0\+IHNjcnlwd"

PATTERNS: tuple[tuple[re.Pattern[bytes], object], ...] = (
    (re.compile(rb"AGE-SECRET-KEY-1[0-9A-Z]{20,}", re.IGNORECASE), _("an age secret key")),
    (re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"), _("a private key")),
    (re.compile(rb"age-encryption\.org/v1\s*\n-> scrypt "), _("an opening key sealed with a passphrase")),
    (re.compile(_SEALED_IDENTITY_B64), _("an opening key sealed with a passphrase")),
    (re.compile(rb"lpse-tender-key-v1|\"wrapped_identity\""), _("a tender key file")),
    (
        re.compile(
            rb"(?i)\b(?:password|passwd|passphrase|pwd|kata\s*sandi|sandi|pin)\s*[:=]\s*\S+"
        ),
        _("a password"),
    ),
)  # fmt: skip


def find_credentials(data: bytes | str) -> list[str]:
    """What kinds of secret ``data`` holds (empty when none)."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    return [str(label) for pattern, label in PATTERNS if pattern.search(raw)]


def refuse_credentials(text: str, field: str) -> None:
    """Refuse ``text`` (naming the form ``field``) when it carries a credential."""
    found = find_credentials(text)
    if found:
        raise DomainError(
            gettext_now(
                "This text contains %(what)s. LPSE never needs a password or a key: remove it "
                "and send again (and change that password or key if it was a real one)."
            )
            % {"what": ", ".join(str(f) for f in found)},
            field=field,
        )
