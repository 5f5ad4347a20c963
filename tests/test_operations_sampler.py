"""The host sampler, the installation sample, the uplink check, the settings they read and the
downsampling of the series (R-5.1, R-5.2, R-5.4). Real psutil, real sockets, a real database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import psutil
import pytest
from django.db import connection

from lpse.operations import sampler, series, tasks
from lpse.operations.models import Resolution, Sample


@pytest.fixture
def node(settings):
    """A node name of this test's own: the sampler keeps its previous counters in the shared
    cache under the node's name, which must not carry over from another test or run."""
    settings.LPSE_NODE_NAME = f"test-{uuid.uuid4().hex[:12]}"
    settings.LPSE_UPLINK_TARGETS = []
    return settings.LPSE_NODE_NAME


def readings_of(node: str) -> dict[tuple[str, str], list[Sample]]:
    found: dict[tuple[str, str], list[Sample]] = {}
    for sample in Sample.objects.filter(node=node, resolution=Resolution.RAW).order_by("at"):
        found.setdefault((sample.metric, sample.labels), []).append(sample)
    return found


def wait_for_a_new_second_and_cpu_tick() -> None:
    """Two runs in the same second would share their time stamp (one row per metric and
    second), and CPU % needs the CPU counters to have moved: wait for both, bounded."""
    before, started = sum(psutil.cpu_times()), time.time()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if int(time.time()) > int(started) and sum(psutil.cpu_times()) > before:
            return
        time.sleep(0.05)


def test_R_5_1_R_5_2_R_5_4_two_real_sampler_runs_record_gauges_then_rates(db, client, node):
    """R-5.1 disk and memory, R-5.2 traffic per interface, R-5.4 CPU, load and the web requests:
    the first run records the gauges only (no previous counters), the second also the rates,
    among them the requests made in between through the middleware, a real 503 included."""
    tasks.sample_host()
    first = readings_of(node)
    for key in [
        ("disk_used_percent", "mount=data"),
        ("disk_free_bytes", "mount=data"),
        ("disk_used_percent", "mount=/"),
        ("memory_used_percent", ""),
        ("swap_used_percent", ""),
        ("load_per_cpu", ""),
    ]:
        assert key in first, key
    assert 0 <= first[("disk_used_percent", "mount=data")][0].value <= 100
    assert first[("disk_free_bytes", "mount=data")][0].value > 0
    assert not any(metric.endswith("_per_s") or metric == "cpu_percent" for metric, _ in first)

    for _ in range(3):
        assert client.get("/health/live").status_code == 200
    # The scheduler never beat in this test's data folder: readiness answers a real 503.
    assert client.get("/health/ready").status_code == 503
    wait_for_a_new_second_and_cpu_tick()
    tasks.sample_host()

    second = readings_of(node)
    assert len(second[("memory_used_percent", "")]) == 2
    cpu = second[("cpu_percent", "")]
    assert len(cpu) == 1 and 0 <= cpu[0].value <= 100
    for iface in psutil.net_io_counters(pernic=True):
        for metric in (
            "net_received_bytes_per_s",
            "net_sent_bytes_per_s",
            "net_received_packets_per_s",
            "net_sent_packets_per_s",
        ):
            [rate] = second[(metric, f"iface={iface}")]
            assert rate.value >= 0
    [requests] = second[("requests_per_s", "group=operations")]
    assert requests.value > 0
    assert second[("requests_per_s", "group=all")][0].value >= requests.value
    [latency] = second[("latency_ms", "group=operations")]
    assert latency.value > 0
    # Four answers of the operations group between the runs, one of them a 503.
    [errors] = second[("error_rate_percent", "group=operations")]
    assert errors.value == 25.0
    assert all(s.value >= 0 for samples in second.values() for s in samples)


def test_R_5_4_a_counter_that_went_down_after_a_restart_gives_no_negative_rate(db, node):
    """A restart sets the network, CPU and request counters back to zero: the run after it
    records no rate for them (and certainly no negative one), the next run does again."""
    from django.core.cache import cache

    now = sampler.counters()
    inflated = {key: value * 10 + 1_000_000 for key, value in now.items()}
    cache.set(sampler.PREVIOUS_KEY.format(node=node), {"at": 1000.0, "counters": inflated})
    readings = sampler.sample(node, clock=lambda: 1060.0)
    rates = [r for r in readings if r.metric.endswith("_per_s") or r.metric == "cpu_percent"]
    assert rates == []
    assert all(r.value >= 0 for r in readings)

    later = sampler.sample(node, clock=lambda: 1120.0)
    assert any(r.metric == "net_received_bytes_per_s" for r in later)
    assert all(r.value >= 0 for r in later)


def test_R_5_4_the_installation_sample_records_the_database_and_its_largest_tables(db):
    """R-5.4 / R-5.6 "growth of the user table and data files", on the database the suite runs
    on (SQLite's page count and dbstat; PostgreSQL's pg_database_size and relation sizes)."""
    tasks.sample_installation()
    rows = Sample.objects.filter(node="installation")
    [size] = rows.filter(metric="database_bytes")
    assert size.value > 0
    tables = list(rows.filter(metric="table_bytes"))
    assert 1 <= len(tables) <= 5, connection.vendor
    assert all(t.labels.startswith("table=") and t.value > 0 for t in tables)
    # In the embedded mode there is no broker, so no queue to measure.
    assert not rows.filter(metric="queue_length").exists()


