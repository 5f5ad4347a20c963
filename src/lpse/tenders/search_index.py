"""The public tender list's search (R-8.5, issue 19): a word index of published tenders, the same
on SQLite and PostgreSQL, cut into words as the catalogue's is (``lpse.core.words``).

A tender's package name and code are indexed when it is published (a package's name does not
change once it has a tender). A query matches a tender when every typed word starts one of the
tender's words: "jemb" finds "Jembatan", "ruas jalan" finds "Pemeliharaan Rutin Ruas Jalan …",
"sekolah" finds "Sekolah" and accents are dropped on both sides. Each typed word is a range read
of ``tender_word_prefix`` giving the matching tender ids; the list then orders and counts
those ids as it does any filter. For a common word the database walks the list in its order
instead and checks each tender's words (``tender_word_of_tender``) until the page is full:
PostgreSQL's search went from a hash join of ~10,000 matches (28 ms) to 1.4 ms that way.
bench/portal.py measures it at 100,000 tenders.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from lpse.core.words import starting, words
from lpse.tenders.models import Tender, TenderWord

QUERY_WORDS_MAX = 8


def tender_words(name: str, code: str) -> list[str]:
    return words(f"{code} {name}")


def index_tenders(tenders: Iterable[Tender]) -> None:
    """Give published ``tenders`` (with their packages) their words; call in the write's
    transaction. Already indexed tenders are indexed again from scratch."""
    tenders = list(tenders)
    ids = [tender.pk for tender in tenders]
    for start in range(0, len(ids), 500):
        TenderWord.objects.filter(tender_id__in=ids[start : start + 500]).delete()
    TenderWord.objects.bulk_create(
        [
            TenderWord(tender_id=tender.pk, word=word)
            for tender in tenders
            for word in tender_words(tender.package.name, tender.code)
        ],
        batch_size=2000,
    )


def matching(query: str, *, row_by_row: bool = False) -> Q | None:
    """A filter on tenders (or on rows whose primary key is the tender) for ``query``, or None
    when it has no word to look for. ``row_by_row``: each tender's own words are checked
    (``tender_word_of_tender``) rather than every matching id looked up first."""
    typed = words(query)[:QUERY_WORDS_MAX]
    if not typed:
        return None
    condition = Q()
    for word in typed:
        words_found = TenderWord.objects.filter(starting(word))
        if row_by_row:
            condition &= Q(Exists(words_found.filter(tender_id=OuterRef("pk"))))
        else:
            condition &= Q(pk__in=words_found.values("tender_id"))
    return condition
