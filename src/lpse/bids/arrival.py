"""The clock that decides whether a bid's last byte came before the deadline (R-9.1, R-9.11).

With one machine it is that machine's. With several application nodes behind a load balancer
each has its own clock, and two that disagree by a few seconds would judge the same moment
differently; ``LPSE_DEADLINE_CLOCK=database`` reads PostgreSQL's ``clock_timestamp()`` instead
(the time as the statement runs, not the transaction's start as ``now()`` would give), so
every node asks the same clock. SQLite runs on one machine only: there it is the node's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone


def now() -> datetime:
    if settings.LPSE_DEADLINE_CLOCK == "database" and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            (moment,) = cursor.fetchone()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return timezone.now()