def test_R_5_2_the_uplink_is_up_with_a_latency_to_a_listening_port_and_down_to_a_closed_one(
    db, node, settings
):
    """Only the configured targets, loopback here: a listening socket answers; a port that is
    bound but not listening refuses the connection at once."""
    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        closed.bind(("127.0.0.1", 0))
        up = f"127.0.0.1:{listening.getsockname()[1]}"
        down = f"127.0.0.1:{closed.getsockname()[1]}"
        settings.LPSE_UPLINK_TARGETS = [up, down]
        tasks.sample_host()
    found = readings_of(node)
    assert found[("uplink_up", f"target={up}")][0].value == 1.0
    assert found[("uplink_latency_ms", f"target={up}")][0].value >= 0
    assert found[("uplink_up", f"target={down}")][0].value == 0.0
    assert ("uplink_latency_ms", f"target={down}") not in found


def test_R_5_2_with_no_uplink_target_nothing_is_contacted_and_nothing_recorded(db, node):
    tasks.sample_host()
    assert not Sample.objects.filter(node=node, metric__startswith="uplink").exists()


def start_up(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update({"LPSE_DATA_DIR": str(tmp_path / "data")}, **env)
    return subprocess.run(
        [sys.executable, "-m", "lpse", "check"],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LPSE_UPLINK_TARGETS": "10.0.0.1"}, "LPSE_UPLINK_TARGETS: '10.0.0.1' is not host:port"),
        (
            {"LPSE_UPLINK_TARGETS": "10.0.0.1:53,http://spse.inaproc.id"},
            "'http://spse.inaproc.id' is not host:port",
        ),
        ({"LPSE_NODE_NAME": "web 1"}, "LPSE_NODE_NAME='web 1': use letters, digits"),
        (
            {"LPSE_METRICS_ALLOW": "10.0.0.300"},
            "LPSE_METRICS_ALLOW: '10.0.0.300' is not an address",
        ),
        ({"LPSE_CACHE_URL": "memcached://127.0.0.1"}, "LPSE_CACHE_URL='memcached://127.0.0.1'"),
    ],
)
def test_R_5_2_R_5_4_malformed_operations_settings_stop_start_up_with_a_clear_message(
    tmp_path, env, message
):
    result = start_up(env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "configuration error" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


# --- downsampling (R-5.1: raw 48 h, hourly 90 days, daily for ever) ------------------------------

NOW = datetime(2026, 6, 10, 12, 30, tzinfo=UTC)


def sample(at: datetime, value: float, resolution=Resolution.RAW, *, peak=None, count=1, **kw):
    return Sample.objects.create(
        node=kw.get("node", "web1"),
        metric=kw.get("metric", "memory_used_percent"),
        labels=kw.get("labels", ""),
        at=at,
        resolution=resolution,
        value=value,
        peak=value if peak is None else peak,
        count=count,
    )


def snapshot() -> list[tuple]:
    return sorted(
        Sample.objects.values_list("node", "metric", "labels", "resolution", "at", "value", "peak")
    )


def test_R_5_1_downsampling_summarises_complete_hours_and_days_and_keeps_each_to_its_age(db):
    # Raw: a complete hour (10:00) of two samples, the hour still running (12:00), and a raw
    # sample older than 48 hours (summarised into its hour, then deleted).
    sample(NOW.replace(hour=10, minute=5), 10.0)
    sample(NOW.replace(hour=10, minute=35), 30.0)
    sample(NOW.replace(hour=10, minute=40), 5.0, labels="mount=/", metric="disk_used_percent")
    sample(NOW.replace(hour=12, minute=10), 50.0)
    old_raw = NOW - timedelta(hours=50)
    sample(old_raw, 70.0)
    # Hourly rows older than 90 days: a day of two hours holding 1 and 3 raw values.
    old_day = (NOW - timedelta(days=100)).replace(hour=0, minute=0)
    sample(old_day, 10.0, Resolution.HOUR, peak=12.0, count=1)
    sample(old_day.replace(hour=1), 40.0, Resolution.HOUR, peak=95.0, count=3)

    done = series.downsample(NOW)

    hourly = {
        (s.metric, s.at): s for s in Sample.objects.filter(resolution=Resolution.HOUR, node="web1")
    }
    ten = hourly[("memory_used_percent", NOW.replace(hour=10, minute=0))]
    assert (ten.value, ten.peak, ten.count) == (20.0, 30.0, 2)
    assert hourly[("disk_used_percent", NOW.replace(hour=10, minute=0))].value == 5.0
    assert ("memory_used_percent", NOW.replace(hour=12, minute=0)) not in hourly  # not complete
    old_hour = old_raw.replace(minute=0)
    assert hourly[("memory_used_percent", old_hour)].value == 70.0
    # Raw rows past 48 h are gone; the running hour's and the last two days' stay.
    raw = set(Sample.objects.filter(resolution=Resolution.RAW).values_list("at", flat=True))
    assert old_raw not in raw and NOW.replace(hour=12, minute=10) in raw and len(raw) == 4
    # The hourly rows past 90 days became their day (a mean weighted by count, the peak kept)
    # and were deleted.
    [day] = Sample.objects.filter(resolution=Resolution.DAY, at=old_day)
    assert (day.value, day.peak, day.count) == ((10.0 * 1 + 40.0 * 3) / 4, 95.0, 4)
    assert not Sample.objects.filter(
        resolution=Resolution.HOUR, at__lt=NOW - timedelta(days=90)
    ).exists()
    assert done["raw_deleted"] == 1 and done["hour_deleted"] == 2

    before = snapshot()
    again = series.downsample(NOW)
    assert snapshot() == before
    assert again == {"hour_made": 0, "raw_deleted": 0, "day_made": 0, "hour_deleted": 0}
