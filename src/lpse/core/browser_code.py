"""The scripts that handle keys and bids in browsers, logged by hash (R-9.9, R-9.8).

Code running on the live server could send a member's browser a script that leaks a passphrase
or a share. It cannot do so unseen: whenever any of these scripts differs from the hashes last
logged, a ``browser_code.changed`` event with the new SHA-256s enters the transparency log —
at every start of the server and before each daily signed head — so the LKPP monitor and the
auditors see a changed script, and anyone can compare the hashes with a build of the committed
``js/package-lock.json`` (``scripts/build-js --check``).
"""

from __future__ import annotations

import hashlib

from django.contrib.staticfiles import finders

from lpse.core import audit

WATCHED = (
    "vendor/lpse-crypto.min.js",
    "vendor/lpse-passphrase.min.js",
    "lpse/key-ceremony.js",
    "lpse/bid.js",
    "lpse/signing-key.js",
)
ACTION = "browser_code.changed"


def current_hashes() -> dict[str, str]:
    hashes = {}
    for name in WATCHED:
        path = finders.find(name)
        if path:
            with open(path, "rb") as f:
                hashes[name] = hashlib.sha256(f.read()).hexdigest()
    return hashes


def logged_hashes() -> dict[str, str]:
    event = audit.last_recorded(actions=(ACTION,))
    return dict(event.data.get("scripts", {})) if event else {}


def record_if_changed() -> bool:
    """Log the scripts' hashes if they differ from the last logged; True if it logged."""
    now = current_hashes()
    if now == logged_hashes():
        return False
    audit.record(actor=None, action=ACTION, data={"scripts": now})
    return True
