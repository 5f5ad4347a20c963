"""The offline Apendo (R-7.1, issue 15): one HTML file, served to anyone, that holds the crypto
bundle and the tool's script inline and points at nothing outside itself, so that it works when
saved and opened on a provider's computer. The bid page links to it with its SHA-256.

The browser side — the file opened as file://, an envelope made and sent through the bid page —
is tests/browser/test_apendo_offline.py."""

from __future__ import annotations

import hashlib
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from lpse.bids import views_apendo
from tests.bid_fixtures import DURING_BIDDING

URL = "/apendo/apendo-offline.html"

# Anything that would make the saved file reach out: an address, a root-relative path, or an
# element that loads something.
OUTSIDE = re.compile(
    r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:|//|/)"""
    r"""|https?://|<link\b|<base\b|<iframe\b|<img\b""",
    re.IGNORECASE,
)


def static_text(name: str) -> str:
    with open(finders.find(name), encoding="utf-8") as f:
        return f.read()


def download(client, language: str | None = None):
    """The file in ``language``; None: no language chosen (the site's default)."""
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    return client.get(URL)


def test_R_7_1_the_route_is_the_offline_apendo_address():
    assert reverse("bids:apendo_offline") == URL


@pytest.mark.django_db
def test_R_7_1_an_anonymous_visitor_downloads_the_offline_apendo_as_one_html_file(client):
    response = download(client, None)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="apendo-offline.html"'
    assert response.content.startswith(b"<!DOCTYPE html>")


@pytest.mark.django_db
def test_R_7_1_the_file_refers_to_nothing_outside_itself(client):
    html = download(client).content.decode()
    found = [m.group(0) for m in OUTSIDE.finditer(html)]
    assert found == [], f"the saved file would reach out: {found}"
    assert "/static/" not in html
    [style] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert "url(" not in style and "@import" not in style  # no fonts or images fetched
    # Every script is inline: none has a src attribute.
    assert re.findall(r"<script\b[^>]*>", html) == [
        "<script>",
        '<script type="application/json" id="apendo-messages">',
        "<script>",
    ]


@pytest.mark.django_db
def test_R_7_1_the_file_holds_the_vendored_bundle_and_the_tool_byte_for_byte(client):
    html = download(client).content.decode()
    bundle = static_text(views_apendo.BUNDLE)
    script = static_text(views_apendo.SCRIPT)
    assert f"<script>{bundle}</script>" in html
    assert f"<script>{script}</script>" in html


@pytest.mark.django_db
def test_R_7_1_the_file_is_in_the_visitors_language_indonesian_by_default(client):
    default = download(client, None).content.decode()
    assert '<html lang="id">' in default
    english = download(client, "en").content.decode()
    assert '<html lang="en">' in english
    assert "Make the envelope" in english
    # The script's messages come translated inside the file: it has no catalogue to ask later.
    assert "Paste the tender&#x27;s public key" not in english  # JSON, not HTML-escaped
    assert "Paste the tender's public key" in english


@pytest.mark.django_db
def test_R_7_1_the_published_sha256_is_the_sha256_of_the_file_served(client):
    served = download(client, "en").content
    with translation.override("en"):
        published = views_apendo.offline_tool_context()["apendo_sha256"]
    assert published == hashlib.sha256(served).hexdigest()
    with translation.override("id"):
        indonesian = views_apendo.offline_tool_context()["apendo_sha256"]
    assert indonesian == hashlib.sha256(download(client, "id").content).hexdigest()


def test_R_7_1_a_bundle_that_would_end_its_script_early_is_refused():
    with pytest.raises(ValueError, match="</script"):
        views_apendo._inline("let a = '</SCRIPT>';", "bad.js")


@pytest.mark.django_db
def test_R_7_1_only_get_is_answered(client):
    assert client.post(URL).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_R_7_1_the_bid_page_links_to_the_offline_apendo(client, bidding):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(bidding.provider)
    with time_machine.travel(DURING_BIDDING, tick=False):
        html = client.get(f"/tender/{bidding.tender.code}/penawaran/").content.decode()
    assert f'href="{URL}" download' in html
    assert "lpse apendo encrypt" not in html  # a server command is no help to a provider


@pytest.mark.django_db(transaction=True)
def test_R_7_1_the_bid_page_shows_the_sha256_of_the_file_it_links_to(client, bidding):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(bidding.provider)
    with time_machine.travel(DURING_BIDDING, tick=False):
        html = client.get(f"/tender/{bidding.tender.code}/penawaran/").content.decode()
    served = hashlib.sha256(download(client, "en").content).hexdigest()
    assert f'<span class="mono" id="apendo-sha256">{served}</span>' in html
