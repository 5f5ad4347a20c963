"""Maintenance mode (R-5.3): while a planned window is in force, every request but the exempt
ones answers 503 with ``Retry-After`` — the page in the layout, the API in JSON.

Every request asks, so the answer must be cheap: the windows not yet over are read from the
database at most once per ``CACHE_SECONDS`` for the whole installation (the shared cache) and
compared with the clock here, so a window still starts and ends to the second. Planning,
cancelling and ending a window drop the cached copy (``invalidate``).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, has_capability
from lpse.operations.models import MaintenanceWindow

log = logging.getLogger(__name__)

CACHE_SECONDS = 15
# More than one window ahead is rare; a handful is all a banner or the mode ever needs.
CACHED_WINDOWS = 10
# Probes, metrics, static files, the language switch and the operators' own pages stay up; so
# does the reserved sensor ingestion (issue 17), whose readings matter most during works.
EXEMPT_PREFIXES = ("/health/", "/metrics", "/i18n/", "/jsi18n/", "/operasi/", "/sensor/")


@dataclass(frozen=True)
class WindowTimes:
    """What a request needs of a window, small enough to cache."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    announce_from: datetime
    reason: str

    def in_force(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def announced(self, now: datetime) -> bool:
        return self.announce_from <= now < self.ends_at


def _cache_key() -> str:
    # Keyed by the database the windows live in: a training sandbox or a second installation
    # sharing the Redis must not close because production did.
    where = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]
    return f"operations:maintenance-windows:{where}"


def _load(now: datetime) -> tuple[WindowTimes, ...]:
    rows = MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, ended_early_at__isnull=True, ends_at__gt=now
    ).order_by("starts_at")[:CACHED_WINDOWS]
    return tuple(WindowTimes(w.pk, w.starts_at, w.ends_at, w.announce_from, w.reason) for w in rows)


def windows_ahead(now: datetime | None = None) -> tuple[WindowTimes, ...]:
    """The windows not over, not cancelled and not ended early, soonest first (cached)."""
    now = now or timezone.now()
    key = _cache_key()
    try:
        cached = cache.get(key)
    except Exception:  # a cache server gone must not take every page down with it
        log.exception("maintenance windows: cache unreadable")
        cached = None
    if cached is not None:
        return cached
    windows = _load(now)
    try:
        cache.set(key, windows, CACHE_SECONDS)
    except Exception:
        log.exception("maintenance windows: cache unwritable")
    return windows


def invalidate() -> None:
    """Drop the cached windows: the next request reads them again."""
    try:
        cache.delete(_cache_key())
    except Exception:  # the entry then lives out its few seconds
        log.exception("maintenance windows: cache entry not dropped")


def in_force(
    now: datetime | None = None, windows: tuple[WindowTimes, ...] | None = None
) -> WindowTimes | None:
    """The window in force now (the one ending last, should two overlap), as
    ``selectors.window_in_force`` says, from the cache (or from ``windows`` already read)."""
    now = now or timezone.now()
    ahead = windows_ahead(now) if windows is None else windows
    current = [w for w in ahead if w.in_force(now)]
    return max(current, key=lambda w: w.ends_at) if current else None


def announced(
    now: datetime | None = None, windows: tuple[WindowTimes, ...] | None = None
) -> list[WindowTimes]:
    """The windows to announce on every page now (R-5.3, R-2.3), soonest first."""
    now = now or timezone.now()
    ahead = windows_ahead(now) if windows is None else windows
    return [w for w in ahead if w.announced(now)]


def windows_of(request, now: datetime) -> tuple[WindowTimes, ...]:
    """The windows ahead, read once per request: the middleware and the banner both ask."""
    windows = getattr(request, "_maintenance_windows", None)
    if windows is None:
        windows = request._maintenance_windows = windows_ahead(now)
    return windows


def retry_after(window: WindowTimes, now: datetime) -> int:
    return max(1, math.ceil((window.ends_at - now).total_seconds()))


class MaintenanceModeMiddleware:
    """After the session policy, so ``request.user`` is known and already held to its rules."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._sign_in_paths: frozenset[str] | None = None

    def __call__(self, request):
        if not self._exempt(request.path_info):
            now = timezone.now()
            try:
                window = in_force(now, windows_of(request, now))
            except DatabaseError:
                # The database is down: the page itself will say so; the probes report it.
                window = None
            if window is not None and not has_capability(request.user, Cap.MANAGE_OPERATIONS):
                return unavailable(request, window, now)
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        if path.startswith((*EXEMPT_PREFIXES, settings.STATIC_URL)):
            return True
        if self._sign_in_paths is None:
            # Administrators must be able to sign in (and out) to work during the window.
            self._sign_in_paths = frozenset(
                reverse(name) for name in ("accounts:login", "accounts:otp", "accounts:logout")
            )
        return path in self._sign_in_paths


def unavailable(request, window: WindowTimes, now: datetime):
    seconds = retry_after(window, now)
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "The service is closed for planned maintenance until %(end)s. "
                    "Try again after that time."
                )
                % {"end": wita_text(window.ends_at)},
                "ends_at": window.ends_at.isoformat(),
                "retry_after": seconds,
            },
            status=503,
        )
    else:
        response = render(
            request,
            "errors/503.html",
            {
                "window": window,
                "starts_text": wita_text(window.starts_at),
                "ends_text": wita_text(window.ends_at),
                "maintenance_page": True,
            },
            status=503,
        )
    response["Retry-After"] = str(seconds)
    # Planned, not a fault: not logged as a server error at every request of the window.
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by Django's log_response
    # A proxy or browser that kept this answer would keep the site "closed" after the window.
    add_never_cache_headers(response)
    return response
