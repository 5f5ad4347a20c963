"""Issue 16's benchmark: what the request-metrics middleware costs the bare view ``/ping/``.

    uv run python bench/request_metrics.py [--requests 20000] [--rounds 20] [--concurrency 4]

Two copies of one throw-away SQLite site, each served by its own ``lpse serve`` (two gunicorn
workers, prometheus-client's multiprocess mode on, as in production), on free 127.0.0.1 ports:
one with ``LPSE_REQUEST_METRICS=0`` (no middleware: the baseline), one with ``=1``. ``/ping/``
(no query, no template) is the view where the middleware's share is largest. The two servers are
measured in many short alternating slices (A B B A A B …) so that both see the same load on the
shared machine; the result is the median over the slices of the ratio of requests per second
(robust to a slice that another process on the machine disturbed), and the ratio of the totals
beside it. Goal: the middleware costs < 5 %.

A check that the measured thing is the thing: the metered server's ``/metrics`` must count at
least the requests sent to it, the other none.

Bounded: each slice stops after its share of --requests or of --max-seconds; every request has a
socket timeout; both servers and the folder are removed at the end, on an error and on Ctrl-C.
Load goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from portal import Result, Server, free_port, measure, run_lpse, site_env  # bench/ on sys.path

PATH = "/ping/"
# The middleware's own work for one answer, in multiprocess mode, timed in a process of its own
# (prometheus-client picks its mode when imported): the noise-free part of the figure.
OWN_WORK = """
import time
from lpse.operations.requests import LATENCY, REQUESTS
n = 200_000
started = time.perf_counter()
for _ in range(n):
    t0 = time.perf_counter()
    REQUESTS.labels("portal", "2xx").inc()
    LATENCY.labels("portal").observe(time.perf_counter() - t0)
print((time.perf_counter() - started) / n)
"""


def counted_requests(port: int) -> float:
    """The sum of ``lpse_http_requests_total`` on a server's ``/metrics`` (loopback is let in)."""
    import http.client

    from prometheus_client.parser import text_string_to_metric_families

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        text = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"/metrics answered {response.status}")
    finally:
        conn.close()
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "lpse_http_requests_total"
    )


def own_work_seconds(folder: Path) -> float:
    folder.mkdir()
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(folder))
    done = subprocess.run(  # noqa: S603 — our own interpreter and fixed code
        [sys.executable, "-c", OWN_WORK], env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return float(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per server")
    parser.add_argument("--rounds", type=int, default=20, help="slices per server (default 20)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="LPSE_WORKERS of each server")
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="bound per server (default 120)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="socket timeout, s")
    args = parser.parse_args(argv)
    if min(args.requests, args.rounds, args.concurrency, args.workers) < 1:
        parser.error("counts must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-metrics-"))
    servers: dict[str, Server] = {}
    try:
        env_off = site_env(temp / "off", None)
        print(f"site in {temp}; lpse migrate …", flush=True)
        run_lpse(env_off, "migrate", "--verbosity", "0")
        # A copy for the second server: each data folder has its own gunicorn control socket,
        # metrics folder and scheduler heartbeat, so two servers never share one.
        shutil.copytree(temp / "off", temp / "on")
        for name, flag in (("off", "0"), ("on", "1")):
            env = dict(
                site_env(temp / name, None),
                LPSE_REQUEST_METRICS=flag,
                LPSE_NODE_NAME=f"bench-{name}",
            )
            servers[name] = Server(env, free_port(), args.workers, temp / f"{name}.log")
        for server in servers.values():
            server.wait_healthy(timeout=120)
        print(
            f"two lpse serve, {args.workers} workers × 4 threads each, {args.concurrency} client "
            f"threads; {args.requests} requests of {PATH} per server in {args.rounds} slices",
            flush=True,
        )

        def slice_of(name: str, requests: int, seconds: float) -> Result:
            return measure(
                servers[name].port,
                name,
                PATH,
                requests=requests,
                concurrency=args.concurrency,
                max_seconds=seconds,
                timeout=args.timeout,
            )

        for name in servers:  # every worker imports and answers once before the clock starts
            slice_of(name, 50 * args.workers, 30)
        sent = {name: 50 * args.workers + 1 for name in servers}  # + the health probe
        totals = {name: Result(name, PATH) for name in servers}
        ratios = []
        per_slice = -(-args.requests // args.rounds)
        for i in range(args.rounds):
            order = ("off", "on") if i % 2 == 0 else ("on", "off")
            done = {}
            for name in order:
                done[name] = slice_of(name, per_slice, args.max_seconds / args.rounds)
                totals[name].add(done[name])
                sent[name] += done[name].count + done[name].errors
            ratios.append(done["on"].rps / done["off"].rps)
            print(
                f"  slice {i + 1}: off {done['off'].rps:6.0f} req/s, on {done['on'].rps:6.0f} "
                f"req/s, on/off {ratios[-1]:.3f}",
                flush=True,
            )
        if any(r.errors or not r.count for r in totals.values()):
            first = next(r.first_error for r in totals.values() if r.first_error or not r.count)
            print(f"error: requests failed ({first})", file=sys.stderr)
            return 1

        counted = {name: counted_requests(server.port) for name, server in servers.items()}
        if counted["on"] < sent["on"] or counted["off"] != 0:
            print(f"error: /metrics counted {counted}, sent {sent}", file=sys.stderr)
            return 1

        off, on = totals["off"], totals["on"]
        ratio = on.rps / off.rps
        print()
        print(
            f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · {platform.platform()} · Python {platform.python_version()}"
        )
        print(f"{'server':<22} {'ok':>6} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}")
        for label, result in (("without middleware", off), ("with middleware", on)):
            print(
                f"{label:<22} {result.count:>6} {result.p50 * 1000:7.2f} {result.p95 * 1000:7.2f} "
                f"{result.rps:7.0f}"
            )
        median = statistics.median(ratios)
        own = own_work_seconds(temp / "own-work")
        print()
        print(
            f"req/s with ÷ without, median of {len(ratios)} slices = {median:.3f} → the middleware "
            f"costs {100 * (1 - median):.1f} % of the bare view's throughput (goal < 5 %)"
        )
        print(
            f"ratio of the totals {ratio:.3f}; per-slice ratios {min(ratios):.3f}–{max(ratios):.3f}; "
            f"p50 {(on.p50 - off.p50) * 1e6:+.0f} µs; /metrics counted {counted['on']:.0f} of the "
            f"{sent['on']} requests sent to the metered server, 0 on the other"
        )
        print(
            f"the middleware's own work (a counter and a histogram, multiprocess mode), in process: "
            f"{own * 1e6:.1f} µs per answer = {100 * own / off.p50:.1f} % of the bare view's p50 "
            f"without it ({off.p50 * 1000:.2f} ms)"
        )
        return 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        for server in servers.values():
            print(server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
