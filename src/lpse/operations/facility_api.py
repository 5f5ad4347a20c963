"""``POST /sensor/v1/readings``: the facility sensors' ingestion API (R-4.3).

A machine endpoint: no session, no CSRF (nothing here acts for a signed-in person), its own
bearer token per device (services.facility). It stays open during a maintenance window (the
/sensor/ prefix), since a UPS on battery must still be heard then. Every refusal is a JSON
``{"error": …}`` and stores nothing.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lpse.core.capabilities import public
from lpse.operations.services import facility, facility_ingest

MAX_BODY = 256 * 1024  # 500 readings fit many times over


def rate_per_minute() -> int:
    return int(settings.LPSE_FACILITY_RATE_PER_MINUTE)


def _error(status: int, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"error": str(message), **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lpse-sensor"'
    return response


def _over_rate(device_pk: int) -> int:
    """Seconds to wait when the device has sent too many batches this minute, else 0. Counted
    in the shared cache, so every web worker and node counts together."""
    now = time.time()
    window = int(now) // 60
    key = f"facility:rate:{device_pk}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh window
        return 0
    return 60 - int(now) % 60 if count > rate_per_minute() else 0


# Token-authenticated (not a person's capability): every caller reaches the view, which answers
# 401 without a valid device token. ``machine_token`` tells the authorization matrix so.
@csrf_exempt
@public
@never_cache
@require_POST
def readings(request):
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, _("Send the device's token: Authorization: Bearer <token>."))
    device = facility.device_for_token(token.strip())
    if device is None:
        return _error(401, _("This token is unknown, revoked or replaced by a newer one."))
    wait = _over_rate(device.pk)
    if wait:
        response = _error(
            429, _("Too many batches from this device: send fewer, larger ones."), retry_after=wait
        )
        response["Retry-After"] = str(wait)
        return response
    if len(request.body) > MAX_BODY:
        return _error(413, _("The batch is too large: send at most 500 readings at a time."))
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _error(400, _("The body is not valid JSON."))
    try:
        result = facility_ingest.readings_accept(device=device, body=body)
    except facility_ingest.ReadingRefused as exc:
        extra = {} if exc.index is None else {"reading": exc.index}
        return _error(exc.status, exc.message, **extra)
    if result.replay:
        return JsonResponse({"status": "already have it", "stored": 0})
    return JsonResponse(
        {"status": "stored", "stored": result.stored, "current_changed": result.current_changed}
    )


readings.machine_token = True  # read by the authorization matrix (a 401 is its refusal)
