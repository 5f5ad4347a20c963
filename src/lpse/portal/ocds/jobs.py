"""The periodic OCDS job: new releases, then the bulk files (R-9.5)."""

from __future__ import annotations

from lpse.portal.ocds.bulk import bulk_write
from lpse.portal.ocds.store import releases_publish


def ocds_publish(*, full: bool = False) -> int:
    """Publish what changed since the last run and refresh the bulk files; the number of new
    releases. Safe to run at any time and as often as wanted (idempotent, catches up). ``full``
    looks at every announced tender again (a repair; ``lpse ocds_publish --full``)."""
    made = releases_publish(full=full)
    bulk_write()
    return made
