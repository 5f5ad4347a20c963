"""pytest-django's live server, one request at a time, and never during the flush between tests.

With the embedded default (in-memory SQLite) every request thread of Django's threaded test
server shares the test's single connection. Two requests in flight at once (a navigation the
browser abandoned for the next ``page.goto`` is still running on the server) then collide in
SQLite: "cannot start a transaction within a transaction", the session is lost and the page
never renders. Production servers have a connection per thread; here the test server runs
each request, body included, under one lock. Connections stay threaded (keep-alive works), so
an idle browser connection never holds the lock.

Closing the browser at a test's end does not stop a request the server is still running, and
the database flush after the test then ran alongside it: "couldn't be flushed", and the next
test set up on the previous one's rows (CI on stop 25). The flush waits until no request is in
flight and holds the same lock while it runs.

The test's own queries share that connection too: a test writing rows (binding a signing key)
while the browser still loaded the page before (its /jsi18n/) made that request fail with
"cannot commit transaction - SQL statements in progress" (CI on session 9). So every statement
and every transaction of a thread that is not serving a request takes the same lock — a
reentrant one, held by a request for its whole run — while a live server shares the test's
in-memory database.
"""

from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.db.models.sql.compiler import SQLCompiler, SQLInsertCompiler
from django.db.transaction import Atomic
from django.test.testcases import LiveServerThread, TransactionTestCase

# How long the server must have been quiet before the flush; a request the browser sent just
# before its context closed reaches a server thread well within this.
_QUIET_SECONDS = 0.2
_LONGEST_REQUEST_SECONDS = 120
# How long a thread outside a request waits for the gate before going ahead (_take_the_gate).
_GATE_WAIT_SECONDS = 30


class _RequestGate:
    """Counts requests in flight and runs them one at a time."""

    def __init__(self) -> None:
        # Reentrant: a request's own queries, and a flush's, pass the gate they already hold.
        self.lock = threading.RLock()
        self.serving = threading.local()  # .request: this thread runs a request now
        self.server_running = False
        self._changed = threading.Condition()
        self._in_flight = 0
        self._last_change = 0.0

    def _count(self, step: int) -> None:
        with self._changed:
            self._in_flight += step
            self._last_change = time.monotonic()
            self._changed.notify_all()

    def run(self, app, environ, start_response) -> list[bytes]:
        self._count(+1)
        try:
            with self.lock:
                self.serving.request = True
                try:
                    result = app(environ, start_response)
                    try:
                        # The body is read under the lock too: a lazy body may still query.
                        body = b"".join(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()
                finally:
                    self.serving.request = False
            return [body]
        finally:
            self._count(-1)

    def wait_until_quiet(self) -> None:
        """Until no request has run for a moment (at once for a test without a browser)."""
        deadline = time.monotonic() + _LONGEST_REQUEST_SECONDS
        with self._changed:
            while time.monotonic() < deadline:
                quiet_for = time.monotonic() - self._last_change
                if self._in_flight == 0 and quiet_for >= _QUIET_SECONDS:
                    return
                busy = self._in_flight > 0
                self._changed.wait(timeout=_QUIET_SECONDS if busy else _QUIET_SECONDS - quiet_for)


_GATE = _RequestGate()


class _OneAtATime:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return _GATE.run(self.app, environ, start_response)


class OneRequestAtATimeServer(ThreadedWSGIServer):
    def set_app(self, application):
        super().set_app(_OneAtATime(application))
        _GATE.server_running = True
        for connection in connections.all():
            if _shared_with_the_server(connection):
                connection.execute_wrappers.append(_statement_through_the_gate)


def _shared_with_the_server(connection) -> bool:
    """The test's in-memory SQLite connection, which Django hands to the server's threads."""
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _outside_a_request(using: str | None) -> bool:
    if not _GATE.server_running or getattr(_GATE.serving, "request", False):
        return False
    return _shared_with_the_server(connections[using or "default"])


def _gated_blocks() -> list[bool]:
    """This thread's open transaction blocks, innermost last: whether each took the gate (an
    ``Atomic`` may be one object shared by threads and calls, as a decorator)."""
    if not hasattr(_GATE.serving, "blocks"):
        _GATE.serving.blocks = []
    return _GATE.serving.blocks


def _take_the_gate(using: str | None) -> bool:
    """Take the gate for a thread outside a request (True if taken). Never waits forever: a
    lock of the application's own held across a query (the log tree's) could otherwise make
    the test thread and a request wait on each other; after a while the statement goes ahead
    ungated, as it did before the gate covered the test's thread."""
    if not _outside_a_request(using):
        return False
    if _GATE.lock.acquire(timeout=_GATE_WAIT_SECONDS):
        return True
    print(f"live server: a request held the database for {_GATE_WAIT_SECONDS} s; going ahead")
    return False


@contextmanager
def _through_the_gate(using: str | None = None):
    taken = _take_the_gate(using)
    try:
        yield
    finally:
        if taken:
            _GATE.lock.release()


def _statement_through_the_gate(execute, sql, params, many, context):
    with _through_the_gate():
        return execute(sql, params, many, context)


def _compiled_through_the_gate(execute_sql):
    """A compiled query, statement and rows: an ``INSERT … RETURNING`` stays in progress until
    its row is fetched, after ``execute`` returned, and a request's commit in between fails."""

    @functools.wraps(execute_sql)
    def run(compiler, *args, **kwargs):
        with _through_the_gate(compiler.using):
            return execute_sql(compiler, *args, **kwargs)

    return run


def serialise_live_server() -> None:
    LiveServerThread.server_class = OneRequestAtATimeServer
    flush = TransactionTestCase._fixture_teardown

    def flush_when_no_request_runs(test_case):
        _GATE.wait_until_quiet()
        with _GATE.lock:
            flush(test_case)

    TransactionTestCase._fixture_teardown = flush_when_no_request_runs

    # A transaction of the test's thread is one turn at the gate, not one per statement: a
    # request run between two of its statements would commit or roll back the test's.
    enter, leave = Atomic.__enter__, Atomic.__exit__

    def enter_through_the_gate(atomic):
        gated = _take_the_gate(atomic.using)
        try:
            enter(atomic)
        except BaseException:
            if gated:
                _GATE.lock.release()
            raise
        _gated_blocks().append(gated)

    def leave_through_the_gate(atomic, exc_type, exc_value, traceback):
        try:
            return leave(atomic, exc_type, exc_value, traceback)
        finally:
            if _gated_blocks().pop():
                _GATE.lock.release()

    Atomic.__enter__ = enter_through_the_gate
    Atomic.__exit__ = leave_through_the_gate
    for compiler in (SQLCompiler, SQLInsertCompiler):
        compiler.execute_sql = _compiled_through_the_gate(compiler.execute_sql)
