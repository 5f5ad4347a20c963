"""The public list's two reads that every page makes (R-8.5, issue 19), written in SQL.

Their shape never changes (a page of the whole list by positions; 20 rows by id with their
agencies' names), and the ORM compiled them again at every request: 1.5 ms of the 2 ms that
the page of the whole list took through a subquery and expressions, 0.4 ms of the rows' 1 ms
(PostgreSQL, 100,000 tenders; bench/README.md). Written out, they cost their round trips.
The filtered pages' ids stay with the ORM (``listings.page_ids``): their filters compose.
"""

from __future__ import annotations

from django.db import connection

from lpse.tenders.models import ListedTender

_LISTED = ListedTender._meta.db_table
_AGENCY = ListedTender._meta.get_field("agency").related_model._meta.db_table
_ESTIMATE = ListedTender._meta.get_field("owner_estimate").get_col(_LISTED)


def whole_list_ids(*, skipped: int, shown: int) -> list[int]:
    """The ids of ``shown`` rows after the ``skipped`` newest, newest first: positions have no
    gaps (``tenders.listing``), so these are the positions just below the newest's minus
    ``skipped``, found in ``shown`` entries of the position index at any depth."""
    table, position = connection.ops.quote_name(_LISTED), connection.ops.quote_name("position")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tender_id FROM {table} WHERE {position} <= "  # noqa: S608 — no input in it
            f"(SELECT MAX({position}) FROM {table}) - %s ORDER BY {position} DESC LIMIT %s",
            [skipped, shown],
        )
        return [pk for (pk,) in cursor.fetchall()]


def rows_by_id(ids: list[int]) -> dict[int, tuple]:
    """(code, package name, category, fiscal year, HPS, agency name, timeline) of each listed
    row among ``ids``, by id."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    listed, agency = connection.ops.quote_name(_LISTED), connection.ops.quote_name(_AGENCY)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.tender_id, l.code, l.name, l.category, l.fiscal_year, "  # noqa: S608
            f"l.owner_estimate, a.name, l.timeline FROM {listed} l JOIN {agency} a "
            f"ON a.id = l.agency_id WHERE l.tender_id IN ({marks})",
            ids,
        )
        found = cursor.fetchall()
    # As the ORM reads the HPS: SQLite keeps a decimal column as a float, which Django rounds to
    # 15 digits and to the field's 2 places (1234.57 would otherwise show as 1.234,56).
    converters = [
        *connection.ops.get_db_converters(_ESTIMATE),
        *_ESTIMATE.get_db_converters(connection),
    ]
    rows = {}
    for pk, code, name, category, year, estimate, agency_name, timeline in found:
        for convert in converters:
            estimate = convert(estimate, _ESTIMATE, connection)
        rows[pk] = (code, name, category, year, estimate, agency_name, timeline)
    return rows
