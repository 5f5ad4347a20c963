"""The offline Apendo (R-7.1, issue 15): one HTML file a provider saves and opens on their own
computer to make a signed bid envelope without the server — the same age envelope and signature
file as the bid page and ``lpse apendo encrypt``/``sign`` (docs/bid-envelope.md).

The file is built here from the vendored crypto bundle and ``lpse/apendo-offline.js``, both
inlined, so it needs nothing from the network once saved. It is rendered in the requesting
language (its text cannot change after download) and its SHA-256 is shown on the bid page, so a
provider can check that the copy they run is the one LPSE serves.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lpse.core.capabilities import public

FILE_NAME = "apendo-offline.html"
BUNDLE = "vendor/lpse-crypto.min.js"
SCRIPT = "lpse/apendo-offline.js"


def _messages() -> dict[str, str]:
    """The script's messages, translated now: the saved file has no catalogue to ask later."""
    return {
        "recipient": _(
            "Paste the tender's public key: it starts with age1 and is shown on the bid page."
        ),
        "tender": _("Paste the tender code, as shown on the bid page (for example 2026000001)."),
        "price": _("Write the total price in rupiah, for example 1.250.000.000."),
        "validity": _("Give how many days the offer is valid."),
        "declaration": _("Tick the declaration."),
        "documents": _("Choose at least one bid document."),
        "key_file": _("Choose your company's signing key export file (.age)."),
        "passphrase": _("Type the export file's passphrase."),
        "no_webcrypto": _(
            "This browser cannot sign with Ed25519. Open this file in a current Chromium, "
            "Chrome, Edge or Firefox."
        ),
        "opening_key": _("Opening the key file (this takes a few seconds)…"),
        "bad_passphrase": _("The passphrase is wrong, or this is not a key export file."),
        "not_export": _("This file is not an LPSE signing key export file."),
        "damaged_key": _("The key in the file is damaged: its two halves do not belong together."),
        "bad_recipient": _(
            "This is not a valid tender public key (age1…). Copy it again from the bid page."
        ),
        "encrypting": _("Encrypting on this computer… %(done)s MB"),
        "done": _(
            "Envelope ready: %(size)s bytes, SHA-256 %(sha256)s, signed with key %(fingerprint)s "
            "(NPWP %(npwp)s). Save both files, then on the bid page choose them under "
            "“…or send an envelope made offline”."
        ),
        "failed": _("The envelope could not be made: %(error)s"),
        "download_envelope": _("Save the envelope (.age)"),
        "download_signature": _("Save the signature file (.sig)"),
    }


def _static_path(name: str) -> Path:
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(f"static file {name} is missing: run scripts/build-js")
    return Path(path)


def _inline(script: str, name: str) -> str:
    # Inside <script>, only "</script" (any case) could end the element early; a bundle that
    # ever contains it must be refused, not served broken.
    if "</script" in script.lower():
        raise ValueError(f"{name} contains '</script' and cannot be inlined")
    return mark_safe(script)  # noqa: S308  # our own static files, checked just above


@lru_cache(maxsize=16)
def _render(language: str, stamps: tuple[float, float]) -> bytes:
    # ``stamps`` (the files' mtimes) only key the cache, so a rebuilt bundle is served anew.
    del stamps
    bundle = _static_path(BUNDLE).read_text(encoding="utf-8")
    script = _static_path(SCRIPT).read_text(encoding="utf-8")
    with translation.override(language):
        messages = json.dumps(_messages(), ensure_ascii=True).replace("<", "\\u003c")
        html = render_to_string(
            "bids/apendo_offline.html",
            {
                "bundle": _inline(bundle, BUNDLE),
                "script": _inline(script, SCRIPT),
                "messages": mark_safe(messages),  # noqa: S308  # JSON, '<' escaped
                "language": language,
            },
        )
    return html.encode("utf-8")


def offline_tool() -> bytes:
    """The file as served in the active language."""
    stamps = (_static_path(BUNDLE).stat().st_mtime, _static_path(SCRIPT).stat().st_mtime)
    return _render(translation.get_language() or "id", stamps)


def offline_tool_context() -> dict[str, str]:
    """What the bid page shows next to its link: the address and the SHA-256 of the file."""
    return {
        "apendo_url": reverse("bids:apendo_offline"),
        "apendo_sha256": hashlib.sha256(offline_tool()).hexdigest(),
    }


@public
@require_GET
def apendo_offline(request) -> HttpResponse:
    response = HttpResponse(offline_tool(), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
