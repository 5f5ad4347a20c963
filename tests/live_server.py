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
"""

from __future__ import annotations

import threading
import time

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, TransactionTestCase

# How long the server must have been quiet before the flush; a request the browser sent just
# before its context closed reaches a server thread well within this.
_QUIET_SECONDS = 0.2
_LONGEST_REQUEST_SECONDS = 120


class _RequestGate:
    """Counts requests in flight and runs them one at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
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
                result = app(environ, start_response)
                try:
                    # The body is read under the lock too: a lazy body may still query.
                    body = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
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


def serialise_live_server() -> None:
    LiveServerThread.server_class = OneRequestAtATimeServer
    flush = TransactionTestCase._fixture_teardown

    def flush_when_no_request_runs(test_case):
        _GATE.wait_until_quiet()
        with _GATE.lock:
            flush(test_case)

    TransactionTestCase._fixture_teardown = flush_when_no_request_runs
