"""``/health/live`` and ``/health/ready`` for load balancers (R-5.4): JSON detail, 503 naming
the check that failed. Every failure is made for real: an old heartbeat file, a full-disk floor,
a migration row removed, a file where the storage folder should be, a closed broker port."""

from __future__ import annotations

import os
import socket
import time

import pytest
from django.db import connection

from lpse.core import scheduler


@pytest.fixture
def ready_json(client):
    def get(expected: int) -> dict:
        response = client.get("/health/ready")
        assert response.status_code == expected, response.content
        assert response["Content-Type"] == "application/json"
        assert "no-cache" in response["Cache-Control"]
        return response.json()

    return get


def failing(body: dict) -> dict[str, str]:
    return {name: c["detail"] for name, c in body["checks"].items() if c["status"] == "fail"}


def test_R_5_4_live_answers_200_json_without_the_database(client):
    """No ``db`` fixture: the database is not even reachable from this test, and live answers."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_R_5_4_ready_is_200_with_every_check_ok_when_the_scheduler_beat_recently(db, ready_json):
    scheduler.beat()
    body = ready_json(200)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database",
        "migrations",
        "broker",
        "storage",
        "disk",
        "scheduler",
    }
    assert all(c["status"] == "ok" for c in body["checks"].values()), body
    assert body["checks"]["broker"]["detail"] == "embedded (no broker)"


def test_R_5_4_ready_is_503_when_the_scheduler_never_beat_on_this_node(db, ready_json):
    body = ready_json(503)
    assert body["status"] == "fail"
    assert list(failing(body)) == ["scheduler"]
    assert "never run" in failing(body)["scheduler"]


def test_R_5_4_ready_is_503_when_the_heartbeat_is_stale(db, ready_json, settings):
    scheduler.beat()
    past = time.time() - settings.LPSE_HEARTBEAT_STALE_SECONDS - 60
    os.utime(scheduler.heartbeat_path(), (past, past))
    body = ready_json(503)
    assert list(failing(body)) == ["scheduler"]
    assert "last beat was" in failing(body)["scheduler"]


def test_R_5_4_ready_is_503_when_the_data_disk_is_below_its_floor(db, ready_json, settings):
    scheduler.beat()
    settings.LPSE_DISK_FLOOR_PERCENT = 100  # no disk with anything on it has 100 % free
    body = ready_json(503)
    assert list(failing(body)) == ["disk"]
    assert "below the floor of 100 %" in failing(body)["disk"]


def test_R_5_4_ready_is_503_while_a_migration_is_not_applied(db, ready_json):
    scheduler.beat()
    table = connection.ops.quote_name("django_migrations")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, applied FROM {table} WHERE app = %s AND name = %s",
            ["operations", "0002_default_thresholds"],
        )
        [(row_id, applied)] = cursor.fetchall()
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row_id])
    try:
        body = ready_json(503)
        assert list(failing(body)) == ["migrations"]
        assert "1 migration(s) not applied" in failing(body)["migrations"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, app, name, applied) VALUES (%s, %s, %s, %s)",
                [row_id, "operations", "0002_default_thresholds", applied],
            )
    assert ready_json(200)["status"] == "ok"


def test_R_5_4_ready_is_503_when_the_storage_folder_cannot_be_written(db, ready_json, settings):
    """The tests run as root, whom chmod does not stop: a file where the staging folder of
    uploads should be makes it unwritable for anyone."""
    scheduler.beat()
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "tmp").write_text("not a folder")
    body = ready_json(503)
    assert list(failing(body)) == ["storage"]


def test_R_5_4_ready_is_503_when_the_configured_broker_does_not_answer(db, ready_json, settings):
    from lpse.celery import app

    scheduler.beat()
    with socket.socket() as closed:  # bound, not listening: a connection is refused at once
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        settings.LPSE_EMBEDDED_JOBS = False
        saved = app.conf.broker_url
        app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        try:
            body = ready_json(503)
        finally:
            app.conf.broker_url = saved
    assert list(failing(body)) == ["broker"]
    assert failing(body)["broker"]
