"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium the tests are skipped
with the reason, unless LPSE_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread, so Django would refuse
# every ORM call made by the test (or by a later test in the same run) with
# SynchronousOnlyOperation. The test thread never shares a connection with async code, so the
# check is safely off for the run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous: a passing run never waits this long, and a loaded two-core CI machine can be slow.
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so ``new_page`` can screenshot a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _browser_unavailable(reason: str):
    if os.environ.get("LPSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (LPSE_REQUIRE_BROWSER=1 requires the browser tests to run)")
    pytest.skip(f"{reason}; set LPSE_REQUIRE_BROWSER=1 to make this a failure")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (never downloaded: Debian's own binary)."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed")
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def site_url(live_server, settings) -> str:
    """The live server's address; links in e-mails point at it."""
    settings.LPSE_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_page(request, chromium, site_url, settings, tmp_path):
    """``new_page()`` → a page in a fresh browser context (its own cookies: one per person),
    with English chosen and the WITA time zone. On failure each page is saved as a screenshot."""
    contexts = []

    def make():
        # The site's clock is WITA; the browser's too, so what a person types in a
        # datetime-local field is the WITA time the site reads.
        context = chromium.new_context(
            base_url=site_url, locale="en-US", timezone_id="Asia/Makassar"
        )
        # The site ignores Accept-Language; English is what the language switch's cookie asks for.
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site_url}]
        )
        context.set_default_timeout(TIMEOUT_MS)
        # The site has no favicon: Chromium's background request for it would run in the live
        # server alongside the next page's, and both share one in-memory SQLite connection.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for m, page in enumerate(context.pages):
                path = tmp_path / f"failure-{n}-{m}.png"
                page.screenshot(path=path, full_page=True)
                print(f"screenshot of {page.url}: {path}")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
