"""Through a real TLS-terminating reverse proxy (R-4.1, R-4.4, issue 17): Debian's nginx in front
of ``lpse serve`` with LPSE_HTTPS=true and LPSE_PROXY_COUNT=1 (tests/tls_proxy.py).

What must hold there and nowhere else can be checked: plain http is redirected to https, the
answers carry HSTS and secure cookies, and the address the sign-in lockout counts is the one
nginx saw — a client that forges X-Forwarded-For cannot make each attempt look like someone else.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import warnings

import pytest
import urllib3

from tests.tls_proxy import TLS12_CIPHERS, ProxiedSite, nginx_binary


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; scripts/test does it)")
    proxied = ProxiedSite(tmp_path_factory.mktemp("tls")).start()
    try:
        yield proxied
    finally:
        proxied.stop()


@pytest.fixture
def browser(site):
    context = ssl.create_default_context(cafile=str(site.cert))
    return urllib3.PoolManager(ssl_context=context, retries=False, timeout=30)


def test_R_4_1_plain_http_through_the_proxy_is_redirected_to_https(site, browser):
    answer = browser.request("GET", f"{site.http}/", redirect=False)
    assert answer.status == 301
    assert answer.headers["Location"] == f"https://localhost:{site.http_port}/"


def test_R_4_1_https_answers_carry_hsts_and_secure_cookies(site, browser):
    answer = browser.request("GET", f"{site.https}/akun/masuk/", redirect=False)
    assert answer.status == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = answer.headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]


def _sign_in(site, browser, forged_address: str, username: str = "korban-tebakan") -> int:
    page = browser.request("GET", f"{site.https}/akun/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.data.decode()).group(1)
    cookie = page.headers["Set-Cookie"].split(";")[0]
    answer = browser.request(
        "POST",
        f"{site.https}/akun/masuk/",
        fields={
            "username": "korban-tebakan",
            "password": "salah-sekali",
            "csrfmiddlewaretoken": token,
        },
        encode_multipart=False,
        headers={
            "Cookie": cookie,
            "Referer": f"{site.https}/akun/masuk/",
            "X-Forwarded-For": forged_address,  # a lie the proxy must not pass on as the client
        },
        redirect=False,
    )
    return answer.status


def test_R_4_4_the_lockout_counts_the_address_nginx_saw_not_a_forged_header(site, browser):
    statuses = [_sign_in(site, browser, f"203.0.113.{n}") for n in range(1, 7)]
    # Four refusals of the password, and the fifth failure locks (LPSE_LOGIN_FAILURE_LIMIT=5):
    # all came from one address, whatever each request claimed. Were the forged header taken
    # as the client, every attempt would be a first one and none would lock.
    assert statuses == [200, 200, 200, 200, 429, 429]


def from_address(site, source: str):
    """A client on another loopback address (127.0.0.0/8 is all loopback on Linux): nginx sees
    it as that address, as it sees two people's computers as two addresses."""
    context = ssl.create_default_context(cafile=str(site.cert))
    return urllib3.PoolManager(
        ssl_context=context, retries=False, timeout=30, source_address=(source, 0)
    )


def test_R_4_4_behind_the_proxy_a_rival_locks_only_their_own_address(site):
    """The rival fails five times on the bidder's User ID from one computer; the bidder, from
    another, is not locked out. Were the proxy's own address taken as the client's (every
    visitor 127.0.0.1), the bidder would be locked out with the rival."""
    rival, bidder = from_address(site, "127.0.0.2"), from_address(site, "127.0.0.3")
    statuses = [_sign_in(site, rival, "198.51.100.7", "penyedia-incaran") for _ in range(5)]
    assert statuses[-1] == 429
    assert _sign_in(site, bidder, "198.51.100.7", "penyedia-incaran") == 200


def _cookies(answer) -> dict[str, str]:
    """Each Set-Cookie of an answer by its name, with its attributes as sent."""
    return {line.split("=", 1)[0]: line for line in answer.headers.getlist("Set-Cookie")}


def _host_only(line: str) -> bool:
    """What a browser demands before it stores a ``__Host-`` cookie: Secure, Path=/, no
    Domain (RFC 6265bis 4.1.3.2). A cookie that breaks one of these is dropped, so the site
    would have no session at all — the test asserts each, not just the name."""
    attributes = [part.strip().lower() for part in line.split(";")[1:]]
    return (
        "secure" in attributes
        and "path=/" in attributes
        and not any(part.startswith("domain") for part in attributes)
    )


