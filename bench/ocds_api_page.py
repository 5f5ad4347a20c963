"""Issue 18's benchmark: a page of the OCDS release list of the API against a bare view (R-9.5).

    uv run python bench/ocds_api_page.py [--releases 100000] [--requests 300] [--rounds 3]
    uv run python bench/ocds_api_page.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Builds a throw-away site in a temporary folder (SQLite there, or with ``--database-url`` a fresh
``lpse_bench_ocds`` database on that *local* PostgreSQL server, dropped first and at the end) and
stores ``--releases`` tender releases as the publisher stores them (``OCDSRelease`` rows whose
``data`` has the shape and size of a real tender release, bench/ocds_bulk.py makes them). Starts
``lpse serve`` (``--workers``, production settings, the API's rate limit off as for a trusted
mirror: ``LPSE_API_RATE_PER_MINUTE=0``) and, from one keep-alive client, in ``--rounds`` slices
alternating with slices of the baseline — ``/ping/``, a bare view with no query behind the same
middleware — GETs:

  * ``/api/v1/ocds/releases?since=<s>&limit=100``: a page of 100 releases at a cursor drawn at
    random over the stored ones (a harvester's page; cursor paging);
  * the same with the page's ETag in If-None-Match (a harvester asking again: 304).

Prints p50 and p95 of each and their ratio to the baseline's. Bounded: each slice stops after its
share of ``--requests`` or ``--max-seconds``; every request has a socket timeout; the server and
the temporary folder are removed at the end, on an error and on Ctrl-C. Results: bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from ocds_bulk import _fill

DB_NAME = "lpse_bench_ocds"


def _timed(browser: harness.Browser, path: str, headers: dict, expect: int) -> float:
    began = time.perf_counter()
    status, _h, body = browser.request("GET", path, headers=headers)
    taken = time.perf_counter() - began
    if status != expect:
        raise harness.HttpError(f"{path}: HTTP {status} (wanted {expect}) {body[:200]!r}")
    return taken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per kind of page")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lpse-bench-ocds-api-"))
    admin_url = database_url = None
    server = None
    try:
        if args.database_url:
            admin_url, database_url = harness.postgres_urls(args.database_url, DB_NAME)
            harness.postgres_recreate(admin_url, DB_NAME, create=True)
        env = harness.site_env(folder, database_url)
        env["LPSE_API_RATE_PER_MINUTE"] = "0"
        harness.migrate(env)
        harness.django_setup(env)
        began = time.perf_counter()
        _fill(args.releases, 30)
        print(f"{args.releases} releases stored in {time.perf_counter() - began:.1f} s")
        db_version = harness.database_version()
        harness.close_db()
        server = harness.Server(env, harness.free_port(), args.workers, folder / "server.log")
        server.wait_healthy(90, args.workers)
        server.wait_settled()
        rng = random.Random(18)  # noqa: S311 — reproducible cursors
        browser = harness.Browser(server.port, args.timeout)

        def page() -> str:
            return f"/api/v1/ocds/releases?since={rng.randrange(0, args.releases - 100)}&limit=100"

        etags: dict[str, str] = {}

        def fresh() -> tuple[str, dict, int]:
            return page(), {}, 200

        def revalidated() -> tuple[str, dict, int]:
            path = page()
            if path not in etags:
                _s, headers, _b = browser.request("GET", path)
                etags[path] = headers["ETag"]
            return path, {"If-None-Match": etags[path]}, 304

        kinds = {"page of 100": fresh, "same, 304": revalidated}
        for _ in range(20):  # warm-up, every worker
            browser.request("GET", page())
            browser.request("GET", "/ping/")
        times: dict[str, list[float]] = {name: [] for name in kinds}
        base: dict[str, list[float]] = {name: [] for name in kinds}
        per_slice = max(1, args.requests // args.rounds)
        for _ in range(args.rounds):
            for name, make in kinds.items():
                for target, count in ((times[name], per_slice), (base[name], per_slice)):
                    deadline = time.monotonic() + args.max_seconds / args.rounds
                    for _ in range(count):  # bounded in count and in time
                        if time.monotonic() > deadline:
                            break
                        if target is times[name]:
                            path, headers, expect = make()
                        else:
                            path, headers, expect = "/ping/", {}, 200
                        target.append(_timed(browser, path, headers, expect))
        browser.close()
        print(harness.machine_line(db_version))
        print(
            f"{'':14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} │ {'base p50':>8} {'base p95':>8} │ {'p50 ×':>6} {'p95 ×':>6}"
        )
        for name in kinds:
            p50, p95 = harness.percentile(times[name], 50), harness.percentile(times[name], 95)
            b50, b95 = harness.percentile(base[name], 50), harness.percentile(base[name], 95)
            print(
                f"{name:14} {len(times[name]):5} {p50 * 1000:8.1f} {p95 * 1000:8.1f} │ "
                f"{b50 * 1000:8.1f} {b95 * 1000:8.1f} │ {p50 / b50:6.1f} {p95 / b95:6.1f}"
            )
        first = "page of 100"
        ratio = harness.percentile(times[first], 50) / harness.percentile(base[first], 50)
        print(f"ratio page of 100 / bare view (p50): {ratio:.1f}")
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            server.stop()
        if admin_url:
            harness.close_db()
            harness.postgres_recreate(admin_url, DB_NAME, create=False)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
