"""Issue 4, benchmark 2: the deadline rush — many providers uploading in the last minute.

    uv run python bench/deadline_rush.py [--providers 200] [--mb 20] [--window 60] [--late 0.05]
                                         [--concurrency 200] [--chunk-mb 8] [--workers 0]
                                         [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                         [--nodes 2 [--cache-url database]]

The site is built as in bid_intake.py (whose helpers this script imports): a throw-away temp folder
with SQLite (or a fresh ``lpse_bench_rush`` database on a local PostgreSQL server), the reference
data, a five-member committee and a tender published through the services (3-of-5 key), and
--providers verified providers (plus --baseline-providers more) who sign the pact and register
through the services. Each provider's envelope is a real bid of --mb MiB sealed with
pyrage.encrypt_io; their sessions are real session rows made with Django's ``force_login`` (no
password typed: 200 argon2 sign-ins are not what is measured) plus a CSRF cookie and header as
bid.js sends them.

``lpse serve`` then runs with the production default of workers (2 × CPUs + 1, × 4 threads) unless
--workers says otherwise, and:

1. idle baseline: the baseline providers upload one envelope each, one after another;
2. the rush: the tender's bid-submission deadline is moved to now + --window (+2 s to start the
   threads) by writing its ScheduleEntry row directly — a published schedule can only be changed
   through a schedule change with a reason and the committee's approval, which the services
   rightly refuse to make this short;
   the providers start at moments spread uniformly over the window's first 90 %, in a random
   order, from a pool of --concurrency client threads, each with the protocol of bid.js (POST,
   then PATCH --chunk-mb chunks with Upload-Offset; after a broken connection or a 409/5xx it asks
   the server where it is, at most 3 times). --late of them start too late on purpose: half in the
   last second before the deadline, half 0.5–5 s after it;
3. idle baseline again, after the deadline is moved once more (same direct write).

Then every outcome is checked against the database: an upload whose last PATCH returned the receipt
must have its Bid row and a complete stored file (size and SHA-256); every Bid of the tender must
have a complete file; none may be dated at or after the deadline. "lost" counts the failures of
the first two checks and must be 0.

The receipt time is measured from the start of an upload's last PATCH (the one that completes it:
its bytes, the acceptance transaction and the signed receipt) to the answer; the rush's p50 is
printed as a ratio to the idle baseline's p50 measured in the same run.

With ``--nodes N`` (N ≥ 2, PostgreSQL only) the site keeps its blobs in a bucket of a SeaweedFS
started for the run, and the rush runs twice in the same run, with the same providers and new
envelopes: on one node, then on N nodes that share the database, the bucket, the cache
(``--cache-url``, default the database) and the database's clock, each with its own empty data
folder — the environment of the two-node test (tests/nodes.py, via rush_nodes.py). Every request
of an upload goes to the next node in turn (a load balancer without sticky sessions), so
consecutive chunks reach different nodes. Each rush has its own report, then the receipt time's
p99/p50 on N nodes is printed against one node's.

Bounded: every loop runs over a fixed list, every request has a socket timeout, an upload still
running --tail seconds after the deadline gives up; the server is stopped and the temp folder and
database removed at the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from harness import (
    HOST,
    Envelope,
    MiB,
    Server,
    UploadResult,
    all_process_cpu,
    close_db,
    database_version,
    django_setup,
    machine_cpu,
    machine_line,
    make_envelope,
    make_providers,
    make_tender,
    migrate,
    postgres_recreate,
    postgres_urls,
    reference_data,
    session_cookie,
    site_env,
    top_other_cpu,
    upload_envelope,
    wait_until_open,
    warm_workers,
)
from rush_nodes import SharedServices, balanced, check_stored, start_nodes
from rush_plan import Job, Phase, csrf_cookie, plan, set_deadline
from rush_report import ON_TIME, _outcome, comparison, report


def idle_uploads(servers, code, jobs: list[Job], chunk: int, timeout: float) -> list[UploadResult]:
    results = []
    for job in jobs:
        browser = balanced(servers, timeout, job.index)
        browser.cookies = dict(job.cookies)
        result = upload_envelope(browser, code, job.envelope, chunk=chunk)
        browser.close()
        if result.outcome != "accepted":
            raise RuntimeError(f"idle upload: {result.outcome} {result.code} ({result.where})")
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--mb", type=int, default=20, help="envelope size, MiB (default 20)")
    parser.add_argument("--window", type=float, default=60, help="seconds before the deadline")
    parser.add_argument(
        "--late", type=float, default=0.05, help="fraction that starts too late (default 0.05)"
    )
    parser.add_argument("--concurrency", type=int, default=200, help="client threads")
    parser.add_argument("--chunk-mb", type=int, default=8, help="PATCH size, MiB (default 8)")
    parser.add_argument(
        "--workers", type=int, default=0, help="LPSE_WORKERS (default: lpse serve's, 2×CPUs+1)"
    )
    parser.add_argument("--baseline-providers", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180, help="socket timeout, s")
    parser.add_argument(
        "--tail", type=float, default=300, help="uploads give up this long after the deadline"
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--verbose", action="store_true", help="print every upload")
    parser.add_argument("--database-url", help="a local PostgreSQL server (default: SQLite)")
    parser.add_argument("--database-name", default="lpse_bench_rush")
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="N ≥ 2: a rush on 1 node, then one on N nodes sharing PostgreSQL, a SeaweedFS "
        "bucket and the cache, each request to the next node (needs --database-url)",
    )
    parser.add_argument(
        "--cache-url", default="database", help="the nodes' shared cache (default: database)"
    )
    parser.add_argument("--temp-dir", help="where the temp folder goes (default: system temp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (server log, files) to debug"
    )
    args = parser.parse_args(argv)
    if min(args.providers, args.mb, args.concurrency, args.chunk_mb, args.baseline_providers) < 1:
        parser.error("sizes and counts must be at least 1")
    if not 0 <= args.late <= 1 or args.window < 5:
        parser.error("--late is a fraction from 0 to 1; --window at least 5 s")
    if args.nodes < 1 or (args.nodes > 1 and not args.database_url):
        parser.error("--nodes is at least 1; several nodes need --database-url (PostgreSQL)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)  # noqa: S311 — a reproducible plan, not a secret

    admin_url = bench_url = None
    if args.database_url:
        admin_url, bench_url = postgres_urls(args.database_url, args.database_name)
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-rush-", dir=args.temp_dir))
    servers: list[Server] = []
    services = None
    failed = False
    try:
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=True)
        env = site_env(temp / "data", bench_url)
        if args.nodes > 1:
            assert bench_url is not None
            services = SharedServices.start(
                temp, env, database_url=bench_url, cache_url=args.cache_url
            )
            env = services.env
            print(f"SeaweedFS bucket {services.bucket.name} at {services.bucket.endpoint}")
        print(f"site in {temp} ({'PostgreSQL ' + args.database_name if bench_url else 'SQLite'})")
        migrate(env)
        django_setup(env)

        reference_data()
        site = make_tender(opens_in=30)
        tender, code = site.tender, site.tender.code
        print(f"registering {args.providers} + {args.baseline_providers} providers …", flush=True)
        t0 = time.perf_counter()
        password = secrets.token_urlsafe(18)
        rushers = make_providers(tender, args.providers, prefix="penyedia", password=password)
        idlers = make_providers(
            tender, args.baseline_providers, prefix="pembanding", password=password
        )
        cookies = {
            u.pk: {"sessionid": session_cookie(u), "csrftoken": csrf_cookie()}
            for u in [*rushers, *idlers]
        }
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)

        counts = [1, args.nodes] if args.nodes > 1 else [1]
        print(
            f"sealing {len(counts) * (args.providers + 2 * args.baseline_providers)} envelopes …",
            flush=True,
        )
        t0 = time.perf_counter()
        (temp / "envelopes").mkdir()

        def seal(n: int) -> Envelope:
            return make_envelope(
                temp / "envelopes" / f"{n}.age",
                recipient=site.recipient,
                tender_code=code,
                size=args.mb * MiB,
                price=f"{rng.randrange(1_000_000_000, 1_500_000_000)}.00",
                seed=n,
            )

        phases = []
        for number, nodes in enumerate(counts):  # the same providers, new envelopes each rush
            base = 100_000 * number
            phases.append(
                Phase(
                    nodes,
                    [
                        Job(i, ON_TIME, 0.0, seal(base + i), cookies[u.pk])
                        for i, u in enumerate(rushers)
                    ],
                    [
                        Job(-1 - i, "idle", 0.0, seal(base + 10_000 + i), cookies[u.pk])
                        for i, u in enumerate(idlers)
                    ],
                    [
                        Job(-1 - i, "idle", 0.0, seal(base + 20_000 + i), cookies[u.pk])
                        for i, u in enumerate(idlers)
                    ],
                )
            )
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
        for phase in phases:
            plan(phase.jobs, args, rng)

        wait_until_open(tender)
        db_version = database_version()
        close_db()
        for phase in phases:
            servers = start_nodes(env, phase.nodes, args.workers, temp, services)
            try:
                failed |= rush(phase, servers, args, tender, code, db_version)
            finally:
                for server in servers:
                    server.stop()
                servers = []
        if len(phases) > 1:
            print()
            print(comparison([(phase.nodes, phase.jobs) for phase in phases]))
        return 1 if failed else 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError, OSError) as exc:
        print(f"error: {exc!r}", file=sys.stderr)
        for server in servers:
            print(server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()
        close_db()
        if services is not None:
            services.stop()
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=False)
        if args.keep:
            print(f"kept {temp}", file=sys.stderr)
        else:
            shutil.rmtree(temp, ignore_errors=True)


def rush(phase: Phase, servers: list[Server], args, tender, code: str, db_version: str) -> bool:
    """The rush on these nodes with its idle baselines, its check against the database and its
    report; True when a bid was lost or accepted late."""
    from django.utils import timezone

    from lpse.bids.models import Bid, Upload
    from lpse.bids.services.submission import part_path
    from lpse.core.storage import shared_store

    jobs = phase.jobs
    workers = sum(len(server.worker_pids()) for server in servers)
    where = ", ".join(f"{HOST}:{server.port}" for server in servers)
    print(f"\n== {phase.nodes} node(s): lpse serve on {where}, {workers} workers × 4 threads")
    chunk = args.chunk_mb * MiB
    for server in servers:
        server.wait_settled()
        warm_workers(
            server,
            phase.idle_before[0].cookies,
            [f"/tender/{code}/penawaran/", f"/tender/{code}/", "/health/"],
        )
    print("idle baseline before the rush …", flush=True)
    baseline = idle_uploads(servers, code, phase.idle_before, chunk, args.timeout)

    lead = 2.0
    deadline_at = timezone.now() + timedelta(seconds=args.window + lead)
    deadline_perf = time.perf_counter() + args.window + lead
    set_deadline(tender, deadline_at)
    close_db()
    late = sum(j.group != ON_TIME for j in jobs)
    print(
        f"rush: deadline {deadline_at.isoformat(timespec='seconds')}, "
        f"{args.providers} uploads of {args.mb} MiB ({late} deliberately late), "
        f"{args.concurrency} client threads",
        flush=True,
    )
    give_up_at = deadline_perf + args.tail

    def run(job: Job) -> None:
        job.lag = time.perf_counter() - (deadline_perf + job.planned)
        browser = balanced(servers, args.timeout, job.index)
        browser.cookies = dict(job.cookies)
        try:
            job.result = upload_envelope(
                browser, code, job.envelope, chunk=chunk, give_up_at=give_up_at
            )
        finally:
            browser.close()

    progress_stop = threading.Event()

    def progress() -> None:
        while not progress_stop.wait(10):
            done = sum(j.result is not None for j in jobs)
            left = deadline_perf - time.perf_counter()
            print(f"  {done}/{len(jobs)} finished, deadline in {left:.0f} s", flush=True)

    reporter = threading.Thread(target=progress, daemon=True)
    reporter.start()
    server_pids = {pid for server in servers for pid in server.worker_pids()}
    cpu_start = (sum(s.cpu_seconds() for s in servers), sum(os.times()[:2]), *machine_cpu())
    processes_start = all_process_cpu()
    cpu_from = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = []
        for job in sorted(jobs, key=lambda j: j.planned):  # a fixed list: bounded
            delay = deadline_perf + job.planned - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(run, job))
        remaining = give_up_at + args.timeout + 10 - time.perf_counter()
        concurrent.futures.wait(futures, timeout=max(remaining, 1))
        for future in futures:
            future.cancel()
    progress_stop.set()
    rush_end = time.perf_counter()
    cpu_end = (sum(s.cpu_seconds() for s in servers), sum(os.times()[:2]), *machine_cpu())
    cpu = [end - start for start, end in zip(cpu_start, cpu_end, strict=True)]
    others = top_other_cpu(processes_start, all_process_cpu(), {os.getpid(), *server_pids})

    # The deadline moves again for the second idle baseline (same direct write).
    reopened_at = timezone.now()
    set_deadline(tender, reopened_at + timedelta(minutes=10))
    close_db()
    print("idle baseline after the rush …", flush=True)
    time.sleep(2)
    baseline += idle_uploads(servers, code, phase.idle_after, chunk, args.timeout)

    # --- the check against the database and the store ------------------------------------------
    print("checking every bid and stored file …", flush=True)
    lost: list[str] = []
    client_bids = {}
    for job in jobs:
        r = job.result
        if r is None:
            continue
        if r.outcome == "accepted":
            client_bids[r.bid] = job
            bid = Bid.objects.select_related("envelope").filter(pk=r.bid).first()
            if bid is None:
                lost.append(f"provider {job.index}: receipt for bid {r.bid}, no Bid row")
            elif bid.envelope.sha256 != job.envelope.sha256:
                lost.append(f"provider {job.index}: bid {r.bid} holds other bytes")
    late_accepted = []
    all_bids = list(Bid.objects.filter(tender=tender).select_related("envelope", "company"))
    for bid in all_bids:
        problem = check_stored(bid.envelope)
        if problem:
            lost.append(f"bid {bid.pk} ({bid.company.name}): {problem}")
        if deadline_at <= bid.submitted_at < reopened_at:
            late_accepted.append(bid.pk)
    rush_bids = {
        b.pk
        for b in all_bids
        if deadline_at - timedelta(seconds=args.window + lead) <= b.submitted_at < deadline_at
    }
    baseline_bids = {r.bid for r in baseline}
    no_receipt = sorted(rush_bids - set(client_bids) - baseline_bids)
    receiving = Upload.objects.filter(tender=tender, state=Upload.State.RECEIVING)
    if shared_store():  # the chunks received so far, as objects in the bucket
        leftovers = [u for u in receiving if u.offset]
        leftover_bytes = sum(u.offset for u in leftovers)
    else:
        leftovers = [u for u in receiving if part_path(u).exists()]
        leftover_bytes = sum(part_path(u).stat().st_size for u in leftovers)
    close_db()

    print()
    print(machine_line(db_version))
    print(
        f"deadline_rush: {args.providers} providers × {args.mb} MiB in the last "
        f"{args.window:.0f} s, PATCH {args.chunk_mb} MiB, {phase.nodes} node(s) × lpse serve "
        f"{workers // phase.nodes} workers × 4 threads, {args.concurrency} client threads"
        + (", blobs in a SeaweedFS bucket" if shared_store() else "")
    )
    print(
        report(
            jobs,
            baseline,
            lost=lost,
            late_accepted=late_accepted,
            no_receipt=no_receipt,
            leftovers=(len(leftovers), leftover_bytes),
            rush_seconds=rush_end - (deadline_perf - args.window),
            size=args.mb * MiB,
            deadline_perf=deadline_perf,
        )
    )
    server_cpu, client_cpu, busy, capacity = cpu
    print(
        f"CPU during the rush ({rush_end - cpu_from:.0f} s × "
        f"{os.cpu_count()} CPUs = {capacity:.0f} CPU·s): machine busy {busy / capacity:.0%} — "
        f"lpse workers {server_cpu:.0f} CPU·s, this client {client_cpu:.0f} CPU·s, "
        f"everything else {busy - server_cpu - client_cpu:.0f} CPU·s (most: "
        + ", ".join(f"{name} {seconds:.0f}" for name, seconds in others[:4])
        + ")"
    )
    if args.verbose:
        for job in sorted(jobs, key=lambda j: j.planned):
            r = job.result
            print(
                f"  #{job.index:<4} {job.group:<15} planned {job.planned:+7.2f} s "
                f"lag {job.lag:5.2f} s  {_outcome(job, deadline_perf):<34} "
                + (
                    f"{r.total_seconds:6.2f} s, {r.patches} PATCH, {r.retries} retries"
                    + (f", last PATCH {r.receipt_seconds:.2f} s" if r.final_start else "")
                    if r
                    else ""
                )
            )
    for line in lost[:20]:
        print(f"  LOST: {line}")
    return bool(lost or late_accepted)


if __name__ == "__main__":
    sys.exit(main())
