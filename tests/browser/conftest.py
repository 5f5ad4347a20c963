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
TIMEOUT_MS = 10_000


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
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed")
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
def new_page(request, chromium, site_url, tmp_path):
    """``new_page()`` → a page in a fresh browser context (its own cookies: one per person),
    speaking English to the live server. On failure each page is saved as a screenshot."""
    contexts = []

    def make():
        context = chromium.new_context(
            base_url=site_url,
            locale="en-US",
            extra_http_headers={"Accept-Language": "en"},
        )
        context.set_default_timeout(TIMEOUT_MS)
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
