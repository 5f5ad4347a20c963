from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from lpse.core import hooks
from lpse.core.capabilities import public
from lpse.core.hashing import RunningFingerprint


@public
def home(request):
    context: dict = {}
    for extra in hooks.home_page_extras.call(request):
        context.update(extra)
    return render(request, "portal/home.html", context)


@public
def health(request):
    """For load balancers and the 'is the site up' duty (R-5.6): 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "error": type(exc).__name__}, status=503)


@public
def ping(request):
    """A bare view with no database query or template: the baseline of bench/portal.py."""
    return HttpResponse("ok", content_type="text/plain")


@public
@csrf_exempt
def bench_sink(request):
    """The baseline of bench/bid_intake.py, routed only when ``LPSE_BENCH`` is on: the request
    body read in 1 MiB chunks, hashed (SHA-256 and MD5, as a bid is) and written durably to a
    temporary file that is then removed. No session, no database, no upload protocol."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return HttpResponse("send the bytes with POST, PUT or PATCH", content_type="text/plain")
    remaining = int(request.headers.get("Content-Length") or 0)
    running = RunningFingerprint()
    folder = Path(settings.MEDIA_ROOT) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="bench-sink-") as out:
        while remaining > 0:
            chunk = request.read(min(1024 * 1024, remaining))
            if not chunk:
                break
            running.update(chunk)
            out.write(chunk)
            remaining -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return JsonResponse(
        {"size": running.size, "sha256": running.sha256.hexdigest(), "md5": running.md5.hexdigest()}
    )
