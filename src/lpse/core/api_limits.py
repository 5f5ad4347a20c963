"""Rate limits of the JSON API per client address (R-9.5, issue 18).

The shared per-address limiter of ``core/public_limits.py`` (a fixed one-minute window in the
shared cache, R-9.11), in the scope "api". Past ``LPSE_API_RATE_PER_MINUTE`` requests the answer
is 429 with the seconds left in the window as Retry-After. A fixed window lets a client make up to twice the rate across
a window's edge; that is enough to keep one harvester from crowding out the portal, and costs one
cache round-trip a request.
"""

from __future__ import annotations

from django.conf import settings

from lpse.core.api_errors import ApiError
from lpse.core.public_limits import WINDOW_SECONDS, count

__all__ = ["WINDOW_SECONDS", "check_rate", "rate_per_minute"]


def rate_per_minute() -> int:
    return settings.LPSE_API_RATE_PER_MINUTE


def check_rate(request) -> None:
    """Count this request against its address; ApiError(429) once the window's count is spent."""
    refusal = count(request, "api")
    if refusal is not None:
        raise ApiError(429, refusal.message, headers={"Retry-After": str(refusal.retry_after)})
