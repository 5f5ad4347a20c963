"""The internet uplink check (R-5.2): a TCP connection to each configured target.

Only the targets in ``LPSE_UPLINK_TARGETS`` are ever contacted (host:port, e.g. the regency's
router, the national DNS, spse.inaproc.id:443); with none configured nothing is checked. Tests
and the demo use loopback addresses only.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

from django.conf import settings

from lpse.operations.readings import Reading

TIMEOUT_SECONDS = 3.0


def split_target(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    return host.strip("[]"), int(port)


def check(target: str, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, float]:
    """(reachable, milliseconds to connect)."""
    host, port = split_target(target)
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError:
        return False, (time.perf_counter() - started) * 1000
    return True, (time.perf_counter() - started) * 1000


def readings(targets: list[str] | None = None) -> Iterator[Reading]:
    for target in settings.LPSE_UPLINK_TARGETS if targets is None else targets:
        up, millis = check(target)
        labels = f"target={target}"
        yield Reading("uplink_up", 1.0 if up else 0.0, labels)
        if up:
            yield Reading("uplink_latency_ms", round(millis, 2), labels)
