"""Words for the public searches' word indexes (the catalogue's and the tender list's): the
same cutting of text into words, and the same prefix lookup, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import Q

WORD_MAX = 40  # an indexed word's length: a longer word is cut (and so is the query's)
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The distinct words of ``text``, in order: lower case, accents dropped, cut to WORD_MAX."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    return list(dict.fromkeys(word[:WORD_MAX] for word in _WORD.findall(plain)))


def _after(prefix: str) -> str:
    """The first string past every string that starts with ``prefix``, in code-point order."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def starting(prefix: str, field: str = "word") -> Q:
    """Rows whose ``field`` starts with ``prefix``, in a form the database answers from an
    index. SQLite's LIKE ignores case and so cannot use a case-sensitive index: there a range
    over the code-point order it sorts text in. PostgreSQL's text order follows the server's
    collation, where a range may miss words: there LIKE, on a ``varchar_pattern_ops`` index
    (catalog migration 0005, tenders migration 0006)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": _after(prefix)})
    return Q(**{f"{field}__startswith": prefix})
