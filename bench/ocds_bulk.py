"""Issue 18's benchmark: producing the OCDS bulk files for 100,000 tenders (R-9.5).

    uv run python bench/ocds_bulk.py [--tenders 100000] [--days 30] [--rounds 2]

Builds a throw-away site in a temporary folder (SQLite there; ``migrate`` in process) and stores
one published release per tender, as ``lpse.portal.ocds.store`` stores them: an ``OCDSRelease``
row whose ``data`` has the shape and size of a real tender release (buyer and committee parties,
the tender with its item, two documents and the 12 schedule milestones), spread over ``--days``
publication days. Then, in alternation, ``--rounds`` times each:

  * the baseline: the same rows read the same way (``values_list("data")`` in chunks, oldest
    first) and written with plain ``json.dumps`` into one file;
  * ``lpse.portal.ocds.bulk.bulk_write``: every daily JSON Lines file and the ZIP of everything,
    each hashed with its ``.sha256`` beside it (the output folder emptied first, so every file is
    written, as on the first run);
  * the same again at once, when nothing was published since (what most runs of the job are);
  * its two parts alone over every release: ``write_jsonl`` (one file) and ``write_zip``.

Prints the medians and their ratio (bulk ÷ baseline), measured in the same run because the
machine is shared and noisy. Bounded by the row count; the temporary folder is removed at the
end, on an error and on Ctrl-C. Results: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PREFIX = "ocds-lpsemr"
STAGES = [
    "announcement",
    "document_download",
    "clarification",
    "bid_submission",
    "bid_opening",
    "evaluation",
    "qualification_proof",
    "winner_determination",
    "winner_announcement",
    "objection_period",
    "appointment",
    "contract_signing",
]


def _setup(folder: Path) -> None:
    os.environ["LPSE_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lpse.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _release(n: int, when: datetime, rng: random.Random) -> dict:
    """A tender release as builders.tender makes one (same keys, similar text lengths)."""
    code = f"G{n:08d}"
    ocid = f"{PREFIX}-{code}"
    agency = rng.randrange(1, 40)
    hps = rng.randrange(50, 20_000) * 1_000_000
    buyer = {
        "id": f"agency-{agency}",
        "name": f"Dinas Pekerjaan Umum dan Penataan Ruang {agency}",
        "identifier": {"scheme": "ID-LPSE", "id": f"AG{agency:03d}"},
        "address": {"locality": "Maros", "region": "Sulawesi Selatan", "countryName": "Indonesia"},
        "roles": ["buyer"],
    }
    committee = {"id": f"committee-{agency}", "name": f"Pokja Pemilihan {agency}"}
    committee["roles"] = ["procuringEntity"]
    start = when
    milestones = []
    for i, stage in enumerate(STAGES):
        milestones.append(
            {
                "id": stage,
                "title": stage.replace("_", " "),
                "type": "engagement" if i < 5 else "assessment",
                "dueDate": (start + timedelta(days=2 * i + 1)).isoformat(),
            }
        )
    documents = [
        {
            "id": f"document-{2 * n + k}",
            "documentType": "biddingDocuments",
            "title": title,
            "description": f"{kind}: {kind}-{code}.pdf; SHA-256 {rng.getrandbits(256):064x}; "
            f"MD5 {rng.getrandbits(128):032x}",
            "datePublished": when.isoformat(),
            "language": "id",
        }
        for k, (kind, title) in enumerate(
            [("tender_document", "Dokumen Pemilihan"), ("bill_of_quantities", "Daftar Kuantitas")]
        )
    ]
    return {
        "ocid": ocid,
        "id": f"{ocid}-tender-1",
        "date": when.isoformat(),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "id",
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "parties": [buyer, committee],
        "tender": {
            "id": code,
            "title": f"Pembangunan Jalan Desa Kec. Bantimurung #{n}",
            "status": "active",
            "value": {"amount": hps, "currency": "IDR"},
            "procurementMethod": "open",
            "procurementMethodDetails": "Tender (pascakualifikasi)",
            "mainProcurementCategory": rng.choice(["goods", "works", "services"]),
            "submissionMethod": ["electronicSubmission"],
            "submissionMethodDetails": "Sealed electronic bids (age encryption, k-of-n opening)",
            "eligibilityCriteria": "SBU kualifikasi kecil; pengalaman 1 paket dalam 4 tahun",
            "items": [
                {
                    "id": "1",
                    "description": f"Pembangunan Jalan Desa Kec. Bantimurung #{n}",
                    "classification": {"scheme": "KBLI", "id": "42101", "description": "Jalan"},
                    "deliveryLocation": {"description": "Kec. Bantimurung"},
                }
            ],
            "documents": documents,
            "milestones": milestones,
            "procuringEntity": {"id": committee["id"], "name": committee["name"]},
            "tenderPeriod": {
                "startDate": (start + timedelta(days=1)).isoformat(),
                "endDate": (start + timedelta(days=8)).isoformat(),
            },
        },
    }


def _fill(count: int, days: int) -> None:
    from lpse.portal.models import OCDSRelease
    from lpse.portal.ocds.store import sha256

    rng = random.Random(18)  # noqa: S311 — synthetic data, reproducible on purpose
    first = datetime(2026, 11, 1, tzinfo=UTC)
    batch = []
    for n in range(1, count + 1):
        # publication days in order, as the publisher writes them
        published = first + timedelta(seconds=(days * 86_400) * (n - 1) // count)
        release = _release(n, published, rng)
        batch.append(
            OCDSRelease(
                seq=n,
                ocid=release["ocid"],
                release_id=release["id"],
                kind="tender",
                date=published,
                tags=release["tag"],
                data=release,
                sha256=sha256(release),
                content_sha256=sha256(release),
                published_at=published,
            )
        )
        if len(batch) == 5000:
            OCDSRelease.objects.bulk_create(batch)
            batch = []
    OCDSRelease.objects.bulk_create(batch)
    # auto_now_add overwrote published_at: put the publication days back.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OCDSRelease._meta.db_table} SET published_at = date"  # noqa: S608
        )


def _baseline(out: Path) -> int:
    from lpse.portal.models import OCDSRelease

    rows = OCDSRelease.objects.order_by("seq").values_list("data", flat=True)
    size = 0
    with (out / "plain.jsonl").open("wb") as f:
        for data in rows.iterator(chunk_size=2000):
            size += f.write(json.dumps(data).encode() + b"\n")
    return size


def _bulk() -> int:
    from lpse.portal.ocds import bulk

    shutil.rmtree(bulk.folder())
    bulk.bulk_write(today=datetime(2027, 1, 1).date())  # every day in the past: all final
    return sum(f.size for f in bulk.bulk_files())


def _again() -> int:
    """bulk_write right after itself: nothing was published, so nothing is rewritten."""
    from lpse.portal.ocds import bulk

    assert bulk.bulk_write(today=datetime(2027, 1, 1).date()) == []
    return 0


def _part(kind: str, out: Path) -> int:
    """One part of bulk_write alone, over every release: the JSON Lines writer or the ZIP."""
    from lpse.portal.models import OCDSRelease
    from lpse.portal.ocds import bulk

    rows = bulk._rows(OCDSRelease.objects.all())
    target = out / f"part.{kind}"
    (bulk.write_jsonl if kind == "jsonl" else bulk.write_zip)(target, rows)
    return target.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lpse-bench-ocds-"))
    try:
        _setup(folder)
        began = time.perf_counter()
        _fill(args.tenders, args.days)
        print(f"{args.tenders} releases stored in {time.perf_counter() - began:.1f} s")
        plain_dir = folder / "plain"
        plain_dir.mkdir()
        runs = {
            "plain json.dumps": lambda: _baseline(plain_dir),
            "bulk_write": _bulk,
            "  again, no news": _again,
            "  JSONL, all": lambda: _part("jsonl", plain_dir),
            "  ZIP, all": lambda: _part("zip", plain_dir),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        sizes = {}
        for _ in range(args.rounds):
            for name, run in runs.items():
                began = time.perf_counter()
                sizes[name] = run()
                times[name].append(time.perf_counter() - began)
        base = statistics.median(times["plain json.dumps"])
        print(f"{'':18} {'median s':>9} {'runs s':>20} {'bytes written':>15} {'×':>6}")
        for name, taken in times.items():
            median = statistics.median(taken)
            spread = " ".join(f"{t:.2f}" for t in taken)
            print(f"{name:18} {median:9.2f} {spread:>20} {sizes[name]:15,} {median / base:6.2f}")
        print(
            f"ratio bulk_write / plain json.dumps: {statistics.median(times['bulk_write']) / base:.2f}"
        )
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
