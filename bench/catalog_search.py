"""Issue 13's benchmark: the public local catalogue (``/katalog/``) at 100,000 items, its list
page and its search, as ratios to the bare ``/ping/`` view, served by ``lpse serve``.

    uv run python bench/catalog_search.py [--items 100000] [--requests 200] [--concurrency 4]

The same approach and machinery as bench/portal.py (imported from it): a throw-away SQLite site
in a temporary folder, made with ``lpse setup`` (migrations and the reference data files), the
items bulk-inserted, ``lpse serve`` on a free 127.0.0.1 port, each page measured in slices that
alternate with slices of the baseline. Goals (the portal's): the list page's p50 at most 10× the
bare view's, the search's at most 2× the list page's. Bounded in requests and seconds; the server
and folder are removed at the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from portal import (  # bench/ is on sys.path when run as a script
    BASELINE,
    Paired,
    Result,
    Server,
    database_version,
    free_port,
    measure,
    report,
    run_lpse,
    site_env,
)

TARGETS = [
    ("list, first page", "/katalog/"),
    ("list, page 1000", "/katalog/?page=1000"),
    ("search q=semen", "/katalog/?q=semen"),
    ("search 2 words", "/katalog/?q=kertas+a4"),
]
GOODS = [
    ("Kertas HVS A4 {g} gram", "rim", "500 lembar"),
    ("Semen Portland {g} kg", "sak", "SNI 15-2049"),
    ("Besi beton polos {g} mm", "batang", "panjang 12 m"),
    ("Tinta printer hitam {g} ml", "botol", "isi ulang"),
    ("Cat tembok {g} liter", "galon", "interior"),
    ("Pipa PVC {g} inci", "batang", "panjang 4 m"),
    ("Masker medis {g} lapis", "kotak", "isi 50"),
    ("Kursi kerja model {g}", "buah", "sandaran jaring"),
]
PROVIDERS = ["CV Sinar Maros", "PT Bosowa Niaga", "CV Turikale Jaya", "UD Bantimurung", "PT Lau"]


def populate(env: dict[str, str], count: int) -> float:
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    from lpse.catalog.catalogue import search_text
    from lpse.catalog.models import CatalogueItem, Origin
    from lpse.catalog.search_index import reindex

    rng = random.Random(13)  # noqa: S311 — repeatable sample data, not a secret
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for i in range(count):
        name, unit, spec = rng.choice(GOODS)
        row = {
            "code": f"KAT-{i:07d}",
            "name": name.format(g=rng.randint(1, 200)),
            "specification": spec,
            "provider_name": rng.choice(PROVIDERS),
        }
        batch.append(
            CatalogueItem(
                **row,
                unit=unit,
                reference_price=Decimal(rng.randint(1_000, 5_000_000)),
                valid_from=date(2020, 1, 1),
                valid_until=date(2099, 12, 31),
                search_text=search_text(row),
                origin=Origin.IMPORT,
                updated_at=now,
            )
        )
        if len(batch) == 5000:
            CatalogueItem.objects.bulk_create(batch)
            batch = []
    CatalogueItem.objects.bulk_create(batch)
    # The search's word index, as the catalogue's writes keep it (catalog/search_index.py).
    for start in range(0, count, 5000):
        reindex(CatalogueItem.objects.order_by("id")[start : start + 5000])
    connections.close_all()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--baseline-requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=90)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    if min(args.items, args.requests, args.baseline_requests, args.rounds, args.concurrency) < 1:
        parser.error("counts must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-catalog-"))
    server: Server | None = None
    try:
        env = site_env(temp / "data", None)
        print(f"site in {temp} (SQLite); lpse setup …", flush=True)
        run_lpse(env, "setup", "--verbosity", "0")
        seconds = populate(env, args.items)
        db_version = database_version()
        print(f"inserted {args.items} catalogue items in {seconds:.1f} s", flush=True)
        port = free_port()
        server = Server(env, port, args.workers, temp / "server.log")
        server.wait_healthy(timeout=90)

        def measure_for(path: str, requests: int, seconds: float) -> Result:
            return measure(
                port,
                "",
                path,
                requests=requests,
                concurrency=args.concurrency,
                max_seconds=seconds,
                timeout=args.timeout,
            )

        def paired(name: str, path: str) -> Paired:
            measure_for(path, 2 * args.concurrency, 30)  # warm-up: every worker renders it
            page, base, p50s = Result(name, path), Result(*BASELINE), []
            for i in range(args.rounds + 1):
                done = measure_for(
                    BASELINE[1],
                    -(-args.baseline_requests // (args.rounds + 1)),
                    args.max_seconds / (args.rounds + 1),
                )
                p50s.append(done.p50)
                base.add(done)
                if i < args.rounds:
                    page.add(
                        measure_for(
                            path, -(-args.requests // args.rounds), args.max_seconds / args.rounds
                        )
                    )
            print(f"  {name:<18} p50 {page.p50 * 1000:7.1f} ms, base {base.p50 * 1000:5.1f} ms")
            return Paired(page, base, p50s)

        rows = [paired(name, path) for name, path in TARGETS]
        if any(r.count == 0 for row in rows for r in (row.page, row.baseline)):
            print("error: a page answered no request successfully", file=sys.stderr)
            print(server.log_tail(), file=sys.stderr)
            return 1
        print()
        print(
            f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · Python {platform.python_version()} · {db_version} · "
            f"{args.items} catalogue items"
        )
        print(report(rows))
        list_ratio = rows[0].page.p50 / rows[0].baseline.p50
        print(f"\nlist page p50 = {list_ratio:.1f}× the bare view (goal ≤ 10×)")
        for row in rows[2:]:
            ratio = row.page.p50 / rows[0].page.p50
            print(f"{row.page.name}: p50 = {ratio:.2f}× the list page (goal ≤ 2×)")
        return 1 if any(r.errors for row in rows for r in (row.page, row.baseline)) else 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
