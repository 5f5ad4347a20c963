"""One run of the host sampler (R-5.1, R-5.2, R-5.4): what psutil reads on this node, as
(metric, labels, value) readings.

Counters (network bytes, packets, CPU time, requests) are turned into rates against the previous
run's counters, kept in the shared cache under this node's name; the first run after a restart
has no rate yet and records only the gauges.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import psutil
from django.conf import settings
from django.core.cache import cache

from lpse.operations import requests as request_counters
from lpse.operations.readings import Reading

# File systems that are not disks an administrator fills: psutil lists them on some hosts.
PSEUDO_FS = {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "nsfs", "tracefs"}
PREVIOUS_KEY = "operations:counters:{node}"
PREVIOUS_TTL = 6 * 3600


def disks() -> Iterator[Reading]:
    seen: set[int] = set()
    mounts = [("data", str(settings.DATA_DIR))]
    mounts += [
        (part.mountpoint, part.mountpoint)
        for part in psutil.disk_partitions(all=False)
        if part.fstype not in PSEUDO_FS and not part.mountpoint.startswith("/snap")
    ]
    for label, path in mounts:
        try:
            device = os.stat(path).st_dev
            usage = psutil.disk_usage(path)
        except OSError:  # a mount that went away between the listing and the reading
            continue
        if label != "data":
            if device in seen:
                continue
            seen.add(device)
        labels = f"mount={label}"
        yield Reading("disk_used_percent", usage.percent, labels)
        yield Reading("disk_free_bytes", float(usage.free), labels)


def memory() -> Iterator[Reading]:
    yield Reading("memory_used_percent", psutil.virtual_memory().percent)
    yield Reading("swap_used_percent", psutil.swap_memory().percent)
    yield Reading("load_per_cpu", os.getloadavg()[0] / (os.cpu_count() or 1))


def open_connections() -> Iterator[Reading]:
    try:
        established = sum(
            1 for c in psutil.net_connections(kind="tcp") if c.status == psutil.CONN_ESTABLISHED
        )
    except psutil.AccessDenied:  # not root on a host that hides other users' sockets
        return
    yield Reading("connections_open", float(established))


def counters() -> dict[str, float]:
    """Every cumulative counter of this node, by "metric|labels"."""
    values: dict[str, float] = {}
    cpu = psutil.cpu_times()
    values["cpu_busy|"] = sum(cpu) - cpu.idle - getattr(cpu, "iowait", 0.0)
    values["cpu_total|"] = sum(cpu)
    for iface, io in psutil.net_io_counters(pernic=True).items():
        values[f"net_received_bytes_per_s|iface={iface}"] = float(io.bytes_recv)
        values[f"net_sent_bytes_per_s|iface={iface}"] = float(io.bytes_sent)
        values[f"net_received_packets_per_s|iface={iface}"] = float(io.packets_recv)
        values[f"net_sent_packets_per_s|iface={iface}"] = float(io.packets_sent)
    values.update(request_counters.totals())
    return values


def rates(now: dict[str, float], before: dict[str, float], seconds: float) -> Iterator[Reading]:
    """Per-second rates of the counters, and the figures made of two counters (CPU %, request
    latency and error rate). A counter that went down (a restart) gives no rate this time."""

    def delta(key: str) -> float | None:
        # A counter missing from the previous run started since (a first request to a route
        # group, a new interface): it counted from zero.
        if key not in now or now[key] < before.get(key, 0.0):
            return None
        return now[key] - before.get(key, 0.0)

    busy, total = delta("cpu_busy|"), delta("cpu_total|")
    if busy is not None and total:
        yield Reading("cpu_percent", round(100.0 * busy / total, 2))
    for key in now:
        metric, labels = key.split("|", 1)
        change = delta(key)
        if change is None:
            continue
        if metric.endswith("_per_s"):
            yield Reading(metric, change / seconds, labels)
    yield from request_counters.rates(delta, now, seconds)


def sample(node: str | None = None, clock=time.time) -> list[Reading]:
    """Read this node once. ``clock`` is for tests that need two runs a known time apart."""
    node = node or settings.LPSE_NODE_NAME
    readings = [*disks(), *memory(), *open_connections()]
    current = counters()
    at = clock()
    key = PREVIOUS_KEY.format(node=node)
    previous = cache.get(key)
    cache.set(key, {"at": at, "counters": current}, PREVIOUS_TTL)
    if previous and at > previous["at"]:
        readings.extend(rates(current, previous["counters"], at - previous["at"]))
    return readings
