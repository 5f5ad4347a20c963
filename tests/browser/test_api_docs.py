"""The API's documentation page draws under the site's CSP (issue 15: `/api/v1/docs` was blank,
Swagger UI came from a CDN the CSP blocks). The assets are django-ninja's own static files,
served by the site; the page must list the API's operations with no script refused."""

from __future__ import annotations

from playwright.sync_api import expect


def test_issue15_the_api_docs_draw_with_the_sites_own_assets(page):
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else None
        ),
    )
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/tenders")
    assert not refused, refused
    assert not outside, outside
