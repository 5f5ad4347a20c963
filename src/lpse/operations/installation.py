"""Readings that belong to the installation, not to a node (R-5.4, R-5.6 "growth of the user
table and data files"): the database's size, its largest tables, the job broker's queue. Read by
one job for the whole installation, under the node name "installation"."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db import connection

from lpse.operations.readings import Reading

INSTALLATION = "installation"
LARGEST_TABLES = 5


def database() -> Iterator[Reading]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            yield Reading("database_bytes", float(cursor.fetchone()[0]))
            cursor.execute(
                "SELECT relname, pg_total_relation_size(relid) FROM pg_catalog.pg_statio_user_tables"
                " ORDER BY 2 DESC LIMIT %s",
                [LARGEST_TABLES],
            )
        else:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            yield Reading("database_bytes", float(pages * cursor.fetchone()[0]))
            try:  # dbstat is compiled into most SQLite builds, not all
                cursor.execute(
                    "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat AS d"
                    " JOIN sqlite_master AS m ON m.name = d.name"
                    " WHERE m.tbl_name NOT LIKE 'sqlite_%%'"
                    " GROUP BY m.tbl_name ORDER BY 2 DESC LIMIT %s",
                    [LARGEST_TABLES],
                )
            except Exception:
                return
        for table, size in cursor.fetchall():
            yield Reading("table_bytes", float(size), f"table={table}")


def queue_length() -> Iterator[Reading]:
    """Jobs waiting in the broker's default queue; nothing in the embedded mode (no queue)."""
    if settings.LPSE_EMBEDDED_JOBS:
        return
    from lpse.celery import app

    with app.connection_for_read() as conn, conn.channel() as channel:
        _, waiting, _ = channel.queue_declare(app.conf.task_default_queue, passive=True)
    yield Reading("queue_length", float(waiting))


def sample() -> list[Reading]:
    return [*database(), *queue_length()]
