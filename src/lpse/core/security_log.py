"""Security events that must survive the refusal they describe (R-4.4): an infected upload is
refused by rolling its transaction back, so its record cannot live in that transaction.

Each event is one JSON line appended (and flushed to disk) to this node's file of the day under
``DATA_DIR/security/``, and logged. The security page reads them back; the audit log keeps the
actions that succeeded.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

log = logging.getLogger("lpse.security")


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "security"


def _file_of(day: date) -> Path:
    return _folder() / f"events-{settings.LPSE_NODE_NAME}-{day.isoformat()}.jsonl"


def record(kind: str, **data) -> None:
    now = timezone.now()
    line = json.dumps({"at": now.isoformat(), "kind": kind, **data}, sort_keys=True, default=str)
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(_file_of(timezone.localdate(now)), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())  # one write: lines of two processes never mix
        os.fsync(fd)
    finally:
        os.close(fd)
    log.warning("security event %s %s", kind, line)


def events(since: datetime, kind: str | None = None) -> Iterator[dict]:
    """This node's events since ``since``, oldest first."""
    day = timezone.localdate(since)
    today = timezone.localdate()
    while day <= today:
        for path in sorted(_folder().glob(f"events-*-{day.isoformat()}.jsonl")):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    try:
                        event = json.loads(line)
                    except ValueError:  # a line cut by a full disk: skip it, keep the rest
                        continue
                    if datetime.fromisoformat(event["at"]) >= since and (
                        kind is None or event["kind"] == kind
                    ):
                        yield event
        day += timedelta(days=1)
