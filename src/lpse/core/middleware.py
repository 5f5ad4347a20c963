"""Security headers beyond Django's own (R-4.1) and the interface language."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotAllowed
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from lpse.core import security_log
from lpse.core.client_address import client_address
from lpse.core.storage import BlobUnavailable, StorageFull, StorageUnavailable
from lpse.core.views import blob_unavailable, method_not_allowed, storage_failed

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


# The methods the site and its API use. TRACE, TRACK, CONNECT and the WebDAV verbs are refused
# whatever the page (ASVS V13.4.4): a view without a method decorator used to answer TRACE 200.
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            response = HttpResponseNotAllowed(ALLOWED_METHODS)
        else:
            response = self.get_response(request)
            if "Cache-Control" not in response and _signed_in(request):
                # A signed-in page holds someone's data: no shared or back-button copy of it
                # (ASVS V14.3.2). Pages that set their own caching (downloads, the API) keep it.
                add_never_cache_headers(response)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class LanguageMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose English with the language switch (a cookie).

    The browser's Accept-Language is ignored on purpose: many Indonesian offices run browsers
    set to English, and the service speaks Indonesian to them until someone asks otherwise.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MethodNotAllowedPageMiddleware:
    """Turns the empty 405 of ``require_POST``/``require_http_methods`` into the error page.

    Django answers a GET on a form's target with an empty ``HttpResponseNotAllowed``; a person
    who followed a link there saw a blank page. The API keeps its own answers (JSON clients
    read the status and the Allow header, not a page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not getattr(response, "streaming", False)
            and not response.content
            and not request.path.startswith("/api/")
        ):
            return method_not_allowed(request, response.get("Allow", ""))
        return response


class BlobUnavailablePageMiddleware:
    """A download of a file the virus scanner holds or refused (``storage.open_blob``) answers
    with a page saying so, whichever view asked for it (R-4.4). So does a file store that is
    down or full (issue 21): a 503 saying what failed and what to do, instead of a bare 500,
    for every view that did not handle it itself (a download, a generated PDF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BlobUnavailable):
            return blob_unavailable(request, exception.blob)
        if isinstance(exception, StorageUnavailable | StorageFull):
            return storage_failed(request, exception)
        return None


BURST_WINDOW_SECONDS = 300
BURST_SIZE = 20  # refusals from one address in one window that make a burst


class RefusalBurstMiddleware:
    """Counts 403 and 404 answers per client address in the shared cache, and records a burst
    (a scan for admin pages, a guessed-ID walk) once per address and window (R-4.4); each 403
    before the burst is recorded too. Only the refused requests touch the cache; the others
    cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            self._count(request, response.status_code)
        return response

    @staticmethod
    def _count(request, status: int) -> None:
        address = client_address(request)
        window = int(time.time()) // BURST_WINDOW_SECONDS
        key = f"security:refusals:{address}:{window}"
        cache.add(key, 0, BURST_WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            return
        if status == 403 and count < BURST_SIZE:
            # Each authorization refusal on its own (ASVS V16.3.2), up to the burst: beyond it
            # the burst's one line stands for the rest, so a flood cannot flood the log.
            user = getattr(request, "user", None)
            security_log.record(
                "authorization.refused",
                address=address,
                username=getattr(user, "username", "") or "",
                method=request.method,
                path=request.path[:200],
            )
        if count == BURST_SIZE:
            security_log.record(
                "refusals.burst",
                address=address,
                count=count,
                window_seconds=BURST_WINDOW_SECONDS,
                last_status=status,
                last_path=request.path[:200],
            )
