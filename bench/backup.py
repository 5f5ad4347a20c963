"""Issue 14's benchmark: backups of a site with 2 GiB of blobs, as ratios measured in one run.

    uv run python bench/backup.py [--gib 2] [--rounds 2]

A throw-away SQLite site (``lpse setup``) in a temporary folder gets ``--gib`` of blobs
(random bytes, as sealed bids and PDFs are: incompressible; sizes 64 KiB–16 MiB), an offline
age key and a folder target. Measured, each ``--rounds`` times, alternating:

- ``tar -cf - media | zstd`` of the same files to the same disk (the baseline);
- a full backup (``run_backup``, what ``lpse backup run`` calls; a new, empty target each round);
- the same again with nothing changed (incremental);
- a restore of the full backup into an empty folder (``restore``, what ``lpse restore`` calls).

The backup and restore run in this process, after Django's start-up: ``lpse``'s own start
(1–3 s on this VM) is the same for any backup and would hide what an incremental run costs.

Goals: a full backup at least 0.8 of the baseline's speed (time ratio ≤ 1.25), an incremental
backup with no change under 5 % of the full's time. The restore is reported against the full
backup's time. The folder is removed at the end, on an error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from portal import run_lpse, site_env  # bench/ is on sys.path when run as a script


def populate(env: dict[str, str], gib: float) -> tuple[int, int]:
    """Blobs of random bytes, stored as the site stores uploads; returns (count, bytes)."""
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    from lpse.core.storage import store_chunks

    rng = random.Random(14)  # noqa: S311 — sizes only
    target, total, count = int(gib * 1024**3), 0, 0
    while total < target:
        size = min(int(rng.lognormvariate(14.5, 1.0)) + 65536, 16 * 1024**2, target - total)
        store_chunks(os.urandom(size)[i : i + 1024**2] for i in range(0, size, 1024**2))
        total += size
        count += 1
    connections.close_all()
    return count, total


def baseline(data: Path, out: Path) -> float:
    """``tar -cf - media | zstd -q -o out``: the two programs joined by a pipe, no shell."""
    started = time.perf_counter()
    tar = subprocess.Popen(  # noqa: S603 — fixed arguments
        [shutil.which("tar") or "tar", "-cf", "-", "-C", str(data), "media"],
        stdout=subprocess.PIPE,
    )
    zstd = subprocess.run(  # noqa: S603
        [shutil.which("zstd") or "zstd", "-q", "-f", "-o", str(out)],
        stdin=tar.stdout,
        check=True,
        timeout=3600,
    )
    tar.stdout.close()  # type: ignore[union-attr]
    if tar.wait(timeout=3600) or zstd.returncode:
        raise subprocess.CalledProcessError(tar.returncode or zstd.returncode, "tar | zstd")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.gib <= 0 or args.rounds < 1:
        parser.error("--gib must be positive and --rounds at least 1")
    for tool in ("tar", "zstd"):
        if not shutil.which(tool):
            print(f"error: {tool} is not installed (apt-get install {tool})", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    temp = Path(tempfile.mkdtemp(prefix="lpse-bench-backup-", dir=os.environ.get("BENCH_DIR")))
    try:
        import pyrage

        identity = pyrage.x25519.Identity.generate()
        key_file = temp / "offline-key.txt"
        key_file.write_text(f"{identity}\n")
        data = temp / "data"
        env = site_env(data, None)
        env["LPSE_BACKUP_RECIPIENTS"] = str(identity.to_public())
        env["LPSE_BACKUP_KEEP"] = "last=10"
        print(f"site in {temp} (SQLite); lpse setup …", flush=True)
        run_lpse(env, "setup", "--verbosity", "0")
        started = time.perf_counter()
        count, size = populate(env, args.gib)
        print(f"{count} blobs, {size / 1024**3:.2f} GiB, in {time.perf_counter() - started:.0f} s")
        times: dict[str, list[float]] = {
            "baseline": [],
            "full": [],
            "incremental": [],
            "restore": [],
        }
        from django.conf import settings

        from lpse.archive import keys
        from lpse.archive.services.backup import run_backup
        from lpse.archive.services.restore import restore
        from lpse.archive.targets import FolderTarget

        identities = keys.load_identities(key_file)
        for round_ in range(args.rounds):
            out = temp / "baseline.tar.zst"
            times["baseline"].append(baseline(data, out))
            out.unlink()
            target = temp / f"target-{round_}"
            target.mkdir()
            settings.LPSE_BACKUP_TARGETS = [f"folder:{target}"]
            for name in ("full", "incremental"):
                started = time.perf_counter()
                [run] = run_backup()
                times[name].append(time.perf_counter() - started)
                if run.state != "good":
                    raise RuntimeError(f"the {name} backup failed: {run.error}")
            restored = temp / f"restored-{round_}"
            started = time.perf_counter()
            restore(FolderTarget(target), "latest", identities=identities, data_dir=restored)
            times["restore"].append(time.perf_counter() - started)
            shutil.rmtree(restored)
            shutil.rmtree(target)
            print(
                f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                flush=True,
            )
        median = {name: statistics.median(values) for name, values in times.items()}
        print()
        print(
            f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {platform.node()} · "
            f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
            f"{count} blobs, {size / 1024**3:.2f} GiB · {args.rounds} rounds (medians)"
        )
        gib = size / 1024**3
        for name, seconds in median.items():
            print(f"  {name:<12} {seconds:8.2f} s   {gib / seconds * 1024:7.0f} MiB/s")
        speed = median["baseline"] / median["full"]
        print(f"\nfull backup speed = {speed:.2f} of tar | zstd (goal ≥ 0.8)")
        print(
            f"incremental, no change = {median['incremental'] / median['full']:.1%} of the full "
            "backup's time (goal < 5 %)"
        )
        print(f"restore = {median['restore'] / median['full']:.2f}× the full backup's time")
        return 0
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
