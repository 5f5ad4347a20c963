"""Every visible word of every page comes through the message catalogue (issue 15): each page of
the authorization matrix is rendered, as each role that may see it, under a *pseudo-locale* in
which every translated string is wrapped in ⟦…⟧; whatever English is left outside the brackets
was typed into a template or a view and would stay English for an Indonesian reader.

"English" is any word of the catalogue's own English source strings (the msgids), so the test
needs no dictionary and grows with the UI. Proper names, codes and Indonesian words that happen
to be spelled like an English UI word are listed, with a reason, in
``tests/pseudo_locale_allow.txt``. Text from the database (tender names, companies) is
Indonesian in the samples, and is checked too: a sample that used an English UI word would show
up here and belongs in the allow list only if it is data, never a label.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation import trans_real

from lpse.accounts.roles import Role
from tests.test_authorization_matrix import (  # noqa: F401 — fixtures and the matrix's walk
    ANONYMOUS,
    collect,
    concrete_url,
    demo_mode,
    expected_allowed,
    samples,
)

PO = Path(__file__).parents[1] / "src/lpse/locale/id/LC_MESSAGES/django.po"
ALLOW = Path(__file__).with_name("pseudo_locale_allow.txt")
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
WORD = re.compile(r"[A-Za-z][A-Za-z']+")
# Attributes a person reads (or hears from a screen reader).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}


class Pseudo:
    """A translation that marks instead of translating: ⟦message⟧."""

    def gettext(self, message: str) -> str:
        if "\x04" in message:  # pgettext's "context\x04message"
            message = message.split("\x04", 1)[1]
        if message == "yes,no,maybe":  # the yesno filter splits its translation at commas
            return "⟦yes⟧,⟦no⟧,⟦maybe⟧"
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self.gettext(singular if number == 1 else plural)

    def to_language(self) -> str:
        return "id"

    def language(self) -> str:
        return "id"


def _words(strings: list[str]) -> set[str]:
    words: set[str] = set()
    for string in strings:
        cleaned = re.sub(r"%\(\w+\)s|\{[^}]*\}|<[^>]+>|&\w+;", " ", string)
        words.update(w.lower() for w in WORD.findall(cleaned) if len(w) >= 3)
    return words


def english_vocabulary() -> set[str]:
    """The English of the UI: every word (3+ letters, lower case) of the catalogue's source
    strings (msgid) that its Indonesian (msgstr) never uses — names and Indonesian terms kept
    as they are in both ("Kabupaten", "Pokja") are so left out."""
    entries = PO.read_text(encoding="utf-8").split("\n\n")
    source, indonesian = [], []
    for entry in entries:
        side = None
        for line in entry.splitlines():
            if line.startswith(("msgid", "msgstr")):
                side = source if line.startswith("msgid") else indonesian
                line = line.split(" ", 1)[1] if " " in line else ""
            if side is not None and line.startswith('"'):
                side.append(line[1:-1])
    return _words(source) - _words(indonesian)


def allowed_words() -> set[str]:
    lines = ALLOW.read_text(encoding="utf-8").splitlines()
    return {line.split("#")[0].strip().lower() for line in lines if line.split("#")[0].strip()}


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes outside scripts and styles, and the
    attributes read aloud or shown on hover; a button's value."""

    # Not prose: scripts and styles, and code, keys and addresses shown as such.
    SKIPPED = ("script", "style", "template", "code", "pre", "kbd", "samp")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.quoting: list[str] = []
        self.pieces: list[str] = []

    VOID = ("area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self.quoting:  # inside the regulation's own words: track the nesting to its end
            if tag not in self.VOID:
                self.quoting.append(tag)
            return
        if tag != "html" and values.get("lang") and tag not in self.VOID:
            # Words in a language of their own, marked for screen readers: the regulation quoted
            # in the original Indonesian (lang="id"), an e-mail shown as it was written (the
            # outbox) — not the interface's words.
            self.quoting.append(tag)
            return
        if tag in self.SKIPPED:
            self.skipping += 1
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.pieces.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.pieces.append(values["value"])

    def handle_endtag(self, tag):
        if self.quoting:
            if tag == self.quoting[-1]:
                self.quoting.pop()
            return
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and not self.quoting and data.strip():
            self.pieces.append(data)


def without_translated(html: str) -> str:
    """The page with every ⟦translated⟧ span taken out, innermost first: a translated sentence
    may hold markup, and a date's translated month sits inside a translated sentence."""
    while True:
        shorter = WRAPPED.sub(" ", html)
        if shorter == html:
            return html
        html = shorter


def untranslated(html: str, english: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(without_translated(html))
    found = []
    for piece in parser.pieces:
        rest = piece
        # A file name, an address or a code is not prose: only plain words are judged.
        plain = [t.strip(".,;:!?()«»“”\"'·–—") for t in rest.split()]
        plain = [t for t in plain if t and not re.search(r"[/\\._=?@:#+\d-]", t)]
        words = [w for t in plain for w in WORD.findall(t) if w.lower() in english]
        if words:
            found.append(f"{' '.join(rest.split())[:120]!r} (English: {', '.join(words[:5])})")
    return found


@pytest.fixture
def pseudo_locale(monkeypatch):
    pseudo = Pseudo()
    monkeypatch.setattr(trans_real, "translation", lambda language: pseudo)
    monkeypatch.setattr(trans_real, "_default", pseudo, raising=False)
    trans_real.activate("id")
    yield pseudo
    trans_real.deactivate()


PAGE_ROLES = [ANONYMOUS, *Role.values]


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_every_visible_word_comes_through_the_catalogue(
    role, make_user, samples, demo_mode, pseudo_locale
):
    english = english_vocabulary() - allowed_words()
    user = None if role == ANONYMOUS else make_user(role)
    client = Client()
    problems = []
    for endpoint in collect().pages:
        if endpoint.method != "GET" or not expected_allowed(endpoint.capability, role):
            continue
        url = concrete_url(endpoint, samples)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for text in untranslated(response.content.decode(), english):
            problems.append(f"{url}: {text}")
    assert not problems, "text that did not come through the catalogue:\n" + "\n".join(
        sorted(set(problems))
    )


def test_the_pseudo_locale_catches_typed_english(pseudo_locale):
    """The test's own check: a template's typed English is found, a translated one is not."""
    from django.template import Context, Template

    english = english_vocabulary()
    page = Template(
        "{% load i18n %}<p>{% translate 'Search' %}</p><button title='Search now'>Cari</button>"
    ).render(Context())
    assert untranslated(page, english) == ["'Search now' (English: Search, now)"]
