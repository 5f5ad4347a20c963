"""Request counters by route group (R-5.4): kept by prometheus-client, so that ``/metrics`` and
the sampler read the same numbers, summed over every gunicorn worker of this node (its
multiprocess mode, on when ``PROMETHEUS_MULTIPROC_DIR`` is set, as ``lpse serve`` does)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from lpse.operations.readings import Reading

REQUESTS = Counter(
    "lpse_http_requests",
    "HTTP requests answered, by route group and status class",
    ["group", "status"],
)
LATENCY = Histogram(
    "lpse_http_request_seconds",
    "Time to answer, by route group",
    ["group"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def registry() -> CollectorRegistry:
    """What this node has counted: every worker's files in multiprocess mode, else this
    process's own registry (tests, ``runserver``)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        MultiProcessCollector(collected)
        return collected
    return REGISTRY


def totals() -> dict[str, float]:
    """Cumulative counters by "metric|labels": requests (a ``_per_s`` rate in the samples),
    server errors, and the latency histogram's sum and count; group=all sums the groups."""
    values: dict[str, float] = defaultdict(float)
    for family in registry().collect():
        for s in family.samples:
            group = s.labels.get("group")
            if group is None:
                continue
            if s.name == "lpse_http_requests_total":
                keys = ["requests_per_s"]
                if s.labels.get("status") == "5xx":
                    keys.append("request_errors")
            elif s.name == "lpse_http_request_seconds_sum":
                keys = ["request_seconds_sum"]
            elif s.name == "lpse_http_request_seconds_count":
                keys = ["request_seconds_count"]
            else:
                continue
            for key in keys:
                values[f"{key}|group={group}"] += s.value
                values[f"{key}|group=all"] += s.value
    return dict(values)


def rates(
    delta: Callable[[str], float | None], now: dict[str, float], seconds: float
) -> Iterator[Reading]:
    """Mean latency (ms) and the share of 5xx answers (%) between two runs, per group."""
    for key in now:
        metric, labels = key.split("|", 1)
        if metric != "request_seconds_count":
            continue
        count = delta(key)
        if not count:
            continue
        total = delta(f"request_seconds_sum|{labels}")
        if total is not None:
            yield Reading("latency_ms", round(1000.0 * total / count, 2), labels)
        answered = delta(f"requests_per_s|{labels}") or count
        errors = delta(f"request_errors|{labels}") or 0.0
        yield Reading("error_rate_percent", round(100.0 * errors / answered, 2), labels)
