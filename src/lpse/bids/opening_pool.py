"""The opening's process pool (R-8.4, issue 19): bids decrypted by ``workers`` processes while
the ceremony's process stores what the earlier ones held and writes the rows.

Workers are started by a fork server, never forked from the ceremony's process: that one runs
inside gunicorn's threads and holds database connections a child must not share. A worker
gets only a path and the key (``opening_worker.Job``). At most two bids per worker are decrypted
ahead of the ceremony's process, so the temporary files waiting for it stay few whatever the
number of bids. Should a worker die (killed, out of memory), the pool raises
``BrokenProcessPool``; what was decrypted but not yet stored is removed, and the caller's
transaction rolls back, so the opening can simply be run again.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import threading
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from lpse.bids import opening_worker
from lpse.bids.opening_worker import Decrypted, Job

AHEAD_PER_WORKER = 2
K = TypeVar("K")
# The function a worker runs; a module attribute so a test can make a worker die for real.
_work = opening_worker.decrypt


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lpse.bids.opening_worker"])
    return context


def warm_up() -> None:
    """Start the fork server now, in the background: a new interpreter importing pyrage takes
    a noticeable while (seconds on a loaded machine, bench/README-bids.md), better spent while
    the committee is still unlocking than after the last share. It then stays for the process's
    life, so later openings in this process start their workers at once."""
    _context()
    threading.Thread(
        target=multiprocessing.forkserver.ensure_running, name="opening-forkserver", daemon=True
    ).start()


def decrypted_in_order(
    items: Iterable[tuple[K, Job | None]], *, workers: int
) -> Generator[tuple[K, Decrypted | None], None, None]:
    """Each item's key with its job's result (None for an item without a job: a bid refused
    before reading), in the items' order. ``items`` is read lazily, as the workers need more
    jobs: the checks that decide whether a bid has a job run while the first bids decrypt, not
    all before them. The caller ``discard()``s each result when done."""
    context = _context()
    remaining = iter(items)
    pending: deque[tuple[K, Future | None]] = deque()
    in_flight = 0

    def fill() -> None:
        nonlocal in_flight
        while in_flight < AHEAD_PER_WORKER * workers:
            item = next(remaining, None)
            if item is None:
                return
            key, job = item
            if job is None:
                pending.append((key, None))
            else:
                pending.append((key, pool.submit(_work, job)))
                in_flight += 1

    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            fill()
            while pending:
                key, future = pending.popleft()
                if future is None:
                    yield key, None
                    continue
                decrypted = future.result()
                in_flight -= 1
                fill()
                yield key, decrypted
        finally:
            _discard([future for _key, future in pending if future is not None])


def _discard(pending: list[Future]) -> None:
    """Nothing decrypted ahead is left behind when the opening stops part-way."""
    for future in pending:
        future.cancel()
    for future in pending:
        if future.cancelled():
            continue
        try:
            future.result().discard()
        except Exception:  # noqa: S112 — a worker that failed left nothing to remove
            continue
