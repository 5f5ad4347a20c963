"""The maintenance announcement on every page (R-5.3, R-2.3), for everyone, signed in or not."""

from __future__ import annotations

from django.db import DatabaseError
from django.utils import timezone

from lpse.core.calendar import wita_text
from lpse.operations import maintenance_mode


def maintenance(request) -> dict:
    now = timezone.now()
    try:
        windows = maintenance_mode.announced(now, maintenance_mode.windows_of(request, now))
    except DatabaseError:  # a page that can still be drawn is not stopped by its banner
        windows = []
    return {
        "maintenance_announcements": [
            {
                "starts_text": wita_text(w.starts_at),
                "ends_text": wita_text(w.ends_at),
                "reason": w.reason,
                "in_force": w.in_force(now),
            }
            for w in windows
        ]
    }
