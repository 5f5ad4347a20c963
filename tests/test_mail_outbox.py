"""The e-mail outbox (issue 21): Redis down, SMTP down or refusing, a worker killed mid-send.

Real parts throughout: a Redis server of the test's own (never the shared one on 6379), which the
test kills with SIGKILL and starts again; a real SMTP server (aiosmtpd) that accepts, refuses or
is not there at all. An e-mail is a row written in the transaction of the write it tells about;
it is delivered at least once and keeps one Message-ID on every attempt.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from datetime import timedelta

import kombu.pools
import pytest
import redis
import time_machine
from django.utils import timezone

from lpse.celery import app
from lpse.core import mail_outbox
from lpse.core.models import SentEmail
from lpse.core.tasks import deliver_emails, send_mail_on_commit

pytestmark = pytest.mark.django_db
State = SentEmail.State
TO = "direktur@sinar.test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self, folder):
        self.port, self.folder, self.process = _free_port(), folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def queued(self) -> int:
        return redis.Redis.from_url(self.url).llen("celery")


@pytest.fixture
def broker(tmp_path):
    """Celery publishing to an own Redis for real (not the tests' eager mode)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("LPSE_REQUIRE_REDIS") == "1":
            pytest.fail("LPSE_REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    app.conf.broker_url, app.conf.task_always_eager = server.url, False
    _forget_pools()  # the app's pools are made from broker_url on first use
    try:
        yield server
    finally:
        for key in ("broker_url", "task_always_eager"):  # back to the Django settings' values
            app.conf.changes.pop(key, None)
        kombu.pools.reset()  # closes this Redis's pool; kombu makes fresh ones on demand
        _forget_pools()
        if server.process.poll() is None:
            server.kill()


def _forget_pools() -> None:
    """Not closed here: kombu keeps pools in a registry shared by the whole process (even eager
    tasks take a producer from it), and the other tests' pool must stay usable."""
    app._pool = None
    app.amqp._producer_pool = None


def send(django_capture_on_commit_callbacks, subject: str = "Pendaftaran diterima") -> SentEmail:
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_on_commit(
            to=[TO], subject=subject, body="Tautan: https://lpse.test/daftar/isi/x/"
        )
    return SentEmail.objects.get(subject=subject)


def later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_issue21_redis_down_the_email_waits_in_the_outbox_and_is_sent_when_jobs_run_again(
    broker, smtp_server, django_capture_on_commit_callbacks
):
    broker.kill()
    row = send(django_capture_on_commit_callbacks)  # the write succeeds; no error reaches it
    assert (row.state, row.attempts, smtp_server.messages) == (State.QUEUED, 0, [])
    assert row.message_id.startswith("<") and row.message_id.endswith(">")

    broker.start()  # Redis is back; beat runs deliver-outbox within the minute
    with later(2):
        assert mail_outbox.deliver_due() == 1
        assert mail_outbox.deliver_due() == 0  # sent once, not again
    row.refresh_from_db()
    assert (row.state, row.delivered, row.attempts) == (State.SENT, True, 1)
    [message] = smtp_server.messages
    assert message["Message-ID"] == row.message_id and message["To"] == TO


def test_issue21_with_the_broker_up_the_message_goes_to_a_worker_which_sends_it_once(
    broker, smtp_server, django_capture_on_commit_callbacks
):
    row = send(django_capture_on_commit_callbacks)
    assert broker.queued() == 1  # handed to the broker after the commit, for a worker
    assert deliver_emails([row.pk]) == 1  # the worker's job, as it runs it
    assert deliver_emails([row.pk]) == 0  # a redelivered broker message sends nothing twice
    with later(2):
        assert mail_outbox.deliver_due() == 0
    assert len(smtp_server.messages) == 1


def test_issue21_smtp_down_then_refusing_then_accepting_is_retried_with_back_off(
    settings, smtp_server, django_capture_on_commit_callbacks, client, make_user
):
    from lpse.accounts.roles import Role

    real_port, settings.EMAIL_PORT = settings.EMAIL_PORT, _free_port()  # nobody listens there
    row = send(django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.RETRYING, 1)
    assert "ConnectionRefusedError" in row.error
    assert row.next_attempt_at - timezone.now() == pytest.approx(
        timedelta(minutes=1), abs=timedelta(seconds=5)
    )

    settings.EMAIL_PORT, smtp_server.refuse_with = real_port, "451 4.3.0 Try again later"
    with later(0.5):
        assert mail_outbox.deliver_due() == 0  # not due yet: back-off
    with later(1.5):
        mail_outbox.deliver_due()
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.RETRYING, 2)
    assert "451" in row.error and smtp_server.messages == []

    # The mail log says what is happening.
    client.force_login(make_user(Role.APP_ADMIN))
    log_page = client.get("/admin-lpse/surat/").content.decode()
    assert "Retrying" in log_page and "2 attempts" in log_page and "451" in log_page

    smtp_server.refuse_with = ""
    with later(4):
        assert mail_outbox.deliver_due() == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error, row.pending_body) == (State.SENT, 3, "", "")


def test_issue21_an_smtp_server_that_never_accepts_is_given_up_after_the_last_attempt(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse_with = "554 5.7.1 Rejected"
    row = send(django_capture_on_commit_callbacks)
    minutes = 0
    for _ in range(mail_outbox.MAX_ATTEMPTS):
        minutes += 61
        with later(minutes):
            mail_outbox.deliver_due()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == (
        State.FAILED,
        mail_outbox.MAX_ATTEMPTS,
        None,
    )
    assert row.pending_body == ""  # a one-time link is not kept for a message never sent


def test_issue21_a_worker_killed_after_the_smtp_ok_sends_again_with_the_same_message_id(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    """At least once, never zero: the worker claimed the message and the SMTP server accepted
    it, then the worker died before recording that. When its lease runs out the job sends it
    again, with the same Message-ID, so the recipient's mail system can tell it is one message."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False):  # the hand-over never happens
        send_mail_on_commit(to=[TO], subject="Undangan", body="Isi")
    row = SentEmail.objects.get(subject="Undangan")
    assert mail_outbox._claim(row.pk)  # the first two steps of deliver(), then the kill
    mail_outbox._send(row)
    with later(5):
        assert mail_outbox.deliver_due() == 0  # the lease still holds
    with later(mail_outbox.LEASE.total_seconds() / 60 + 1):
        assert mail_outbox.deliver_due() == 1
    first, second = smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == row.message_id


def test_issue21_a_one_time_link_waits_whole_and_the_log_keeps_it_out(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.LPSE_DEMO = False
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    link = "https://lpse.test/akun/sandi/atur/abc123/"
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_on_commit(to=[TO], subject="Atur sandi", body=f"Buka {link}", secret=True)
    row = SentEmail.objects.get(subject="Atur sandi")
    assert link not in row.body and link in row.pending_body
    smtp_server.refuse_with = ""
    with later(2):
        mail_outbox.deliver_due()
    row.refresh_from_db()
    assert row.state == State.SENT and row.pending_body == "" and link not in row.body
    assert link in smtp_server.body(smtp_server.messages[0])


def test_issue21_an_email_of_a_rolled_back_write_never_exists(
    smtp_server, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            send_mail_on_commit(to=[TO], subject="Tidak jadi", body="x")
            raise RuntimeError("the write failed")
    assert not SentEmail.objects.filter(subject="Tidak jadi").exists()
    with later(2):
        assert mail_outbox.deliver_due() == 0
    assert smtp_server.messages == []
