"""A worker of the opening's pool that dies for real (tests/test_opening_pool.py): importable
without Django, as the pool's processes import it by name."""

from __future__ import annotations

import os
from pathlib import Path

from lpse.bids.opening_worker import Decrypted, Job, decrypt


def die_on_marked(job: Job) -> Decrypted:
    """Decrypt as a worker does, except that the process ends at once, as if killed, on an
    envelope next to which a ``.die`` file was put."""
    if Path(job.path + ".die").exists():
        os._exit(70)
    return decrypt(job)
