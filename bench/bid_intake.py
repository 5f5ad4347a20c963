"""Issue 4, benchmark 1: one large sealed bid received through the real upload protocol.

    uv run python bench/bid_intake.py [--size-mb 1024] [--chunk-mb 8] [--rounds 2] [--workers 1]
                                      [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Builds a throw-away site in a temporary folder (SQLite there, or a fresh ``lpse_bench_intake``
database on the given local PostgreSQL server, dropped first and at the end): ``lpse migrate``, the
reference data, an agency with a PPK and a five-member committee whose members register their own
opening keys, a tender created, documented, signed and published through the services (3-of-5
key), and one verified provider who signs the pact and registers. The schedule is laid out from the
real clock (``lpse.tenders.selectors.sample`` for the later stages, bid submission opening a few seconds after
publication) and checked with ``lpse.tenders.selectors.schedule.problems_of``; nothing is frozen. The one
shortcut, as in tests/tender_fixtures.py: the provider's company row is written directly as
verified (verification is a long human procedure), and its password is hashed with a cheap argon2
cost in this process.

The envelope is made once: a real bid (ustar archive of offer.json and one document of pseudo-random
bytes) streamed through ``pyrage.encrypt_io`` to the tender's recipient into a temp file.

Then ``lpse serve`` (gunicorn, --workers × 4 threads, LPSE_BENCH=1) runs on a free 127.0.0.1 port,
the provider signs in through POST /akun/masuk/ (with the CSRF token of the sign-in page), and the
same bytes are sent alternately

  * to the bare view /bench/sink/ (routed only with LPSE_BENCH): one PATCH of the whole file, read in
    1 MiB chunks, hashed with SHA-256 and MD5, written and fsynced to a temp file: the baseline;
  * through the upload protocol: POST /tender/<code>/penawaran/unggah/ {"length"}, then PATCH
    chunks of --chunk-mb with Upload-Offset until the signed receipt comes back.

sink, upload, sink, upload, sink … (--rounds uploads). Each upload's throughput is compared with the
mean of the sink runs just before and after it. The gunicorn workers' memory is read from
/proc/<pid>/status (VmRSS; VmHWM, the peak, reset through /proc/<pid>/clear_refs before each run
where the kernel allows). After each upload the Bid row and its stored file are checked.

Bounded: a fixed number of runs, each request with a socket timeout, the whole run stopped after
--max-seconds; the server is stopped and the temp folder and database removed at the end, on an
error and on Ctrl-C. The site, server and client live in harness.py, shared with deadline_rush.py and opening.py.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    HOST,
    Browser,
    HttpError,
    MiB,
    Run,
    Server,
    check_bid,
    close_db,
    database_version,
    django_setup,
    free_port,
    machine_line,
    make_envelope,
    make_providers,
    make_tender,
    migrate,
    postgres_recreate,
    postgres_urls,
    reference_data,
    sink_send,
    site_env,
    upload_envelope,
    wait_until_open,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="envelope size, MiB")
    parser.add_argument("--chunk-mb", type=int, default=8, help="PATCH size, MiB (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="uploads (each between two sinks)")
    parser.add_argument("--workers", type=int, default=1, help="LPSE_WORKERS (default 1)")
    parser.add_argument("--timeout", type=float, default=300, help="socket timeout, s")
    parser.add_argument(
        "--max-seconds", type=float, default=1800, help="give up the measurement after this long"
    )
    parser.add_argument("--database-url", help="a local PostgreSQL server (default: SQLite)")
    parser.add_argument("--database-name", default="lpse_bench_intake")
    parser.add_argument("--temp-dir", help="where the temp folder goes (default: system temp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (server log, files) to debug"
    )
    args = parser.parse_args(argv)
    if min(args.size_mb, args.chunk_mb, args.rounds, args.workers) < 1:
        parser.error("sizes and counts must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    admin_url = bench_url = None
    if args.database_url:
        admin_url, bench_url = postgres_urls(args.database_url, args.database_name)
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-intake-", dir=args.temp_dir))
    server: Server | None = None
    try:
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=True)
        env = site_env(temp / "data", bench_url)
        print(f"site in {temp} ({'PostgreSQL ' + args.database_name if bench_url else 'SQLite'})")
        migrate(env)
        django_setup(env)
        reference_data()
        site = make_tender()
        password = secrets.token_urlsafe(18)
        (provider,) = make_providers(site.tender, 1, prefix="penyedia", password=password)
        db_version = database_version()
        code = site.tender.code

        print(f"sealing a {args.size_mb} MiB envelope with pyrage.encrypt_io …", flush=True)
        t0 = time.perf_counter()
        envelope = make_envelope(
            temp / "envelope.age",
            recipient=site.recipient,
            tender_code=code,
            size=args.size_mb * MiB,
            price="1234567890.50",
        )
        print(f"  {envelope.size} bytes in {time.perf_counter() - t0:.1f} s", flush=True)
        warm = make_envelope(
            temp / "warm.age",
            recipient=site.recipient,
            tender_code=code,
            size=2 * MiB,
            price="1000000",
            seed=1,
        )
        wait_until_open(site.tender)
        close_db()

        port = free_port()
        server = Server(dict(env, LPSE_BENCH="1"), port, args.workers, temp / "server.log")
        server.wait_healthy(90, workers=args.workers)
        server.wait_settled()
        browser = Browser(port, args.timeout)
        browser.sign_in(provider.username, password)
        print(
            f"lpse serve on {HOST}:{port}, {args.workers} worker(s) × 4 threads, "
            f"workers {server.worker_pids()}; signed in as {provider.username}",
            flush=True,
        )
        # Warm-up: every code path once in every worker.
        for _ in range(2 * args.workers):
            sink_send(browser, warm)
            warm_result = upload_envelope(browser, code, warm, chunk=MiB)
            if warm_result.outcome != "accepted":
                raise RuntimeError(f"warm-up upload: {warm_result.outcome} {warm_result.code}")
        peaks_resettable = server.reset_peaks()

        deadline = time.perf_counter() + args.max_seconds
        runs: list[Run] = []
        kinds = ["sink"] + ["upload", "sink"] * args.rounds
        for kind in kinds:
            if time.perf_counter() > deadline:
                print("stopped: --max-seconds reached", file=sys.stderr)
                break
            server.reset_peaks()
            before = server.memory()
            if kind == "sink":
                seconds, answer = sink_send(browser, envelope)
                if answer["sha256"] != envelope.sha256 or answer["size"] != envelope.size:
                    raise RuntimeError(f"the sink got other bytes: {answer}")
                detail = "1 request"
            else:
                result = upload_envelope(
                    browser, code, envelope, chunk=args.chunk_mb * MiB, give_up_at=deadline
                )
                if result.outcome != "accepted":
                    raise RuntimeError(f"upload: {result.outcome} {result.code} ({result.where})")
                seconds = result.total_seconds
                problem = check_bid(result.bid, envelope)
                if problem:
                    raise RuntimeError(f"upload accepted but {problem}")
                middle = result.patch_seconds[:-1]
                detail = (
                    f"{result.patches} PATCH, p50 {statistics.median(middle) * 1000:.0f} ms, "
                    f"last (acceptance) {result.patch_seconds[-1]:.2f} s"
                )
            after = server.memory()
            pids = before.keys() & after.keys()
            run = Run(
                kind=kind,
                seconds=seconds,
                size=envelope.size,
                peak_growth_kib=max((after[p][1] - before[p][0] for p in pids), default=0),
                rss_growth_kib=max((after[p][0] - before[p][0] for p in pids), default=0),
                detail=detail,
            )
            runs.append(run)
            print(
                f"  {kind:<6} {run.mb_s:7.1f} MiB/s  {seconds:6.2f} s  peak +"
                f"{run.peak_growth_kib / 1024:.1f} MiB  {detail}",
                flush=True,
            )
        close_db()
        memory_end = server.memory()

        print()
        print(machine_line(db_version))
        print(
            f"bid_intake: {envelope.size / MiB:.0f} MiB envelope, PATCH {args.chunk_mb} MiB, "
            f"lpse serve {args.workers} worker(s) × 4 threads"
        )
        print(report(runs, peaks_resettable))
        end_rss = ", ".join(f"{pid}: {rss / 1024:.0f} MiB" for pid, (rss, _) in memory_end.items())
        print(f"worker RSS at the end: {end_rss}")
        return 0
    except (
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        RuntimeError,
        OSError,
        HttpError,
        http.client.HTTPException,
    ) as exc:
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


def report(runs: list[Run], peaks_resettable: bool) -> str:
    header = (
        f"{'run':<10} {'MiB/s':>7} {'s':>7} {'×sink':>6} {'peak RSS +MiB':>13} "
        f"{'RSS after +MiB':>14}  detail"
    )
    lines = [header, "-" * len(header)]
    ratios, growths = [], []
    for i, run in enumerate(runs):
        ratio = ""
        if run.kind == "upload" and 0 < i < len(runs) - 1:
            base = (runs[i - 1].mb_s + runs[i + 1].mb_s) / 2
            ratios.append(run.mb_s / base)
            ratio = f"{run.mb_s / base:.2f}"
        if run.kind == "upload":
            growths.append(run.peak_growth_kib / 1024)
        lines.append(
            f"{f'{run.kind} #{sum(r.kind == run.kind for r in runs[: i + 1])}':<10} "
            f"{run.mb_s:7.1f} {run.seconds:7.2f} {ratio:>6} {run.peak_growth_kib / 1024:13.1f} "
            f"{run.rss_growth_kib / 1024:14.1f}  {run.detail}"
        )
    sinks = [r.mb_s for r in runs if r.kind == "sink"]
    lines.append("")
    if ratios:
        lines.append(
            f"upload ÷ sink throughput: mean {statistics.mean(ratios):.2f} "
            f"(runs {', '.join(f'{r:.2f}' for r in ratios)}; target ≥ 0.8); sink runs "
            f"{min(sinks):.0f}–{max(sinks):.0f} MiB/s"
        )
    if growths:
        lines.append(
            f"worker memory growth during an upload: peak +{max(growths):.1f} MiB "
            f"(target ≤ 64 MiB; VmHWM {'reset before each run' if peaks_resettable else 'since start'}"
            ", minus VmRSS before the run)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
