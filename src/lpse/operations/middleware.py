"""Request metrics (R-5.4) and maintenance mode (R-5.3) as middleware."""

from __future__ import annotations

import time

from lpse.operations.requests import LATENCY, REQUESTS


def route_group(request) -> str:
    """A small, fixed set of labels: the URL namespace (an app), never the path itself, so that
    a crawler's made-up URLs cannot grow the number of series."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace:
        return match.namespace.split(":")[0]
    if request.path.startswith("/static/"):
        return "static"
    if request.path.startswith("/api/"):
        return "api"
    return "other" if match is not None else "unmatched"


class RequestMetricsMiddleware:
    """Counts every answer and its time; outermost, so that it sees the other middleware's
    answers (a redirect to sign in, a 503 in maintenance) and their cost too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        group = route_group(request)
        REQUESTS.labels(group, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(group).observe(time.perf_counter() - started)
        return response
