"""Passwords a guesser of an LPSE account tries first (ASVS V6.1.2, V6.2.11, R-4.4).

Django's validators already refuse the 20,000 most common passwords of leaked lists and anything
like the user's own name or e-mail. What they cannot know is this service's context: a
procurement officer reaches for "Pengadaan2026!", an administrator for "LpseMaros#1". A password
is refused when, once the service's own words and the digits and signs around them are taken
away, fewer than ``MIN_OTHER_LETTERS`` letters of anything else remain.

The words: the site's name (``LPSE_SITE_NAME``, which carries the region), the agencies' names,
and the procurement vocabulary below. ``docs/operations.md`` documents the list.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The system's and the regulation's words, in Indonesian and English, as a user would type them.
PROCUREMENT_WORDS = (
    "lpse",
    "spse",
    "inaproc",
    "lkpp",
    "apendo",
    "ukpbj",
    "pengadaan",
    "barang",
    "jasa",
    "lelang",
    "tender",
    "pokja",
    "pemilihan",
    "penyedia",
    "panitia",
    "pejabat",
    "penawaran",
    "kontrak",
    "dokumen",
    "kabupaten",
    "pemkab",
    "pemda",
    "pemerintah",
    "dinas",
    "procurement",
    "provider",
    "committee",
)
MIN_OTHER_LETTERS = 6
# Shorter words of a name ("dan", "di", "of") would strip letters from any password.
MIN_NAME_WORD = 4


def context_words() -> set[str]:
    """The service's own words: the procurement vocabulary, the site's name and the agencies'."""
    from lpse.accounts.selectors import agency_names

    names = [settings.LPSE_SITE_NAME, *agency_names()]
    words = {w for name in names for w in re.findall(r"[a-z]+", name.lower())}
    return set(PROCUREMENT_WORDS) | {w for w in words if len(w) >= MIN_NAME_WORD}


def _letters_left(password: str, words: set[str]) -> tuple[str, list[str]]:
    rest = password.lower()
    found = []
    for word in sorted(words, key=len, reverse=True):  # "pengadaan" before "pengada…" parts
        if word in rest:
            found.append(word)
            rest = rest.replace(word, " ")
    return re.sub(r"[^a-z]", "", rest), found


class ContextWordsValidator:
    """AUTH_PASSWORD_VALIDATORS entry: refuses a password built on the service's own words."""

    def validate(self, password: str, user=None) -> None:
        rest, found = _letters_left(password, context_words())
        if found and len(rest) < MIN_OTHER_LETTERS:
            raise ValidationError(
                _(
                    "This password is built on words of this service (%(words)s), which a "
                    "guesser tries first. Choose words that have nothing to do with LPSE, "
                    "procurement or the region."
                ),
                code="password_context_words",
                params={"words": ", ".join(sorted(found))},
            )

    def get_help_text(self) -> str:
        return _(
            "Not built on the words of this service (LPSE, procurement, the region's or an "
            "agency's name)."
        )
