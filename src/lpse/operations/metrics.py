"""``/metrics`` in Prometheus's text format (R-5.4), for the LPSE's own Prometheus or LKPP's.

Every gunicorn worker of this node is counted (prometheus-client's multiprocess mode, set up by
``lpse serve``), plus the newest sample of each host metric as a gauge. Open only with the
bearer token ``LPSE_METRICS_TOKEN`` or from an address in ``LPSE_METRICS_ALLOW``; with neither
configured, from loopback only.
"""

from __future__ import annotations

import hmac
import ipaddress
import re

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from lpse.core.client_address import client_address
from lpse.operations import requests as request_counters
from lpse.operations import selectors

LOOPBACK = ["127.0.0.0/8", "::1/128"]


# Headers a reverse proxy adds: behind nginx on the same host every visitor's REMOTE_ADDR is
# 127.0.0.1, so the loopback default must not let a proxied request in.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def proxied(request) -> bool:
    return any(name in request.headers for name in PROXY_HEADERS)


def allowed(request) -> bool:
    token = settings.LPSE_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    networks = settings.LPSE_METRICS_ALLOW or ([] if token or proxied(request) else LOOPBACK)
    try:
        # The allow-list is checked against the client as the lock-out sees it: behind trusted
        # proxies the address the outermost one saw (LPSE_PROXY_COUNT).
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def _label_pairs(labels: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in labels.split(",") if "=" in pair)


class SampleCollector:
    """The newest sample of each metric, as ``lpse_<metric>{node=…, …}`` gauges."""

    def collect(self):
        families: dict[str, GaugeMetricFamily] = {}
        for sample in selectors.latest():
            name = "lpse_" + re.sub(r"[^a-zA-Z0-9_]", "_", sample.metric)
            extra = _label_pairs(sample.labels)
            family = families.get(name)
            if family is None:
                family = families[name] = GaugeMetricFamily(
                    name, f"Newest sample of {sample.metric}", labels=["node", *sorted(extra)]
                )
            family.add_metric([sample.node, *(extra[k] for k in sorted(extra))], sample.value)
        yield from families.values()


def exposition() -> bytes:
    registry = CollectorRegistry()
    registry.register(SampleCollector())
    return generate_latest(request_counters.registry()) + generate_latest(registry)


def metrics_view(request):
    if not allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
