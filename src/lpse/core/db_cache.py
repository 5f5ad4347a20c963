"""The shared cache in the database (``LPSE_CACHE_URL=database``, issue 19, R-9.11): several
nodes with PostgreSQL and no Redis still count the same rate limits, see the same public pages
and hand each installation job's lease to one node.

Django's DatabaseCache, with the two operations those uses need made atomic:

- ``incr`` is a read then a write in Django (``BaseCache.incr``): two workers counting the same
  address at once would both read 4 and both write 5, and a limiter under a burst would let
  through about as many requests as it has workers. Here the row is locked while it is read and
  rewritten (``SELECT … FOR UPDATE``; on SQLite the write transaction is taken at its start,
  ``transaction_mode=IMMEDIATE``), so concurrent counts add up.
- ``add`` over an expired row is a read then an UPDATE in Django: two nodes finding the same
  job's lease expired would both take it. Here an expired row is deleted and the new one
  inserted, and the primary key lets exactly one insert win.

The table is ``core.CacheEntry``'s (a migration makes it on every installation, so switching to
this cache needs no extra step); its columns are the ones ``createcachetable`` makes.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import IntegrityError, connections, router, transaction
from django.utils.timezone import now as tz_now

TABLE = "lpse_cache"


class SharedDatabaseCache(DatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table, column = self._names(connection)
        expires = self._expiry(connection, timeout)
        now = tz_now().replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 — quoted names only
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                # Django's own culling, as its ``set`` does (not in the type stubs).
                self._cull(db, cursor, now, count)  # type: ignore[attr-defined]
            cursor.execute(
                f"DELETE FROM {table} WHERE {column['key']} = %s AND {column['expires']} < %s",  # noqa: S608
                [key, connection.ops.adapt_datetimefield_value(now)],
            )
            try:
                with transaction.atomic(using=db):  # a savepoint inside a caller's transaction
                    cursor.execute(
                        f"INSERT INTO {table} ({column['key']}, {column['value']}, "  # noqa: S608
                        f"{column['expires']}) VALUES (%s, %s, %s)",
                        [key, self._pickled(value), expires],
                    )
            except IntegrityError:
                return False  # the key is there and alive: another node or worker has it
        return True

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table, column = self._names(connection)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column['value']}, {column['expires']} FROM {table} "  # noqa: S608
                f"WHERE {column['key']} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 — our own rows
            value += delta
            cursor.execute(
                f"UPDATE {table} SET {column['value']} = %s WHERE {column['key']} = %s",  # noqa: S608
                [self._pickled(value), key],
            )
        return value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version)

    # --- helpers ------------------------------------------------------------------------------

    def _names(self, connection) -> tuple[str, dict[str, str]]:
        quote = connection.ops.quote_name
        names = {"key": "cache_key", "value": "value", "expires": "expires"}
        table = self._table  # type: ignore[attr-defined]  # Django's, not in the type stubs
        return quote(table), {k: quote(v) for k, v in names.items()}

    def _pickled(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _expiry(self, connection, timeout):
        timeout = self.get_backend_timeout(timeout)
        moment = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        return connection.ops.adapt_datetimefield_value(moment.replace(microsecond=0))

    @staticmethod
    def _expired(connection, expires) -> bool:
        from django.db import models

        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression)
        for converter in converters + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires < tz_now()
