"""The passphrase meter knows the demo's published passwords (R-9.9).

A committee member's opening-key passphrase guards a share of every tender key; the demo home
page publishes one password per role, so the meter (``lpse-passphrase.min.js``, built from
``js/passphrase-words-id.js``) must rate each of them as a common password. This keeps the word
list in step when the demo passwords change.
"""

from __future__ import annotations

import re
from pathlib import Path

from lpse.accounts.roles import Role
from lpse.demo.names import demo_password

WORDS = Path(__file__).resolve().parent.parent / "js" / "passphrase-words-id.js"


def test_R_9_9_every_published_demo_password_is_in_the_meters_indonesian_list():
    listed = set(re.findall(r'"([^"\n]+)"', WORDS.read_text()))
    # zxcvbn compares in lower case; the list is written that way.
    missing = [
        demo_password(role).lower() for role in Role if demo_password(role).lower() not in listed
    ]
    assert not missing, f"add to {WORDS.name} and run scripts/build-js: {missing}"
