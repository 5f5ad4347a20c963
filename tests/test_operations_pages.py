"""The monitoring page and LKPP's read-only view (issue 16: R-5.1, R-5.2, R-5.4, R-5.5, R-5.6):
who may open them, what they show after real sampler runs, the chart geometry, uptime on
synthetic samples, and that no operations URL accepts a POST from LKPP's monitor or an auditor."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from lpse.accounts import selectors as accounts
from lpse.accounts.roles import Role
from lpse.operations import chart, tasks, uptime
from lpse.operations.models import Alert, MaintenanceWindow, Resolution, Sample, Threshold
from lpse.operations.selectors import Point
from tests.conftest import in_english

pytestmark = pytest.mark.django_db

MONITOR = "/operasi/"
LKPP = "/operasi/lkpp/"
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def node(settings):
    """A node of this test's own: the sampler keeps its previous counters in the shared cache
    under the node's name."""
    settings.LPSE_NODE_NAME = f"test-{uuid.uuid4().hex[:12]}"
    settings.LPSE_UPLINK_TARGETS = []
    return settings.LPSE_NODE_NAME


def signed_in(make_user, role: str) -> Client:
    client = in_english(Client())
    user = make_user(role)
    client.force_login(user)
    return client


def two_real_runs() -> None:
    """Two runs of the host sampler a second apart (one row per metric and second)."""
    tasks.sample_host()
    started = time.time()
    while int(time.time()) == int(started):
        time.sleep(0.05)
    tasks.sample_host()


@pytest.mark.parametrize(
    "role", [Role.SYSADMIN, Role.TECH_NETWORK, Role.LKPP_MONITOR, Role.AUDITOR, Role.APP_ADMIN]
)
def test_R_5_5_the_monitor_and_lkpp_pages_open_for_the_roles_that_watch_the_system(make_user, role):
    """R-5.4, R-5.5: sysadmin, technical staff, LKPP's monitor and the auditors read both."""
    client = signed_in(make_user, role)
    assert client.get(MONITOR).status_code == 200
    assert client.get(LKPP).status_code == 200


def test_R_5_5_a_provider_is_refused_and_a_visitor_sent_to_sign_in(make_user, client):
    provider = signed_in(make_user, Role.PROVIDER)
    assert provider.get(MONITOR).status_code == 403
    assert provider.get(LKPP).status_code == 403
    for url in (MONITOR, LKPP):
        answer = client.get(url)
        assert answer.status_code == 302 and "/akun/masuk/" in answer["Location"]


def test_R_5_1_R_5_2_R_5_4_after_two_real_sampler_runs_the_page_shows_the_current_state(
    make_user, node
):
    """Real psutil readings: the data folder's disk, memory, CPU (a rate, so the second run),
    the network per interface, each with its threshold state; the node is sending; the charts
    of 24 hours are drawn; the sysadmin's own session counts among those signed in."""
    two_real_runs()
    Threshold.objects.filter(metric="disk_used_percent").update(warning=0.0, critical=None)
    client = signed_in(make_user, Role.SYSADMIN)
    html = client.get(MONITOR).content.decode()
    section = html.split(f'id="node-{node}"', 1)[1].split("</div>", 1)[0]
    assert "sending samples" in section
    assert 'data-metric="disk_used_percent" data-level="warning"' in section
    assert 'data-metric="memory_used_percent"' in section
    assert 'data-metric="cpu_percent"' in section
    assert 'data-metric="net_received_bytes_per_s"' in section
    assert ">data<" in section  # the data folder's mount
    assert html.count("<svg") >= 4 and 'id="chart-disk"' in html and "<polyline" in html
    assert "The last 24 hours" in html
    assert re.search(r'data-role="sysadmin"><td>[^<]+</td><td>1</td>', html)


def test_R_5_1_the_30_day_charts_include_the_hours_not_summarised_yet(make_user, node):
    """Hourly rows are made when an hour is complete; the raw samples of the current hour are
    still on the 30-day chart, with the peak line and one table row per day."""
    two_real_runs()
    html = signed_in(make_user, Role.SYSADMIN).get(f"{MONITOR}?range=30d").content.decode()
    assert "The last 30 days" in html
    disk = html.split('id="chart-disk"', 1)[1].split('id="chart-memory"', 1)[0]
    assert "<circle" in disk or "<polyline" in disk
    assert "Time (WITA)" in disk and node in disk


