"""The browser tests' live server: the flush between tests never runs beside a request.

CI on stop 25 failed because a request the browser had left running was still on the server
when the next flush started; the flush failed and the next test found the last one's rows.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from lpse.accounts.models import Agency
from tests.live_server import _GATE, _RequestGate, _shared_with_the_server


def _slow_app(started: threading.Event, seconds: float):
    def app(environ, start_response):
        started.set()
        time.sleep(seconds)
        start_response("200 OK", [])
        return [b"done"]

    return app


def _slow_request_running(gate: _RequestGate) -> tuple[threading.Thread, list[float]]:
    """A request of half a second started on ``gate`` in a thread, and the list that gets the
    moment it finished."""
    started = threading.Event()
    finished_at: list[float] = []

    def request():
        gate.run(_slow_app(started, 0.5), {}, lambda *a: None)
        finished_at.append(time.monotonic())

    worker = threading.Thread(target=request)
    worker.start()
    assert started.wait(5)
    return worker, finished_at


def test_the_flush_waits_for_a_request_still_running():
    gate = _RequestGate()
    worker, finished_at = _slow_request_running(gate)
    gate.wait_until_quiet()
    quiet_at = time.monotonic()
    worker.join()
    assert finished_at and quiet_at >= finished_at[0]


def test_requests_run_one_at_a_time():
    gate = _RequestGate()
    running = 0
    most = 0
    guard = threading.Lock()

    def app(environ, start_response):
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        start_response("200 OK", [])
        return [b""]

    threads = [threading.Thread(target=gate.run, args=(app, {}, lambda *a: None)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_a_transaction", [True, False])
def test_the_tests_own_writes_wait_for_a_request_still_running(monkeypatch, in_a_transaction):
    """CI on session 9: the test bound a signing key while the browser's last request still ran
    on the shared in-memory connection, and that request's commit failed ("SQL statements in
    progress"). A transaction waits as a whole; a lone ``create`` (an INSERT … RETURNING, in
    progress until its row is read) as a whole statement."""
    if not _shared_with_the_server(connections["default"]):
        pytest.skip("only the in-memory SQLite connection is shared with the server's threads")
    monkeypatch.setattr(_GATE, "server_running", True)
    worker, finished_at = _slow_request_running(_GATE)
    if in_a_transaction:
        with transaction.atomic():
            written_at = time.monotonic()
            Agency.objects.create(code="GATE", name="Dinas Uji Gerbang")
    else:
        Agency.objects.create(code="GATE", name="Dinas Uji Gerbang")
        written_at = time.monotonic()
    worker.join()
    assert finished_at and written_at >= finished_at[0]
