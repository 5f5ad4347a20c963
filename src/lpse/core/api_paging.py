"""Cursor paging of the JSON API's lists (R-9.5, issue 18): oldest first, the next page asked
with ``since=`` the cursor of the last row seen. An offset shifts when rows arrive between two
pages (a row seen twice, or one never seen); a cursor names a row, so it never does.

A cursor is ``<microseconds since 1970>-<id>`` of the last row: opaque to clients, but plain to
read in a log. Its pattern is in the OpenAPI, so a malformed one is refused as any invalid
parameter (422).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

CURSOR_PATTERN = r"^[0-9]{1,16}-[0-9]{1,12}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR_DESCRIPTION = "The `next` of the previous page: the rows after it, oldest first."


def cursor_of(moment: datetime, pk: int) -> str:
    delta = moment - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{max(micros, 0)}-{pk}"


def parse_cursor(cursor: str) -> tuple[datetime, int]:
    micros, pk = (int(part) for part in cursor.split("-", 1))
    return EPOCH + timedelta(microseconds=micros), pk


def after(rows: QuerySet, cursor: str | None, *, moment_field: str) -> QuerySet:
    """``rows`` after ``cursor`` (all of them without one), oldest first by ``moment_field``
    and id — the order the cursor follows."""
    if cursor:
        moment, pk = parse_cursor(cursor)
        rows = rows.filter(
            Q(**{f"{moment_field}__gt": moment}) | Q(**{moment_field: moment, "pk__gt": pk})
        )
    return rows.order_by(moment_field, "pk")


def page_of(rows: QuerySet, cursor: str | None, size: int, *, moment_field: str):
    """(the page's rows, the cursor of the next page or None when this is the last)."""
    items = list(after(rows, cursor, moment_field=moment_field)[: size + 1])
    more = len(items) > size
    items = items[:size]
    last = items[-1] if items else None
    following = cursor_of(getattr(last, moment_field), last.pk) if more and last else None
    return items, following
