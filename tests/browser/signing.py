"""The company's signing key in a test browser (R-9.7): what importing its export file on the key
page leaves behind — the fixture key of tests/bid_fixtures.py, non-extractable, in IndexedDB —
put there through the same ``window.lpseSigningKey.store`` the import uses, without the scrypt
work of opening an export file in every browser test that submits a bid."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Page

from lpse.bids import signatures
from tests.bid_fixtures import signing_key_of

STORE = """async ([company, pkcs8, publicKey]) => {
  const keys = window.lpseSigningKey;
  return keys.store(company, keys.fromBase64(pkcs8), keys.fromBase64(publicKey));
}"""


def install_signing_key(page: Page, company) -> str:
    """Keep the company's fixture key in this page's browser; returns its fingerprint."""
    key = signing_key_of(company)
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    page.goto("/penyedia/kunci-tanda-tangan/")
    return page.evaluate(
        STORE, [str(company.pk), base64.b64encode(pkcs8).decode(), signatures.public_key_of(key)]
    )