def test_R_5_4_a_node_quiet_for_more_than_three_minutes_is_shown_silent(make_user):
    now = timezone.now()
    Sample.objects.create(
        node="web-quiet",
        metric="memory_used_percent",
        at=now - timedelta(minutes=5),
        value=40,
        peak=40,
    )
    Sample.objects.create(
        node="web-fresh",
        metric="memory_used_percent",
        at=now - timedelta(seconds=30),
        value=40,
        peak=40,
    )
    html = signed_in(make_user, Role.TECH_HARDWARE).get(MONITOR).content.decode()
    quiet = html.split('id="node-web-quiet"', 1)[1].split("</div>", 1)[0]
    fresh = html.split('id="node-web-fresh"', 1)[1].split("</div>", 1)[0]
    assert "node-silent" in quiet and "node-silent" not in fresh


def test_R_5_1_open_alerts_and_signed_in_roles_are_listed(make_user):
    now = timezone.now()
    Alert.objects.create(
        node="web1",
        metric="disk_used_percent",
        labels="mount=/",
        severity="critical",
        value=95,
        limit=90,
        opened_at=now,
        last_seen_at=now,
    )
    signed_in(make_user, Role.LKPP_MONITOR)
    html = signed_in(make_user, Role.SYSADMIN).get(MONITOR).content.decode()
    alerts = html.split('id="open-alerts"', 1)[1].split("</section>", 1)[0]
    assert "Disk used (%)" in alerts and "mount=/" in alerts and "95.00" in alerts
    assert dict((r, n) for r, _label, n in accounts.signed_in_by_role()) == {
        "sysadmin": 1,
        "lkpp_monitor": 1,
    }


