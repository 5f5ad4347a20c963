"""Issue 12's benchmark: what a log proof costs a receipt or a report (R-9.8).

    uv run python bench/log_proofs.py [--events 1000,10000,100000] [--rounds 30]

Builds a throw-away site in a temporary folder (SQLite there; ``migrate`` in process), then, for
each log size, writes that many audit events (chained exactly as ``core.audit.record`` chains them,
inserted in bulk) and measures, in the same process and the same run:

  * the baseline: signing a plain bid receipt (``bids.receipts.sign``, Ed25519 over its
    canonical JSON) — what every accepted bid already costs;
  * a proof when the log grew since the last head (the receipt case: one event appended, then
    ``core.log_proof.proof_for`` signs and stores a new head and answers the inclusion proof),
    from the tree this process keeps (warm) and with that tree dropped first (cold: the first
    proof in a fresh worker, or after a restore), which reads and hashes the whole log;
  * a proof when the log has not moved since the last head (the head is reused);
  * a receipt PDF with and without its proof appendix (``core.documents.with_event_proof``).

Every figure is the median of --rounds runs, printed with its ratio to the baseline's median
measured in the same run, because the machine is shared and noisy. Bounded: a fixed number of
rounds; the temporary folder is removed at the end, on an error and on Ctrl-C. Results:
bench/README-log-proofs.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _setup(folder: Path) -> None:
    os.environ["LPSE_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lpse.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _grow_log(to: int) -> None:
    """Append events up to ``to`` in bulk, hashed and chained as ``core.audit`` does."""
    from lpse.core.audit import GENESIS, _hash_of
    from lpse.core.models import AuditEvent, AuditHead

    head, _ = AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    start = datetime(2026, 7, 1, tzinfo=UTC)
    batch = []
    prev, seq = head.hash, head.seq
    while seq < to:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=start + timedelta(seconds=seq),
            actor_label="bench (#0)",
            action="bench.event",
            object_type="bids.bid",
            object_id=str(seq),
            data={"sha256": hashlib.sha256(str(seq).encode()).hexdigest(), "size": seq},
            prev_hash=prev,
        )
        event.hash = prev = _hash_of(event)
        batch.append(event)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    AuditHead.objects.filter(id=1).update(seq=seq, hash=prev)


def _median_ms(run, rounds: int, before=None) -> float:
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(size: int, rounds: int) -> dict[str, float]:
    from lpse.bids import receipts
    from lpse.core import audit, log_proof, transparency
    from lpse.core.documents import with_event_proof
    from lpse.core.models import AuditEvent
    from lpse.core.pdf import PdfForm, render_form

    _grow_log(size)
    fields = {
        "bid": 1,
        "tender": "T-2026-0001",
        "provider": "CV Sinar Maros",
        "provider_npwp": "012345678901000",
        "user_id": "sinarmaros",
        "md5": "0" * 32,
        "sha256": "0" * 64,
        "size": 123456,
        "received_at": "2026-07-08T10:00:00+08:00",
        "replaces": [],
    }
    rows = [(k, str(v)) for k, v in fields.items()]

    def receipt_pdf() -> bytes:
        return render_form(PdfForm(title="Tanda Terima Penawaran", rows=rows))

    def append() -> None:
        audit.record(actor=None, action="bench.receipt", data={"n": 1})

    def newest():
        return AuditEvent.objects.order_by("-seq").first()

    transparency.tree_head_sign()  # the tree is read once, as a running worker has it
    figures = {"baseline": _median_ms(lambda: receipts.sign(fields), rounds)}
    figures["proof, log grew (warm)"] = _median_ms(
        lambda: log_proof.proof_for(newest()), rounds, before=append
    )
    figures["proof, log grew (cold)"] = _median_ms(
        lambda: log_proof.proof_for(newest()),
        max(3, rounds // 5),
        before=lambda: (append(), transparency._tree._reset()),
    )
    log_proof.proof_for(newest())
    figures["proof, head reused"] = _median_ms(lambda: log_proof.proof_for(newest()), rounds)
    figures["receipt PDF"] = _median_ms(receipt_pdf, rounds)
    figures["receipt PDF + proof appendix"] = _median_ms(
        lambda: with_event_proof(receipt_pdf(), newest()), rounds, before=append
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.events.split(","))
    folder = Path(tempfile.mkdtemp(prefix="lpse-bench-proofs-"))
    try:
        _setup(folder)
        print(f"python {sys.version.split()[0]}, SQLite, rounds {args.rounds}")
        results = {}
        for size in sizes:
            figures = _measure(size, args.rounds)
            results[size] = figures
            base = figures["baseline"]
            print(f"\nlog of ~{size} events (baseline: sign a plain receipt, {base:.3f} ms)")
            for name, ms in figures.items():
                print(f"  {name:32s} {ms:9.3f} ms   ×{ms / base:8.1f} of the baseline")
        print("\n" + json.dumps(results))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
