"""Issue 16's benchmark: the time of one run of the host sampler (``sample_host``, every minute
on every node) and of the installation sample (``sample_installation``, every five minutes).

    uv run python bench/sampler.py [--runs 30]

A throw-away SQLite site in a temporary folder (``lpse migrate``), Django set up in this process
as the scheduler process has it: prometheus-client's multiprocess mode on (the sampler reads the
web workers' counter files), one uplink target (a listening 127.0.0.1 socket of this process).
Each round times, in turn: one ``sample_host`` (psutil's disks, memory, CPU, network, TCP
connections; the request counters; the uplink; the rows written; the thresholds checked), one
``sample_installation`` (database and table sizes), and the two baselines, each the median of
20 calls: one ``/ping/`` through the whole middleware stack in process (Django's test client),
and a bare ``SELECT 1``. Printed: the median and p90 in ms and the ratios to both baselines.

Bounded by --runs and --max-seconds; the folder is removed at the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from portal import run_lpse, site_env  # bench/ is on sys.path when run as a script

BASELINE_CALLS = 20


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="rounds (default 30)")
    parser.add_argument("--max-seconds", type=float, default=300, help="bound (default 300)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-sampler-"))
    target = socket.socket()
    try:
        target.bind(("127.0.0.1", 0))
        target.listen(64)
        env = site_env(temp / "data", None)
        print(f"site in {temp}; lpse migrate …", flush=True)
        run_lpse(env, "migrate", "--verbosity", "0")
        metrics_dir = temp / "data" / "metrics" / "bench"
        metrics_dir.mkdir(parents=True)
        env.update(
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),  # before prometheus-client is imported
            LPSE_NODE_NAME="bench",
            LPSE_UPLINK_TARGETS=f"127.0.0.1:{target.getsockname()[1]}",
        )
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        from lpse.operations import tasks
        from lpse.operations.models import Sample

        client = Client(HTTP_HOST="127.0.0.1")

        def ping() -> None:
            assert client.get("/ping/").status_code == 200

        def select_one() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        def baseline(call: Callable[[], None]) -> float:
            return statistics.median(timed(call) for _ in range(BASELINE_CALLS))

        for call in (tasks.sample_host, tasks.sample_installation, ping, select_one):
            call()  # imports, first connection, the sampler's first (rate-less) run
        times: dict[str, list[float]] = {
            "sample_host": [],
            "sample_installation": [],
            "/ping/": [],
            "SELECT 1": [],
        }
        deadline = time.monotonic() + args.max_seconds
        for _ in range(args.runs):
            if time.monotonic() > deadline:
                break
            times["/ping/"].append(baseline(ping))
            times["sample_host"].append(timed(tasks.sample_host))
            times["SELECT 1"].append(baseline(select_one))
            times["sample_installation"].append(timed(tasks.sample_installation))
            time.sleep(1.0)  # a new second: one row per metric and second is kept
        rows_per_run = Sample.objects.filter(node="bench").count() / (len(times["/ping/"]) + 1)

        print()
        print(
            f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · {platform.platform()} · Python {platform.python_version()} "
            f"· {len(times['/ping/'])} rounds · {rows_per_run:.0f} rows per host sample"
        )
        ping_ms = statistics.median(times["/ping/"]) * 1000
        select_ms = statistics.median(times["SELECT 1"]) * 1000
        print(f"{'what':<20} {'median ms':>10} {'p90 ms':>8} {'× /ping/':>9} {'× SELECT 1':>11}")
        for name, values in times.items():
            median = statistics.median(values) * 1000
            print(
                f"{name:<20} {median:10.3f} {p90(values) * 1000:8.3f} "
                f"{median / ping_ms:9.1f} {median / select_ms:11.0f}"
            )
        host_ms = statistics.median(times["sample_host"]) * 1000
        print()
        print(
            f"one host sample = {host_ms / ping_ms:.0f} bare requests = "
            f"{100 * host_ms / 60000:.3f} % of the minute between two runs"
        )
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        target.close()
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