def test_issue21_https_cookies_are_host_prefixed_secure_and_host_only(site, browser):
    """ASVS V3.3.1, V3.3.3: the CSRF, language, message and session cookies carry ``__Host-``,
    so a sibling subdomain of the regency (or an http answer) cannot plant or overwrite them."""
    page = browser.request("GET", f"{site.https}/akun/masuk/", redirect=False)
    csrf = _cookies(page)["__Host-csrftoken"]
    assert _host_only(csrf)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.data.decode()).group(1)
    cookie = csrf.split(";")[0]

    switched = browser.request(
        "POST",
        f"{site.https}/i18n/setlang/",
        fields={"language": "en", "next": "/", "csrfmiddlewaretoken": token},
        encode_multipart=False,
        headers={"Cookie": cookie, "Referer": f"{site.https}/akun/masuk/"},
        redirect=False,
    )
    assert switched.status == 302  # the prefixed CSRF cookie was read and accepted
    language = _cookies(switched)["__Host-django_language"]
    assert _host_only(language) and "samesite=lax" in language.lower()

    site.manage(
        "shell",
        "-c",
        "from lpse.accounts.roles import Role\n"
        "from lpse.accounts.services import user_bootstrap\n"
        "user_bootstrap(username='kuki-admin', email='kuki@example.org',"
        " roles={Role.APP_ADMIN}, password='kata-sandi-panjang-sekali')",
    )
    signed_in = browser.request(
        "POST",
        f"{site.https}/akun/masuk/",
        fields={
            "username": "kuki-admin",
            "password": "kata-sandi-panjang-sekali",
            "csrfmiddlewaretoken": token,
        },
        encode_multipart=False,
        headers={"Cookie": cookie, "Referer": f"{site.https}/akun/masuk/"},
        redirect=False,
    )
    assert signed_in.status == 302, signed_in.data[:500]
    cookies = _cookies(signed_in)
    assert _host_only(cookies["__Host-sessionid"])
    assert "httponly" in cookies["__Host-sessionid"].lower()
    # No cookie of the site is left without the prefix, or without SameSite (ASVS V3.3.2).
    every = {**_cookies(page), **_cookies(switched), **cookies}
    assert all(name.startswith("__Host-") for name in every), every
    assert all("samesite=lax" in line.lower() for line in every.values()), every


def test_issue21_a_plain_http_api_call_is_refused_not_redirected(site, browser):
    """ASVS V4.1.2: pages redirect to https, the JSON API and the facility feed do not — a
    program that sent its token over http gets an error it cannot silently follow past.

    Both layers answer so: nginx's port 80 block (as documented), and LPSE itself behind a
    proxy that passes the http request on (here nginx is skipped: the app's own port, with
    the header a proxy sets)."""
    for path in ("/api/v1/tenders", "/sensor/v1/readings"):
        answer = browser.request("POST", f"{site.http}{path}", body=b"{}", redirect=False)
        assert answer.status == 403 and "Location" not in answer.headers
        assert json.loads(answer.data)["code"] == "https_required"

    app = f"http://127.0.0.1:{site.app_port}"
    forwarded = {"X-Forwarded-Proto": "http", "Host": "localhost"}
    for path, shape in (("/api/v1/tenders", "detail"), ("/sensor/v1/readings", "error")):
        answer = browser.request("GET", f"{app}{path}", headers=forwarded, redirect=False)
        assert answer.status == 403 and "Location" not in answer.headers
        body = json.loads(answer.data)
        assert body["code"] == "https_required" and "HTTPS" in body[shape]
    page = browser.request("GET", f"{app}/tender/", headers=forwarded, redirect=False)
    assert page.status == 301 and page.headers["Location"].startswith("https://")


def _handshake(site, version: ssl.TLSVersion, ciphers: str | None = None) -> str:
    """Connect with only ``version`` offered (and ``ciphers`` for TLS 1.2); the suite agreed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(site.cert))
    # This client may offer what Debian's OpenSSL would never offer by default (TLS 1.1 needs
    # security level 0): the test is that the *server* refuses.
    context.set_ciphers(ciphers or "ALL:@SECLEVEL=0")
    with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = version
    with socket.create_connection(("127.0.0.1", site.https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.cipher()[0]


def test_issue21_tls_below_1_2_and_weak_tls_1_2_suites_are_refused(site):
    """ASVS V12.1.1, V12.1.2: the documented ``ssl_protocols``/``ssl_ciphers``."""
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises(ssl.SSLError):
            _handshake(site, old)
    # CBC suites without AEAD: all in OpenSSL's default list, accepted before ssl_ciphers.
    for weak in (
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-ECDSA-AES128-SHA256",
    ):
        with pytest.raises(ssl.SSLError):
            _handshake(site, ssl.TLSVersion.TLSv1_2, weak)
    assert _handshake(site, ssl.TLSVersion.TLSv1_2) in TLS12_CIPHERS.split(":")
    assert _handshake(site, ssl.TLSVersion.TLSv1_3).startswith("TLS_")
