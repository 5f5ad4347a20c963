"""How many processes may encrypt or decrypt pieces at once (``pieces.encrypt_many`` and
``decrypt_many`` fork them)."""

from __future__ import annotations

from django.db import connection, connections


def fork_ready(wanted: int) -> int:
    """``wanted`` workers, after closing this process's database connections so that no forked
    child shares a socket with it (they reopen when next used); inside a transaction nothing may
    be closed, so there the work stays in this process (1)."""
    if wanted <= 1 or connection.in_atomic_block:
        return 1
    connections.close_all()
    return wanted
