"""Issue 4, benchmark 2: the deadline rush — many providers uploading in the last minute.

    uv run python bench/deadline_rush.py [--providers 200] [--mb 20] [--window 60] [--late 0.05]
                                         [--concurrency 200] [--chunk-mb 8] [--workers 0]
                                         [--database-url postgres://postgres@127.0.0.1:5432/postgres]

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
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from harness import (
    HOST,
    Browser,
    Envelope,
    MiB,
    Server,
    UploadResult,
    all_process_cpu,
    check_blob,
    close_db,
    database_version,
    django_setup,
    free_port,
    machine_cpu,
    machine_line,
    make_envelope,
    make_providers,
    make_tender,
    migrate,
    percentile,
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

ON_TIME, LAST_SECOND, AFTER = "on time", "last second", "after deadline"


@dataclass
class Job:
    index: int
    group: str
    planned: float  # seconds relative to the deadline (negative: before it)
    envelope: Envelope
    cookies: dict
    lag: float = 0.0  # how much later than planned the upload began (a busy client pool)
    result: UploadResult | None = None


def set_deadline(tender, deadline) -> None:
    """Move the bid-submission deadline by writing the schedule rows directly (see above). The
    stages that must end by then (announcement, download, clarification) end no later."""
    from lpse.tenders.models import ScheduleEntry

    ScheduleEntry.objects.filter(tender=tender, stage="bid_submission").update(end=deadline)
    for stage in ("announcement", "document_download", "clarification"):
        entry = ScheduleEntry.objects.get(tender=tender, stage=stage)
        if entry.end > deadline:
            entry.end = max(deadline, entry.start + timedelta(seconds=1))
            entry.save(update_fields=["end"])


def csrf_cookie() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def idle_uploads(port, code, jobs: list[Job], chunk: int, timeout: float) -> list[UploadResult]:
    results = []
    for job in jobs:
        browser = Browser(port, timeout)
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
    parser.add_argument("--temp-dir", help="where the temp folder goes (default: system temp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (server log, files) to debug"
    )
    args = parser.parse_args(argv)
    if min(args.providers, args.mb, args.concurrency, args.chunk_mb, args.baseline_providers) < 1:
        parser.error("sizes and counts must be at least 1")
    if not 0 <= args.late <= 1 or args.window < 5:
        parser.error("--late is a fraction from 0 to 1; --window at least 5 s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)  # noqa: S311 — a reproducible plan, not a secret

    admin_url = bench_url = None
    if args.database_url:
        admin_url, bench_url = postgres_urls(args.database_url, args.database_name)
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-rush-", dir=args.temp_dir))
    server: Server | None = None
    try:
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=True)
        env = site_env(temp / "data", bench_url)
        print(f"site in {temp} ({'PostgreSQL ' + args.database_name if bench_url else 'SQLite'})")
        migrate(env)
        django_setup(env)
        from django.utils import timezone

        from lpse.bids.models import Bid, Upload
        from lpse.bids.services.submission import part_path

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

        print(f"sealing {args.providers + 2 * args.baseline_providers} envelopes …", flush=True)
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

        jobs = [Job(i, ON_TIME, 0.0, seal(i), cookies[u.pk]) for i, u in enumerate(rushers)]
        idle_before = [
            Job(-1 - i, "idle", 0.0, seal(10_000 + i), cookies[u.pk]) for i, u in enumerate(idlers)
        ]
        idle_after = [
            Job(-1 - i, "idle", 0.0, seal(20_000 + i), cookies[u.pk]) for i, u in enumerate(idlers)
        ]
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)

        # When each provider starts, relative to the deadline.
        late = round(args.providers * args.late)
        order = list(range(args.providers))
        rng.shuffle(order)
        for rank, i in enumerate(order):
            if rank < late // 2:
                jobs[i].group, jobs[i].planned = LAST_SECOND, -rng.uniform(0.0, 1.0)
            elif rank < late:
                jobs[i].group, jobs[i].planned = AFTER, rng.uniform(0.5, 5.0)
            else:
                jobs[i].planned = -args.window + rng.uniform(0, 0.9 * args.window)
        jobs_by_time = sorted(jobs, key=lambda j: j.planned)

        wait_until_open(tender)
        db_version = database_version()
        close_db()
        port = free_port()
        server = Server(env, port, args.workers or None, temp / "server.log")
        server.wait_healthy(90, workers=args.workers or None)
        workers = len(server.worker_pids())
        print(f"lpse serve on {HOST}:{port}, {workers} workers × 4 threads", flush=True)
        chunk = args.chunk_mb * MiB

        server.wait_settled()
        warm_workers(
            server,
            idle_before[0].cookies,
            [f"/tender/{code}/penawaran/", f"/tender/{code}/", "/health/"],
        )
        print("idle baseline before the rush …", flush=True)
        baseline = idle_uploads(port, code, idle_before, chunk, args.timeout)

        lead = 2.0
        deadline_at = timezone.now() + timedelta(seconds=args.window + lead)
        deadline_perf = time.perf_counter() + args.window + lead
        set_deadline(tender, deadline_at)
        close_db()
        print(
            f"rush: deadline {deadline_at.isoformat(timespec='seconds')}, "
            f"{args.providers} uploads of {args.mb} MiB ({late} deliberately late), "
            f"{args.concurrency} client threads",
            flush=True,
        )
        give_up_at = deadline_perf + args.tail

        def run(job: Job) -> None:
            job.lag = time.perf_counter() - (deadline_perf + job.planned)
            browser = Browser(port, args.timeout)
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
        cpu_start = (server.cpu_seconds(), sum(os.times()[:2]), *machine_cpu())
        processes_start = all_process_cpu()
        cpu_from = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = []
            for job in jobs_by_time:  # a fixed list: bounded
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
        cpu_end = (server.cpu_seconds(), sum(os.times()[:2]), *machine_cpu())
        cpu = [end - start for start, end in zip(cpu_start, cpu_end, strict=True)]
        others = top_other_cpu(
            processes_start, all_process_cpu(), {os.getpid(), *server.worker_pids()}
        )

        # The deadline moves again for the second idle baseline (same direct write).
        reopened_at = timezone.now()
        set_deadline(tender, reopened_at + timedelta(minutes=10))
        close_db()
        print("idle baseline after the rush …", flush=True)
        time.sleep(2)
        baseline += idle_uploads(port, code, idle_after, chunk, args.timeout)

        # --- the check against the database ---------------------------------------------------
        from django.conf import settings

        print("checking every bid and stored file …", flush=True)
        media = Path(settings.MEDIA_ROOT)
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
        late_accepted, no_receipt = [], []
        all_bids = list(Bid.objects.filter(tender=tender).select_related("envelope", "company"))
        for bid in all_bids:
            problem = check_blob(media / bid.envelope.storage_name, bid.envelope, rehash=True)
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
        leftovers = [
            u
            for u in Upload.objects.filter(tender=tender, state=Upload.State.RECEIVING)
            if part_path(u).exists()
        ]
        leftover_bytes = sum(part_path(u).stat().st_size for u in leftovers)
        close_db()

        print()
        print(machine_line(db_version))
        print(
            f"deadline_rush: {args.providers} providers × {args.mb} MiB in the last "
            f"{args.window:.0f} s, PATCH {args.chunk_mb} MiB, lpse serve {workers} workers × "
            f"4 threads, {args.concurrency} client threads"
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
        return 1 if lost or late_accepted else 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError, OSError) as exc:
        print(f"error: {exc!r}", file=sys.stderr)
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        close_db()
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=False)
        if args.keep:
            print(f"kept {temp}", file=sys.stderr)
        else:
            shutil.rmtree(temp, ignore_errors=True)


def _outcome(job: Job, deadline_perf: float) -> str:
    r = job.result
    if r is None:
        return "not finished (gave up)"
    cut = r.code.endswith(("BrokenPipeError", "ConnectionResetError"))
    if r.outcome == "error" and cut and r.finished > deadline_perf:
        # The server answers 403 "closed" to a PATCH without reading its body and drops the
        # connection, so the client sees it cut mid-send, again on every retry.
        return "refused: closed, connection cut"
    if r.outcome == "accepted":
        return "accepted (receipt)"
    if r.outcome == "accepted_no_receipt":
        return "accepted, receipt lost in transit"
    if r.outcome == "closed":
        return {
            "create": "refused: closed at start",
            "patch": "refused: closed mid-upload",
            "final": "refused: closed at last PATCH",
        }[r.where]
    if r.outcome == "refused":
        return f"refused: {r.code}"
    return f"error: {r.code}"


def report(
    jobs: list[Job],
    baseline: list[UploadResult],
    *,
    lost: list[str],
    late_accepted: list[int],
    no_receipt: list[int],
    leftovers: tuple[int, int],
    rush_seconds: float,
    size: int,
    deadline_perf: float,
) -> str:
    groups = [ON_TIME, LAST_SECOND, AFTER]
    outcomes: dict[str, dict[str, int]] = {}
    for job in jobs:
        outcomes.setdefault(_outcome(job, deadline_perf), dict.fromkeys(groups, 0))[job.group] += 1
    header = f"{'outcome':<34}" + "".join(f"{g:>15}" for g in groups) + f"{'all':>7}"
    lines = [header, "-" * len(header)]
    planned = {g: sum(j.group == g for j in jobs) for g in groups}
    lines.append(f"{'uploads started':<34}" + "".join(f"{planned[g]:>15}" for g in groups))
    for name in sorted(outcomes, key=lambda n: (not n.startswith("accepted"), n)):
        row = outcomes[name]
        lines.append(
            f"{name:<34}" + "".join(f"{row[g]:>15}" for g in groups) + f"{sum(row.values()):>7}"
        )
    accepted = [j.result for j in jobs if j.result and j.result.outcome == "accepted"]
    refused = sum(1 for j in jobs if _outcome(j, deadline_perf).startswith("refused: closed"))
    lines.append("")
    lines.append(
        f"accepted {len(accepted)} · refused after the deadline {refused} · "
        f"LOST {len(lost)} (must be 0) · accepted at/after the deadline {len(late_accepted)} "
        f"(must be 0) · bids whose receipt never reached the client {len(no_receipt)}"
    )
    receipt = [r.receipt_seconds for r in accepted]
    whole = [r.total_seconds for r in accepted]
    idle_receipt = [r.receipt_seconds for r in baseline]
    idle_whole = [r.total_seconds for r in baseline]
    if receipt:
        base = statistics.median(idle_receipt)
        lines.append(
            f"receipt time (last PATCH start → receipt): p50 {statistics.median(receipt):.2f} s, "
            f"p99 {percentile(receipt, 99):.2f} s, max {max(receipt):.2f} s; idle p50 "
            f"{base:.2f} s ({len(idle_receipt)} uploads, "
            f"{min(idle_receipt):.2f}–{max(idle_receipt):.2f} s) → rush p50 ÷ idle p50 = "
            f"{statistics.median(receipt) / base:.1f}×"
        )
        lines.append(
            f"whole upload: p50 {statistics.median(whole):.1f} s, p99 {percentile(whole, 99):.1f}"
            f" s; idle p50 {statistics.median(idle_whole):.2f} s → "
            f"{statistics.median(whole) / statistics.median(idle_whole):.1f}×"
        )
    at_last = [
        j.result
        for j in jobs
        if j.result and j.result.outcome == "closed" and j.result.where == "final"
    ]
    sent_in_time = [deadline_perf - r.final_start for r in at_last if r.final_start < deadline_perf]
    if at_last:
        lines.append(
            f"refused at the last PATCH: {len(at_last)}, of which {len(sent_in_time)} had begun "
            f"sending it before the deadline (up to {max(sent_in_time, default=0):.1f} s before): "
            "the deadline is judged when the acceptance transaction runs, after the bytes are in"
        )
    retries = sum(j.result.retries for j in jobs if j.result)
    lag = max((j.lag for j in jobs if j.result), default=0.0)
    lines.append(
        f"received {len(accepted) * size / 1e6:.0f} MB of accepted bids in {rush_seconds:.0f} s "
        f"({len(accepted) * size / 1e6 / rush_seconds:.0f} MB/s); client retries {retries}; "
        f"latest start {lag:.1f} s after plan; "
        f"unfinished uploads left as part files: {leftovers[0]} ({leftovers[1] / 1e6:.0f} MB)"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
