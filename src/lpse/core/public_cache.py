"""Public pages kept ready for anonymous visitors (issue 19): the tender list served from the
shared cache instead of being built for every request.

Invalidation is one version token, not per-URL deletes: every service write that shows on a
cached page calls ``public_pages_changed()``, which puts a new token in the cache once the
write's transaction commits; page keys contain the token, so every page built before the
change is unreachable at once and ages out. A request reads the token *before* it reads the
database, so a page built from data older than a change is stored under the token that the
change already replaced, and nobody reads it.

What is never served from or stored in this cache: anything for a signed-in user; a request
carrying a session or messages cookie (a message waiting to be shown is per person); an answer
that is not a plain 200 or that sets a cookie. The page's CSRF tokens (the language switch is a
POST form on every page) are stored as a placeholder and each visitor gets their own token when
the page is served.

The cache is Django's ``default`` one (settings.CACHES): Redis with ``LPSE_CACHE_URL`` on several
nodes, else files in the data folder, shared by every worker process of the one node that the
embedded mode runs on. Not the database cache: on SQLite each stored page would be one more
write queueing for the database's single writer lock that bids and the ceremony need.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

VERSION_KEY = "lpse:public-pages:version"
# A page lives at most this long (s): it bounds what no write announces — a tender entering a
# stage by the clock elsewhere in a stage-filtered list. A page whose own rows change stage
# sooner says so (``expires_at``), and is kept only until then.
MAX_AGE = 60
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_PLACEHOLDER = b"\x00lpse-csrf\x00"


def public_pages_changed() -> None:
    """A write that shows on public pages is about to commit: after it does, no page built
    before it is served again. Call inside the write's transaction (or outside one: then now)."""
    transaction.on_commit(_bump)


def _bump() -> None:
    # A new random token rather than incr: two writers bumping at once both invalidate, on
    # every backend (the file cache's incr is a read and a write).
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def cached_count(name: str, compute) -> int:
    """A public list's total (``name`` says which filters), counted once per version of the
    public pages: the list's one query that reads every matching row. Shared with signed-in
    users, as a count says nothing about who asks."""
    key = f"lpse:public-count:{_version()}:{hashlib.sha256(name.encode()).hexdigest()}"
    count = cache.get(key)
    if count is None:
        count = compute()
        cache.set(key, count, MAX_AGE)
    return count


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    cookies = request.COOKIES
    return not (
        settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in cookies
    )


def _key(request, version: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"lpse:public-page:{version}:{translation.get_language()}:{path}"


def expires_at(response: HttpResponse, when: datetime | None) -> None:
    """The view says when its page goes out of date by itself (a schedule boundary)."""
    response.lpse_expires_at = when  # type: ignore[attr-defined]


def _timeout(response: HttpResponse) -> int:
    when = getattr(response, "lpse_expires_at", None)
    if when is None:
        return MAX_AGE
    return max(0, min(MAX_AGE, int((when - timezone.now()).total_seconds())))


def _serve(request, stored: tuple[bytes, str]) -> HttpResponse:
    content, content_type = stored
    if _PLACEHOLDER in content:
        content = content.replace(_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    response["X-LPSE-Cache"] = "hit"
    return response


def _store(key: str, response: HttpResponse) -> None:
    if response.status_code != 200 or response.cookies or response.streaming:
        return
    timeout = _timeout(response)
    if timeout <= 0:
        return
    content = _TOKEN.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
    cache.set(key, (content, response["Content-Type"]), timeout)


def cached_for_anonymous(view):
    """Serve ``view``'s page to anonymous visitors from the shared cache (see the module)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request, _version())  # before the view reads the database
        stored = cache.get(key)
        if stored is not None:
            return _serve(request, stored)
        response = view(request, *args, **kwargs)
        _store(key, response)
        response["X-LPSE-Cache"] = "miss"
        return response

    return wrapper
