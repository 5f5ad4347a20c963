"""``/metrics`` in Prometheus's text format (R-5.4), read back with prometheus-client's own
parser: who may read it (token, allow-list, loopback), the request counters, the newest host
samples as gauges, and the sum over every gunicorn worker under ``lpse serve``."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from lpse.operations.readings import Reading
from lpse.operations.services.samples import record_samples


def families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def requests_total(text: str, **labels: str) -> float:
    """The sum of ``lpse_http_requests_total`` over the samples that carry ``labels``."""
    family = families(text).get("lpse_http_requests")
    if family is None:
        return 0.0
    return sum(
        s.value
        for s in family.samples
        if s.name == "lpse_http_requests_total"
        and all(s.labels.get(k) == v for k, v in labels.items())
    )


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_R_5_4_metrics_parse_and_the_request_counters_grow(db, client):
    before = requests_total(scrape(client), group="operations", status="2xx")
    for _ in range(3):
        client.get("/health/live")
    text = scrape(client)
    # The scrape before counts too: it was answered before this one was made.
    assert requests_total(text, group="operations", status="2xx") >= before + 4
    parsed = families(text)
    assert parsed["lpse_http_requests"].type == "counter"
    latency = parsed["lpse_http_request_seconds"]
    assert latency.type == "histogram"
    assert any(
        s.name == "lpse_http_request_seconds_count" and s.labels["group"] == "operations"
        for s in latency.samples
    )


def test_R_5_1_R_5_4_the_newest_host_samples_are_gauges_by_node(db, client):
    record_samples(
        [
            Reading("disk_used_percent", 42.5, "mount=data"),
            Reading("uplink_up", 1.0, "target=127.0.0.1:53"),
        ],
        node="web1",
        at=timezone.now(),
    )
    parsed = families(scrape(client))
    [disk] = parsed["lpse_disk_used_percent"].samples
    assert parsed["lpse_disk_used_percent"].type == "gauge"
    assert disk.labels == {"node": "web1", "mount": "data"} and disk.value == 42.5
    [uplink] = parsed["lpse_uplink_up"].samples
    assert uplink.labels == {"node": "web1", "target": "127.0.0.1:53"}


def test_R_5_4_with_no_setting_metrics_are_open_to_loopback_only(db, client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    response = client.get("/metrics", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 403
    assert b"lpse_" not in response.content
    # Behind a reverse proxy on the same host every visitor arrives from 127.0.0.1: a request
    # that came through a proxy is not let in by the loopback default.
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED"):
        assert client.get("/metrics", **{header: "203.0.113.9"}).status_code == 403


def test_R_5_4_a_token_opens_metrics_to_its_bearer_only(db, client, settings):
    settings.LPSE_METRICS_TOKEN = "s3cret-token-for-prometheus"
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/metrics", **remote).status_code == 403
    wrong = {"HTTP_AUTHORIZATION": "Bearer not-the-token"}
    assert client.get("/metrics", **remote, **wrong).status_code == 403
    # A token set: loopback is no longer let in without it.
    assert client.get("/metrics").status_code == 403
    right = {"HTTP_AUTHORIZATION": "Bearer s3cret-token-for-prometheus"}
    assert "lpse_http_requests" in families(scrape(client, **remote, **right))


def test_R_5_4_an_allow_list_opens_metrics_to_its_addresses_only(db, client, settings):
    settings.LPSE_METRICS_ALLOW = ["10.0.0.0/24", "192.0.2.7"]
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.1.5").status_code == 403
    assert client.get("/metrics").status_code == 403  # loopback is not in the list
    settings.LPSE_METRICS_TOKEN = "s3cret-token-for-prometheus"
    token = {"HTTP_AUTHORIZATION": "Bearer s3cret-token-for-prometheus"}
    assert client.get("/metrics", REMOTE_ADDR="10.0.1.5", **token).status_code == 200


# --- every gunicorn worker is counted (prometheus-client's multiprocess mode) -------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a connection of its own, so that the kernel may hand it to either worker."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 180  # serve migrates a fresh database first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lpse serve exited: {log.read_text()[-3000:]}")
        try:
            if get(port, "/health/live")[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"lpse serve did not answer: {log.read_text()[-3000:]}")


def test_R_5_4_metrics_sum_the_counters_of_every_gunicorn_worker(tmp_path):
    data = tmp_path / "site"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "PROMETHEUS_MULTIPROC_DIR", "LPSE_DEMO")
    }
    env.update(
        LPSE_DATA_DIR=str(data),
        LPSE_WORKERS="2",
        LPSE_BIND=f"127.0.0.1:{port}",
        LPSE_NODE_NAME="web1",
        LPSE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lpse.settings",
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lpse", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its scheduler too can be stopped if it does not stop
        )
    try:
        wait_until_serving(process, port, log)
        folder = data / "metrics" / "web1"
        sent, pids = 1, set()  # the readiness probe above was one
        while len(pids) < 2 and sent < 400:
            for _ in range(10):
                assert get(port, "/ping/")[0] == 200
                sent += 1
            pids = {p.name.split("_")[1] for p in folder.glob("counter_*.db")}
        assert len(pids) == 2, f"one worker answered all {sent} requests"
        status, body = get(port, "/metrics")
        assert status == 200
        assert requests_total(body.decode()) >= sent
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.returncode in (0, -signal.SIGTERM), log.read_text()[-3000:]


@pytest.fixture(autouse=True)
def _no_stray_multiprocess_mode(monkeypatch):
    """The in-process tests read this process's own registry, as ``runserver`` does."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


@pytest.mark.django_db
def test_R_5_4_latest_reads_each_nodes_newest_run_in_two_queries(django_assert_num_queries):
    """R-5.4: what a scrape shows is each node's newest run (its readings share one time), read
    as the newest time per node and then those rows — not 15 minutes of samples."""
    from datetime import timedelta

    from lpse.operations.selectors import latest

    now = timezone.now().replace(microsecond=0)
    for minutes in (10, 5, 1):
        record_samples(
            [Reading("cpu_percent", float(minutes)), Reading("disk_used_percent", 50.0, "mount=/")],
            node="app-1",
            at=now - timedelta(minutes=minutes),
        )
    record_samples([Reading("cpu_percent", 7.0)], node="app-2", at=now - timedelta(minutes=3))
    record_samples([Reading("cpu_percent", 9.0)], node="gone", at=now - timedelta(minutes=20))
    with django_assert_num_queries(2):
        rows = latest(now)
    assert [(s.node, s.metric, s.labels, s.value) for s in rows] == [
        ("app-1", "cpu_percent", "", 1.0),
        ("app-1", "disk_used_percent", "mount=/", 50.0),
        ("app-2", "cpu_percent", "", 7.0),
    ]
    assert {s.at for s in rows if s.node == "app-1"} == {now - timedelta(minutes=1)}
