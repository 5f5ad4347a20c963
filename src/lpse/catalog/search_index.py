"""The public catalogue's search (R-5.6): a word index kept beside the items, the same on SQLite
and PostgreSQL.

An item's code, name, provider and specification are cut into words (letters and digits,
lower case, accents dropped). A query matches an item when every typed word starts one of the
item's words ("sem a4" finds "Semen … A4"). To answer in the list's order without sorting every
match, one typed word *drives*: it is first expanded to the whole words it starts (from
``CatalogueVocabulary``, small), and when that is a single word its rows are read in
(name, code) order straight from ``catalogue_word_ordered``, stopping at the page's last match;
the other typed words are checked per item on ``catalogue_word_of_item``. Only a driver that
stands for several words (a short prefix) sorts its matches. bench/catalog_search.py measures
it at 100,000 items.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, Q

from lpse.catalog.models import CatalogueItem, CatalogueVocabulary, CatalogueWord
from lpse.core.words import WORD_MAX, starting, words

__all__ = ["WORDS_PER_ITEM", "WORD_MAX", "matching_ids", "reindex", "words"]

WORDS_PER_ITEM = 120  # a long specification adds no more than this many distinct words
QUERY_WORDS_MAX = 8
# A typed prefix that starts more words than this is not expanded; it drives only when every
# typed word is as short, and then its matches are sorted.
EXPANSION_MAX = 200


def item_words(item: CatalogueItem) -> list[str]:
    text = " ".join([item.code, item.name, item.provider_name, item.specification])
    return words(text)[:WORDS_PER_ITEM]


def reindex(items: Iterable[CatalogueItem]) -> None:
    """Make the index say what ``items`` (saved) now are: their old words go, a live item's
    words come back with its current name, code and validity. Call in the write's transaction."""
    items = list(items)
    ids = [item.pk for item in items]
    for start in range(0, len(ids), 500):
        CatalogueWord.objects.filter(item_id__in=ids[start : start + 500]).delete()
    rows, vocabulary = [], set()
    for item in items:
        if item.retired_at is not None:
            continue
        for word in item_words(item):
            vocabulary.add(word)
            rows.append(
                CatalogueWord(
                    item_id=item.pk,
                    word=word,
                    name=item.name,
                    code=item.code,
                    valid_from=item.valid_from,
                    valid_until=item.valid_until,
                )
            )
    CatalogueWord.objects.bulk_create(rows, batch_size=2000)
    CatalogueVocabulary.objects.bulk_create(
        [CatalogueVocabulary(word=word) for word in sorted(vocabulary)],
        batch_size=2000,
        ignore_conflicts=True,
    )


def _expansion(prefix: str) -> list[str]:
    """The indexed words ``prefix`` starts, at most EXPANSION_MAX + 1 of them."""
    return list(
        CatalogueVocabulary.objects.filter(starting(prefix))
        .order_by("word")
        .values_list("word", flat=True)[: EXPANSION_MAX + 1]
    )


def _word_in(expansion: list[str], prefix: str) -> Q:
    if len(expansion) == 1:
        return Q(word=expansion[0])
    if len(expansion) <= EXPANSION_MAX:
        return Q(word__in=expansion)
    return starting(prefix)


def matching_ids(query: str, *, today: date, start: int, count: int) -> list[int]:
    """Ids of the live items valid ``today`` that match every word of ``query``, in the list's
    (name, code) order, ``count`` of them from ``start``."""
    typed = [word for word in words(query) if word][:QUERY_WORDS_MAX]
    if not typed:
        return []
    expansions = {word: _expansion(word) for word in typed}
    if not all(expansions.values()):
        return []  # a typed word starts no indexed word: nothing can match
    driver = min(typed, key=lambda word: (len(expansions[word]), -len(word)))
    rows = CatalogueWord.objects.filter(
        _word_in(expansions[driver], driver), valid_from__lte=today, valid_until__gte=today
    )
    for word in typed:
        if word != driver:
            also = CatalogueWord.objects.filter(
                _word_in(expansions[word], word), item_id=OuterRef("item_id")
            )
            rows = rows.filter(Exists(also))
    ordered = rows.order_by("name", "code", "item_id").values_list("item_id", flat=True)
    if len(expansions[driver]) != 1:
        ordered = ordered.distinct()  # an item may have two of the driver's words
    return list(ordered[start : start + count])
