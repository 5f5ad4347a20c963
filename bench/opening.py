"""Issue 4, benchmark 3: the opening ceremony — 100 bids of 10 MiB opened 3-of-5.

    uv run python bench/opening.py [--bids 100] [--mb 10] [--workers N] [--profile]
                                   [--database-url postgres://postgres@127.0.0.1:5432/postgres]

The site is built as in bid_intake.py (whose helpers this script imports), in this process: a
throw-away temp folder with SQLite (or a fresh ``lpse_bench_opening`` database on a local
PostgreSQL server), the reference data, a five-member committee whose members register their own
opening keys, a tender published through the services (its key split 3-of-5), and --bids verified
providers who sign the pact, register and submit a real sealed bid of --mb MiB each through
``lpse.bids.services.submission`` (upload_start, upload_append streaming from the file).

Bid submission then closes and the opening stage begins: both by writing the tender's two
ScheduleEntry rows directly (bid_submission ends now, bid_opening starts now) — a published
schedule only changes through an approved schedule change, and the ceremony is wanted now, not
at the real opening date.

Measured, in this order:
  1. baseline: the tender identity rebuilt from three members' shares (keys.unseal_share,
     keys.combine), then every stored envelope decrypted with plain ``pyrage.decrypt_file`` to a
     temp file (overwritten, removed at the end);
  2. the ceremony: three members open their shares (``lpse.bids.offline.unlock_share``, as their browsers do) and
     send them to ``lpse.bids.services.opening.share_unlock``;
     the third call rebuilds the key and opens every bid (``_open_all``: check, decrypt, unpack,
     store the documents, the berita acara PDF) — its time is the opening time;
  3. the baseline again, and a reference: the same decryption, each plaintext to a file of its own,
     fsynced — what the opening cannot avoid, since it keeps every document durably;
  4. the receipt checks of R-9.9 alone (part of 2), as a fraction of the opening's time;
  5. the provider-signature checks of R-9.7 alone (part of 2: key row, audit-log binding,
     Ed25519 verification), as a fraction of the opening's time.
Each provider's company has a signing key bound (rows written directly, harness.bind_signing_key)
and every envelope is signed with it, as the bid page signs it.
The ratio printed is the baseline's time (mean of 1 and 3) divided by the opening's: 1.0 means the
ceremony costs no more than decrypting the files. With --profile the third share_unlock runs
under cProfile and the heaviest functions are printed.

Bounded: fixed counts; the temp folder and database are removed at the end, on an error and on
Ctrl-C.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing.forkserver
import os
import pstats
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from harness import (
    MiB,
    close_db,
    database_version,
    django_setup,
    envelope_signature,
    machine_line,
    make_envelope,
    make_providers,
    make_tender,
    migrate,
    postgres_recreate,
    postgres_urls,
    reference_data,
    site_env,
    wait_until_open,
)


def open_the_opening_stage(tender) -> None:
    """Bid submission ends now and the opening stage begins now: written directly (see above)."""
    from django.utils import timezone

    from lpse.tenders.models import ScheduleEntry

    now = timezone.now()
    ScheduleEntry.objects.filter(tender=tender, stage="bid_submission").update(end=now)
    for stage in ("announcement", "document_download", "clarification"):
        ScheduleEntry.objects.filter(tender=tender, stage=stage, end__gt=now).update(end=now)
    ScheduleEntry.objects.filter(tender=tender, stage="bid_opening").update(start=now)


def plain_decryption(paths: list[Path], identity, out: Path) -> float:
    """Every file decrypted with pyrage.decrypt_file to the same scratch file (overwritten)."""
    import pyrage

    t0 = time.perf_counter()
    for path in paths:
        pyrage.decrypt_file(str(path), str(out), [identity])
    seconds = time.perf_counter() - t0
    out.unlink(missing_ok=True)
    return seconds


def durable_decryption(paths: list[Path], identity, folder: Path) -> float:
    """Every file decrypted to a file of its own, fsynced: plain decryption that keeps the
    plaintext as durably as the opening keeps the documents (the files are removed after)."""
    import pyrage

    folder.mkdir()
    t0 = time.perf_counter()
    for i, path in enumerate(paths):
        out = folder / f"{i}.tar"
        pyrage.decrypt_file(str(path), str(out), [identity])
        with open(out, "rb") as f:
            os.fsync(f.fileno())
    seconds = time.perf_counter() - t0
    shutil.rmtree(folder)
    return seconds


class PeakRss:
    """Peak resident memory of this process and of the largest of its descendants (the pool's
    workers hang under the fork server), sampled every 20 ms while the block runs."""

    def __init__(self):
        self.parent = self.child = 0
        self.workers_cpu: dict[int, float] = {}  # each worker's CPU seconds, last seen
        self._stop = threading.Event()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.02):
            self.parent = max(self.parent, me.memory_info().rss)
            for child in me.children(recursive=True):
                try:
                    self.child = max(self.child, child.memory_info().rss)
                    times = child.cpu_times()
                    self.workers_cpu[child.pid] = times.user + times.system
                except psutil.Error:
                    continue

    def __enter__(self):
        import psutil

        self._machine, self._own = psutil.cpu_times(), psutil.Process().cpu_times()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        import psutil

        self._stop.set()
        self._thread.join(5)
        machine, own = psutil.cpu_times(), psutil.Process().cpu_times()
        # Where the two cores went: busy (all processes, kernel included) and this process.
        self.machine_busy = (
            sum(machine)
            - machine.idle
            - machine.iowait
            - (sum(self._machine) - self._machine.idle - self._machine.iowait)
        )
        self.machine_iowait = machine.iowait - self._machine.iowait
        self.ceremony_cpu = own.user + own.system - self._own.user - self._own.system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--mb", type=int, default=10, help="envelope size, MiB (default 10)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="LPSE_OPENING_WORKERS: processes decrypting bids (default: the setting's, one a "
        "core up to 4; 1 = all in the ceremony's process)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the opening")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="the third share right after the second, before the pool's fork server is up "
        "(a real committee unlocks minutes apart)",
    )
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--database-url", help="a local PostgreSQL server (default: SQLite)")
    parser.add_argument("--database-name", default="lpse_bench_opening")
    parser.add_argument("--temp-dir", help="where the temp folder goes (default: system temp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (server log, files) to debug"
    )
    args = parser.parse_args(argv)
    if min(args.bids, args.mb) < 1:
        parser.error("sizes and counts must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)  # noqa: S311 — prices of fake bids, not a secret

    admin_url = bench_url = None
    if args.database_url:
        admin_url, bench_url = postgres_urls(args.database_url, args.database_name)
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-opening-", dir=args.temp_dir))
    try:
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=True)
        env = site_env(temp / "data", bench_url)
        print(f"site in {temp} ({'PostgreSQL ' + args.database_name if bench_url else 'SQLite'})")
        migrate(env)
        django_setup(env)
        from django.conf import settings

        from lpse.bids import keys, offline, opening_pool
        from lpse.bids.models import Bid, KeyShare, OpenedBid, Opening
        from lpse.bids.services import opening, submission

        reference_data()
        site = make_tender(opens_in=45)
        tender, code = site.tender, site.tender.code
        print(f"registering {args.bids} providers …", flush=True)
        providers = make_providers(
            tender, args.bids, prefix="penyedia", password=secrets.token_urlsafe(18)
        )
        print(f"sealing {args.bids} envelopes of {args.mb} MiB …", flush=True)
        (temp / "envelopes").mkdir()
        envelopes = [
            make_envelope(
                temp / "envelopes" / f"{i}.age",
                recipient=site.recipient,
                tender_code=code,
                size=args.mb * MiB,
                price=f"{rng.randrange(1_000_000_000, 1_500_000_000)}.{rng.randrange(100):02d}",
                seed=i,
            )
            for i in range(args.bids)
        ]
        wait_until_open(tender)
        print("submitting them through lpse.bids.services.submission …", flush=True)
        t0 = time.perf_counter()
        for provider, envelope in zip(providers, envelopes, strict=True):
            upload = submission.upload_start(actor=provider, tender=tender, length=envelope.size)
            with open(envelope.path, "rb") as stream:
                bid = submission.upload_append(
                    actor=provider,
                    upload=upload,
                    offset=0,
                    stream=stream,
                    length=envelope.size,
                    signature=envelope_signature(provider.username, code, envelope),
                )
            assert isinstance(bid, Bid), bid
        submit_seconds = time.perf_counter() - t0
        total = sum(e.size for e in envelopes)
        print(f"  {total / MiB:.0f} MiB in {submit_seconds:.1f} s", flush=True)
        for envelope in envelopes:
            envelope.path.unlink()  # from here on only the stored copies are read

        open_the_opening_stage(tender)
        members = site.members[:3]
        shares = {s.member_id: s for s in KeyShare.objects.filter(tender_key=tender.bid_key)}
        unlocked = [keys.unseal_share(shares[m.pk].sealed, site.identities[m.pk]) for m in members]
        identity = keys.combine(
            unlocked,
            tender_code=code,
            recipient=tender.bid_key.recipient,
            wrapped_identity=tender.bid_key.wrapped_identity,
        )
        media = Path(settings.MEDIA_ROOT)
        paths = [
            media / b.envelope.storage_name
            for b in Bid.objects.filter(tender=tender, state=Bid.State.ACTIVE).select_related(
                "envelope"
            )
        ]
        scratch = temp / "plain.tar"
        plain_decryption(paths[:3], identity, scratch)  # warm-up
        print("baseline: plain pyrage.decrypt_file …", flush=True)
        baseline_before = plain_decryption(paths, identity, scratch)

        print("the ceremony: three members unlock their shares …", flush=True)
        t0 = time.perf_counter()
        for member in members[:2]:
            offline.unlock_share(member=member, tender=tender, identity=site.identities[member.pk])
        first_two = time.perf_counter() - t0
        if args.workers:
            settings.LPSE_OPENING_WORKERS = args.workers
        if not args.cold and settings.LPSE_OPENING_WORKERS > 1:
            # Members unlock from their own devices, minutes apart: the pool's fork server,
            # started in the background at the first share, is running by the last one.
            opening_pool.warm_up()
            multiprocessing.forkserver.ensure_running()
        profiler = cProfile.Profile() if args.profile else None
        memory = PeakRss()
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        with memory:
            result = offline.unlock_share(
                member=members[2], tender=tender, identity=site.identities[members[2].pk]
            )
        if profiler:
            profiler.disable()
        opening_seconds = time.perf_counter() - t0

        print("baseline again …", flush=True)
        baseline_after = plain_decryption(paths, identity, scratch)
        durable = durable_decryption(paths, identity, temp / "plain")

        # Did it open them all, with the prices sealed?
        if result.state != Opening.State.OPENED:
            raise RuntimeError(f"the opening is {result.state}, not opened")
        opened = list(OpenedBid.objects.filter(bid__tender=tender).select_related("bid__envelope"))
        problems = [o for o in opened if o.problem]
        prices = {e.sha256: Decimal(e.price) for e in envelopes}
        wrong = [o for o in opened if o.total_price != prices.get(o.bid.envelope.sha256)]
        if len(opened) != args.bids or problems or wrong:
            raise RuntimeError(
                f"{len(opened)} opened, {len(problems)} with a problem "
                f"({problems[0].problem_message if problems else ''}), {len(wrong)} wrong prices"
            )
        # the part of the opening that checks each bid against its signed receipt
        # (signature, bid, tender, SHA-256 and size) before decrypting, timed on its own.
        bids = list(
            Bid.objects.filter(tender=tender, state=Bid.State.ACTIVE).select_related(
                "envelope", "tender"
            )
        )
        t0 = time.perf_counter()
        refused = [b for b in bids if opening._replaced_after_receipt(b)]
        receipt_seconds = time.perf_counter() - t0
        if refused:
            raise RuntimeError(f"{len(refused)} bids fail their receipt check")
        # the part that checks each bid's provider signature (the key row, its binding in
        # the audit log before the bid, Ed25519 over the envelope's SHA-256), timed on its own.
        t0 = time.perf_counter()
        unsigned = [b for b in bids if opening._signature_fails(b)]
        signature_seconds = time.perf_counter() - t0
        if unsigned:
            raise RuntimeError(f"{len(unsigned)} bids fail their signature check")
        # R-7.2: the documents' MD5, left out of the ceremony, as the complete-md5 job takes it.
        from lpse.core import storage

        t0 = time.perf_counter()
        md5_count = storage.complete_md5(limit=10 * args.bids)
        md5_seconds = time.perf_counter() - t0
        if storage.blobs_awaiting_md5().exists():
            raise RuntimeError("documents still without their MD5 after complete_md5")
        db_version = database_version()
        close_db()

        baseline = (baseline_before + baseline_after) / 2
        mb = total / MiB
        print()
        print(machine_line(db_version))
        workers = settings.LPSE_OPENING_WORKERS
        where = "in-process" if workers == 1 else f"{workers} worker processes"
        print(f"opening: {args.bids} bids × {args.mb} MiB ({mb:.0f} MiB), 3-of-5, {where}")
        header = f"{'step':<44} {'s':>7} {'MiB/s':>7} {'×baseline':>9}"
        lines = [header, "-" * len(header)]
        for name, seconds in [
            ("baseline #1: pyrage.decrypt_file × bids", baseline_before),
            ("share_unlock #1 and #2 (no opening yet)", first_two),
            ("share_unlock #3: rebuild key, open all bids", opening_seconds),
            ("baseline #2: pyrage.decrypt_file × bids", baseline_after),
            ("reference: the same, own files, fsynced", durable),
        ]:
            ratio = f"{baseline / seconds:.2f}" if "#3" in name else ""
            rate = "" if "no opening" in name else f"{mb / seconds:.1f}"
            lines.append(f"{name:<44} {seconds:7.2f} {rate:>7} {ratio:>9}")
        print("\n".join(lines))
        print(
            f"\nopening ÷ plain decryption: {baseline / opening_seconds:.2f} of the baseline's "
            f"speed (baseline {baseline:.2f} s = mean of {baseline_before:.2f} and "
            f"{baseline_after:.2f}; target ≥ 0.8); {durable / opening_seconds:.2f} of the "
            "reference's, which also writes every plaintext to disk durably as the opening "
            f"must. All {len(opened)} bids opened with their "
            f"sealed prices. (Submitting them in-process took {submit_seconds:.1f} s.)"
        )
        print(
            f"peak RSS during the opening: ceremony's process {memory.parent / MiB:.0f} MiB, "
            f"largest worker {memory.child / MiB:.0f} MiB (sampled every 20 ms)"
        )
        print(
            f"after the ceremony, the complete-md5 job: {md5_count} documents' MD5 in "
            f"{md5_seconds:.2f} s (one process; the committee does not wait for it)"
        )
        print(
            f"CPU during the opening: {memory.machine_busy:.2f} s busy of "
            f"{os.cpu_count()} × {opening_seconds:.2f} s (iowait {memory.machine_iowait:.2f} s); "
            f"the ceremony's process {memory.ceremony_cpu:.2f} s, its workers "
            f"{sum(memory.workers_cpu.values()):.2f} s (last sampled)"
        )
        print(
            f"receipt checks (R-9.9): {receipt_seconds * 1000:.1f} ms for {len(bids)} bids, "
            f"{receipt_seconds / opening_seconds:.4f} of the opening's time"
        )
        print(
            f"signature checks (R-9.7): {signature_seconds * 1000:.1f} ms for {len(bids)} bids, "
            f"{signature_seconds / opening_seconds:.4f} of the opening's time"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(args.profile_lines)
            print("\ncProfile of share_unlock #3, by own time:")
            print("\n".join(out.getvalue().splitlines()[4:]))
        return 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        close_db()
        if admin_url:
            postgres_recreate(admin_url, args.database_name, create=False)
        if args.keep:
            print(f"kept {temp}", file=sys.stderr)
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