def test_R_5_5_the_lkpp_view_shows_capacity_uptime_history_and_counts_without_a_form(
    make_user, node, published_tender
):
    two_real_runs()
    now = timezone.now()
    # Ten minutes of earlier samples: the node is old enough for a share of intervals.
    Sample.objects.bulk_create(
        Sample(
            node=node,
            metric=uptime.HEARTBEAT_METRIC,
            at=now - timedelta(minutes=m, seconds=30),
            value=1,
            peak=1,
        )
        for m in range(1, 11)
    )
    planner = make_user(Role.SYSADMIN, username="maint-planner")
    MaintenanceWindow.objects.create(
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
        announce_from=now - timedelta(days=3),
        reason="Penggantian UPS",
        created_by=planner,
    )
    Alert.objects.create(
        node=node,
        metric="memory_used_percent",
        severity="warning",
        state="recovered",
        value=91,
        limit=90,
        opened_at=now - timedelta(hours=3),
        last_seen_at=now,
        recovered_at=now - timedelta(hours=2),
    )
    html = signed_in(make_user, Role.LKPP_MONITOR).get(LKPP).content.decode()
    capacity = html.split('id="capacity"', 1)[1].split("</section>", 1)[0]
    assert 'data-metric="disk_used_percent"' in capacity
    assert 'data-metric="memory_used_percent"' in capacity
    assert 'data-metric="cpu_percent"' not in capacity  # capacity only
    assert 'id="chart-disk"' in capacity and 'id="chart-memory"' in capacity
    assert re.search(rf'data-node="{node}">.*?100[.,]00 %', html, re.S)
    assert "Memory used (%)" in html.split('id="alert-history"', 1)[1]
    assert "Penggantian UPS" in html.split('id="maintenance-history"', 1)[1]
    assert re.search(
        r'id="tender-counts".*data-state="published"><th[^>]*>[^<]+</th><td>1<', html, re.S
    )
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def operations_urls() -> list[tuple[str, str]]:
    """Every URL of the operations namespace, with sample arguments for the ones that take
    some: (name, path)."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "operations" and p.name:
                found.append((p.name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "/", "")
    return found


@pytest.mark.parametrize("role", [Role.LKPP_MONITOR, Role.AUDITOR])
def test_R_5_5_no_operations_url_accepts_a_post_from_lkpp_or_an_auditor(make_user, role):
    """Provably read-only: every operations URL, a POST from LKPP's monitor or an auditor is
    refused (403) or not a method the URL knows (405); nothing is written."""
    now = timezone.now()
    alert = Alert.objects.create(
        node="web1",
        metric="disk_used_percent",
        severity="critical",
        value=95,
        limit=90,
        opened_at=now,
        last_seen_at=now,
    )
    window = MaintenanceWindow.objects.create(
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=2),
        announce_from=now + timedelta(days=7),
        reason="UPS",
        created_by=make_user(Role.SYSADMIN, username="maint-planner"),
    )
    client = signed_in(make_user, role)
    urls = operations_urls()
    assert ("monitor", "/operasi/") in urls and ("lkpp", "/operasi/lkpp/") in urls
    # Only the pages: /health/* and /metrics (in the namespace too) are probes that read
    # nothing of the database's contents and change nothing, whatever the method.
    accepted = []
    for name, pattern in [(n, p) for n, p in urls if p.startswith("/operasi/")]:
        path = re.sub(r"<int:pk>", str(alert.pk if "alert" in name else window.pk), pattern)
        path = re.sub(r"<[^>]+>", "1", path)
        answer = client.post(path, {"reason": "x", "acknowledgement": "x"})
        if answer.status_code not in (403, 405):
            accepted.append((name, path, answer.status_code))
    assert not accepted, f"operations URLs that accepted a POST from {role}: {accepted}"
    alert.refresh_from_db()
    window.refresh_from_db()
    assert alert.acknowledged_at is None and window.cancelled_at is None
    assert reverse("operations:lkpp") == LKPP


# --- chart geometry -------------------------------------------------------------------------


def frame(hours: int = 4, interval: timedelta = timedelta(minutes=1)) -> chart.Frame:
    return chart.Frame(
        since=T0,
        until=T0 + timedelta(hours=hours),
        interval=interval,
        tick_step=timedelta(hours=1),
        tick_format="%H:%M",
        table_bucket=timedelta(hours=1),
        peaks=False,
    )


def points(*pairs: tuple[int, float]) -> list[Point]:
    return [Point(T0 + timedelta(minutes=m), v, v) for m, v in pairs]


def coords(segment: str) -> list[tuple[float, float]]:
    return [tuple(map(float, xy.split(","))) for xy in segment.split()]


def test_R_5_1_points_are_scaled_into_the_plot_area_in_time_and_value():
    """Percent: 0 at the bottom, 100 at the top; the period's start at the left edge, its end
    at the right one."""
    c = chart.build(
        key="disk",
        title="Disk",
        unit="%",
        series={"web1": points((0, 0), (120, 50), (240, 100))},
        frame=frame(interval=timedelta(hours=1)),
    )
    (segment,) = c.lines[0].segments
    (x0, y0), (x1, y1), (x2, y2) = coords(segment)
    assert (x0, y0) == (chart.LEFT, chart.HEIGHT - chart.BOTTOM)
    assert (x2, y2) == (chart.WIDTH - chart.RIGHT, chart.TOP)
    assert x1 == pytest.approx((x0 + x2) / 2, abs=0.1) and y1 == pytest.approx(
        (y0 + y2) / 2, abs=0.1
    )
    assert [t.text for t in c.y_ticks] == ["0.00 %", "25.0 %", "50.0 %", "75.0 %", "100 %"]
    # WITA is UTC+8: T0 (00:00 UTC) is 08:00 WITA; ticks on the hour after it.
    assert [t.text for t in c.x_ticks] == ["09:00", "10:00", "11:00", "12:00"]


def test_R_5_4_a_gap_of_more_than_three_intervals_breaks_the_line():
    """Three minutes apart still joins (a late sample); four breaks it; a lone point is a dot."""
    c = chart.build(
        key="cpu",
        title="CPU",
        unit="%",
        series={"web1": points((0, 10), (1, 11), (4, 12), (9, 13), (10, 14), (30, 15))},
        frame=frame(),
    )
    line = c.lines[0]
    assert [len(coords(s)) for s in line.segments] == [3, 2]
    assert len(line.dots) == 1


def test_R_5_1_thresholds_are_drawn_when_set_and_inside_the_scale():
    c = chart.build(
        key="disk",
        title="Disk",
        unit="%",
        series={"web1": points((0, 30), (1, 40))},
        frame=frame(),
        warning=80.0,
        critical=90.0,
    )
    assert [(r.label, r.colour) for r in c.rules] == [
        ("warning 80.0 %", chart.WARNING_COLOUR),
        ("critical 90.0 %", chart.CRITICAL_COLOUR),
    ]
    assert c.rules[0].y > c.rules[1].y  # 90 % above 80 %
    latency = chart.build(
        key="latency",
        title="Latency",
        unit="ms",
        series={"web1": points((0, 3), (1, 8))},
        frame=frame(),
        warning=2000.0,
        critical=5000.0,
    )
    assert latency.rules == []  # far above the data: not squashing it flat
    assert latency.y_ticks[-1].text == "10.0 ms"
    assert (
        chart.build(
            key="none", title="None", unit="%", series={"web1": points((0, 3))}, frame=frame()
        ).rules
        == []
    )


def test_R_5_1_the_30_day_chart_draws_the_peak_and_the_table_has_a_row_per_day():
    f = chart.Frame(
        since=T0,
        until=T0 + timedelta(days=3),
        interval=timedelta(hours=1),
        tick_step=timedelta(days=1),
        tick_format="%d-%m",
        table_bucket=timedelta(days=1),
        peaks=True,
    )
    pts = [Point(T0 + timedelta(hours=h), 20.0, 60.0) for h in range(0, 72)]
    c = chart.build(key="mem", title="Memory", unit="%", series={"web1": pts}, frame=f)
    (mean,), (peak,) = c.lines[0].segments, c.lines[0].peak_segments
    assert all(y < m for (_x, y), (_x2, m) in zip(coords(peak), coords(mean), strict=True))
    assert [row[0] for row in c.table_rows] == [
        "02-03-2026",
        "03-03-2026",
        "04-03-2026",
        "05-03-2026",
    ]
    assert c.table_rows[0][1] == ["20.0 %"]
    assert "web1: from 20.0 % to 60.0 %" in c.description


def test_format_value_reads_bytes_and_rates_as_people_do():
    assert chart.format_value(512, "B") == "512 B"
    assert chart.format_value(3 * 1024 * 1024, "B/s") == "3.0 MB/s"
    assert chart.format_value(1.0, "up") == "up" and chart.format_value(0.0, "up") == "down"
    assert chart.format_value(None, "%") == "—"


# --- uptime --------------------------------------------------------------------------------


def heartbeat(node: str, minutes) -> None:
    Sample.objects.bulk_create(
        Sample(
            node=node, metric=uptime.HEARTBEAT_METRIC, at=T0 + timedelta(minutes=m), value=1, peak=1
        )
        for m in minutes
    )


def test_R_5_5_uptime_is_the_share_of_sample_intervals_present(settings):
    """Four hours of minutes, 24 missing: 216 of 240, 90 %."""
    settings.LPSE_SAMPLE_SECONDS = 60
    heartbeat("web1", [m for m in range(240) if not 60 <= m < 84])
    u = uptime.uptime("web1", days=7, now=T0 + timedelta(hours=4))
    assert (u.expected, u.missing, u.planned) == (240, 24, 0)
    assert u.percent == 90.0 and u.down_minutes == 24.0
    assert u.since == T0  # a node younger than the period counts from its first sample


def test_R_5_5_missing_samples_inside_planned_maintenance_are_shown_apart(make_user, settings):
    settings.LPSE_SAMPLE_SECONDS = 60
    heartbeat("web1", [m for m in range(240) if not 60 <= m < 84])
    MaintenanceWindow.objects.create(
        starts_at=T0 + timedelta(minutes=60),
        ends_at=T0 + timedelta(minutes=80),
        announce_from=T0,
        reason="UPS",
        created_by=make_user(Role.SYSADMIN),
    )
    u = uptime.uptime("web1", days=7, now=T0 + timedelta(hours=4))
    assert (u.expected, u.planned, u.missing) == (240, 20, 4)
    assert u.percent == pytest.approx(100 * 216 / 220, abs=0.01)
    assert u.planned_minutes == 20.0


def test_R_5_5_uptime_over_30_days_reads_the_hourly_rows_after_the_raw_ones_are_gone(settings):
    settings.LPSE_SAMPLE_SECONDS = 60
    Sample.objects.bulk_create(
        Sample(
            node="web1",
            metric=uptime.HEARTBEAT_METRIC,
            at=T0 + timedelta(hours=h),
            resolution=Resolution.HOUR,
            value=1,
            peak=1,
            count=30 if h == 5 else 60,
        )
        for h in range(10)
    )
    u = uptime.uptime("web1", days=30, now=T0 + timedelta(hours=10))
    assert (u.expected, u.missing) == (600, 30) and u.percent == 95.0
    assert uptime.uptime_table((7, 30), now=T0 + timedelta(hours=10))[0][1].percent == 95.0
