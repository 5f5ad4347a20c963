"""The machine-facing endpoints: health for load balancers, metrics for Prometheus."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from lpse.core.capabilities import public
from lpse.operations import health, metrics


@public
@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@public
@never_cache
def ready(request):
    is_ready, detail = health.readiness()
    return JsonResponse(
        {"status": "ok" if is_ready else "fail", "checks": detail}, status=200 if is_ready else 503
    )


# Open to anyone who holds the token or stands in the allow-list (metrics.allowed).
metrics_view = public(never_cache(metrics.metrics_view))
