"""Take a full-page PNG screenshot of a URL with Debian's Chromium (for docs/screenshot.png).

    uv run python scripts/screenshot.py http://127.0.0.1:8000/ docs/screenshot.png

Uses the same headless Chromium settings as the browser tests; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="page to capture, e.g. http://127.0.0.1:8000/")
    parser.add_argument("output", type=Path, help="PNG file to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (default 1280)")
    parser.add_argument("--height", type=int, default=800, help="viewport height (default 800)")
    parser.add_argument(
        "--lang",
        choices=["id", "en"],
        help="interface language, as the site's language switch sets it (default: the site's, "
        "Indonesian)",
    )
    parser.add_argument(
        "--chromium", type=Path, default=CHROMIUM, help=f"browser binary (default {CHROMIUM})"
    )
    args = parser.parse_args(argv)

    if not args.chromium.exists():
        print(f"error: {args.chromium} not found; install Debian's chromium", file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        print("error: the playwright package is missing; run `uv sync`", file=sys.stderr)
        return 2

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            if args.lang:
                # The cookie the language switch sets (Django's LANGUAGE_COOKIE_NAME default).
                page.context.add_cookies(
                    [{"name": "django_language", "value": args.lang, "url": args.url}]
                )
            response = page.goto(args.url, wait_until="networkidle")
            if response is None or not response.ok:
                status = response.status if response else "no response"
                print(f"error: {args.url} answered {status}", file=sys.stderr)
                return 1
            page.screenshot(path=args.output, full_page=True)
        except Error as exc:
            print(f"error: {exc.message.splitlines()[0]}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
