"""The public list's search (R-8.5, issue 19) reads a word index instead of LIKE '%…%' over
every package name: it finds what LIKE found for whole words, prefixes and codes, and more
(accents, words in any order)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from lpse.core.calendar import WITA
from lpse.demo.generate import generate_tenders
from lpse.tenders.models import Tender, TenderWord
from lpse.tenders.selectors import listings as selectors
from tests.tender_fixtures import PREPARED_AT, draft_tender, publish

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 8, 10, 0, tzinfo=WITA)


def found(q: str) -> set[str]:
    return set(
        selectors.public_tenders(selectors.TenderFilters(q=q)).values_list("code", flat=True)
    )


def like(text: str) -> set[str]:
    """What the list's search was before: the package name containing ``text``, or the code."""
    published = Tender.objects.filter(state=Tender.State.PUBLISHED)
    return set(
        published.filter(package__name__icontains=text).values_list("code", flat=True)
    ) | set(published.filter(code=text).values_list("code", flat=True))


@pytest.fixture
def many_tenders(agency_a):
    generate_tenders(60, ppk=agency_a.ppk, committee=agency_a.committee, seed=3, start=NOW)
    return Tender.objects.filter(state=Tender.State.PUBLISHED).select_related("package")


def test_R_8_5_every_word_of_every_name_finds_what_like_found(many_tenders):
    vocabulary = {w for t in many_tenders for w in t.package.name.split() if w.isalpha()}
    assert len(vocabulary) > 20
    for word in sorted(vocabulary):
        assert found(word) == like(word), word
        assert found(word.upper()) == like(word), word  # case does not matter, as with LIKE


def test_R_8_5_a_word_s_beginning_finds_what_like_found_for_it(many_tenders):
    words = {w for t in many_tenders for w in t.package.name.split() if len(w) > 6}
    for word in sorted(words)[:15]:
        prefix = word[:4]
        # LIKE also matched the prefix inside other words; the word index by word starts.
        starts = {
            t.code
            for t in many_tenders
            if any(w.lower().startswith(prefix.lower()) for w in t.package.name.split())
        }
        assert found(prefix) == starts and starts <= like(prefix), prefix


def test_R_8_5_a_code_finds_its_tender(many_tenders):
    for tender in many_tenders[:10]:
        assert found(tender.code) == {tender.code}
        assert found(f"  {tender.code.lower()} ") == {tender.code}


def test_R_8_5_several_words_find_the_tenders_that_have_them_all_in_any_order(many_tenders):
    tender = many_tenders[5]
    first, *_rest, last = tender.package.name.split()
    both = found(f"{last} {first}")
    assert tender.code in both
    assert both == found(first) & found(last)


def test_R_8_5_accents_and_case_are_ignored_on_both_sides(agency_a):
    with time_machine.travel(PREPARED_AT, tick=False):
        with_accents = draft_tender(agency_a, name="Pembangunan Café Éco Taman Kota")
        publish(agency_a, with_accents)
    assert found("cafe eco") == {with_accents.code}
    assert found("CAFÉ") == {with_accents.code}
    assert found("taman kota bandara") == set()


def test_R_8_5_drafts_are_not_indexed_and_publication_indexes(agency_a):
    with time_machine.travel(PREPARED_AT, tick=False):
        draft = draft_tender(agency_a, name="Pengadaan Perahu Motor Nelayan")
        assert found("perahu") == set() and not TenderWord.objects.filter(tender=draft).exists()
        publish(agency_a, draft)
    assert found("perahu") == {draft.code}


def test_R_8_5_a_query_with_no_word_matches_nothing_and_the_list_still_answers(
    client, many_tenders
):
    assert found("-- %% !") == set()
    response = client.get("/tender/?q=%25%25")
    assert response.status_code == 200 and "No tender matches." in response.content.decode()
