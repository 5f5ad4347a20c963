"""Thresholds and alerts (R-5.1, R-5.2, R-5.4): a real sampler run beyond a threshold opens an
alert mailed over real SMTP to the roles on duty, once; it escalates from warning to critical
and recovers with a "recovered" mail; an uplink down must stay down for its minutes; alerts are
acknowledged by the people on duty and thresholds edited by the managers, every step audited."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.models import AuditEvent, SentEmail
from lpse.operations import tasks, uplink
from lpse.operations.models import Alert, AlertState, Severity, Threshold
from lpse.operations.readings import Reading
from lpse.operations.services import alerts, samples
from lpse.operations.services.thresholds import ThresholdChange, change_threshold

NODE = "node-test"


@pytest.fixture
def node(settings):
    settings.LPSE_NODE_NAME = NODE
    return NODE


def actions(prefix: str = "operations.") -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def run(readings, at, node=NODE):
    samples.record_samples(readings, node=node, at=at)
    alerts.evaluate(readings, node=node, at=at)


@pytest.mark.django_db
def test_R_5_1_a_real_sampler_run_beyond_the_disk_threshold_alerts_by_mail_once_and_recovers(
    node, make_user, smtp_server, django_capture_on_commit_callbacks
):
    """R-5.1: disk capacity watched, an alert when critical, de-duplicated, then "recovered"."""
    sysadmin, hardware = make_user(Role.SYSADMIN), make_user(Role.TECH_HARDWARE)
    helpdesk = make_user(Role.HELPDESK)
    Threshold.objects.filter(metric="disk_used_percent").update(warning=0.001, critical=0.002)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.sample_host()  # psutil, for real
    alert = Alert.objects.get(node=NODE, metric="disk_used_percent", labels="mount=data")
    assert alert.state == AlertState.OPEN and alert.severity == Severity.CRITICAL
    assert alert.limit == 0.002 and alert.value > 0.002
    for person in (sysadmin, hardware):
        message = smtp_server.wait_for(person.email, "(mount=data)")
        assert message["Subject"].startswith("[LPSE] ") and NODE in message["Subject"]
        body = smtp_server.body(message)
        assert f"/operasi/peringatan/{alert.pk}/" in body
        assert "WITA" in body and NODE in body and "mount=data" in body
    assert smtp_server.to(helpdesk.email) == []  # not a role the threshold names
    mailed = len(smtp_server.to(sysadmin.email))
    assert mailed == Alert.objects.filter(node=NODE, state=AlertState.OPEN).count()

    # The next run finds the same disks full: the open alert is updated, nobody mailed again.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sample_host()
    assert Alert.objects.filter(metric="disk_used_percent", labels="mount=data").count() == 1
    assert len(smtp_server.to(sysadmin.email)) == mailed

    # The limits raised above any disk: the next run recovers every disk alert, mailed once.
    change_threshold(
        actor=make_user(Role.APP_ADMIN),
        metric="disk_used_percent",
        change=ThresholdChange(
            warning=100.0,
            critical=None,
            for_minutes=0,
            enabled=True,
            notify_roles=["sysadmin", "tech_hardware"],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sample_host()
    alert.refresh_from_db()
    assert alert.state == AlertState.RECOVERED and alert.recovered_at is not None
    recovered = smtp_server.wait_for(hardware.email, "(mount=data)")
    assert recovered is not smtp_server.to(hardware.email)[0]
    assert len(smtp_server.to(sysadmin.email)) == 2 * mailed
    assert f"/operasi/peringatan/{alert.pk}/" in smtp_server.body(recovered)
    trail = actions()
    assert trail.count("operations.alert.opened") == mailed
    assert trail.count("operations.alert.recovered") == mailed
    assert "operations.threshold.changed" in trail


@pytest.mark.django_db
def test_R_5_1_warning_escalates_to_critical_once_and_recovers(
    make_user, django_capture_on_commit_callbacks
):
    """R-5.1: warning mailed, critical mailed once more, swings not mailed again."""
    sysadmin = make_user(Role.SYSADMIN)
    start = timezone.now() - timedelta(minutes=10)

    def step(minute: int, value: float) -> list[str]:
        with django_capture_on_commit_callbacks(execute=True):
            run([Reading("disk_used_percent", value, "mount=/")], start + timedelta(minutes=minute))
        return list(SentEmail.objects.filter(to=sysadmin.email).values_list("subject", flat=True))

    assert len(step(0, 85.0)) == 1
    alert = Alert.objects.get()
    assert (alert.severity, alert.limit) == (Severity.WARNING, 80.0)
    assert len(step(1, 86.0)) == 1  # the same warning: de-duplicated
    assert len(step(2, 95.5)) == 2  # escalated
    alert.refresh_from_db()
    assert (alert.severity, alert.limit, alert.value) == (Severity.CRITICAL, 90.0, 95.5)
    assert "95,5" in step(2, 95.5)[0]  # the site's language: a decimal comma
    assert len(step(3, 85.0)) == 2  # back to warning: still open, not mailed
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and alert.severity == Severity.WARNING
    assert len(step(4, 96.0)) == 2  # critical again: already told
    assert len(step(5, 40.0)) == 3  # recovered
    alert.refresh_from_db()
    assert alert.state == AlertState.RECOVERED
    assert actions() == [
        "operations.alert.opened",
        "operations.alert.escalated",
        "operations.alert.escalated",
        "operations.alert.recovered",
    ]
    # A new crossing after the recovery is a new alert.
    step(6, 85.0)
    assert Alert.objects.filter(state=AlertState.OPEN).count() == 1
    assert Alert.objects.count() == 2


def _closed_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.mark.django_db
def test_R_5_2_the_uplink_alerts_only_after_being_down_for_its_minutes(
    settings, make_user, django_capture_on_commit_callbacks
):
    """R-5.2: the internet link watched; "down for 3 minutes" (the default) means that."""
    network = make_user(Role.TECH_NETWORK)
    settings.LPSE_UPLINK_TARGETS = [f"127.0.0.1:{_closed_loopback_port()}"]
    readings = list(uplink.readings())
    assert [(r.metric, r.value) for r in readings] == [("uplink_up", 0.0)]
    assert Threshold.objects.get(metric="uplink_up").for_minutes == 3
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)

    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(3):
            run(readings, start + timedelta(minutes=minute))
            assert not Alert.objects.exists(), f"opened after {minute} minute(s)"
        run(readings, start + timedelta(minutes=3))
    alert = Alert.objects.get()
    assert alert.metric == "uplink_up" and alert.severity == Severity.CRITICAL
    assert alert.opened_at == start + timedelta(minutes=3)
    assert SentEmail.objects.filter(to=network.email).count() == 1

    # Back up: recovered at once. Down again: the three minutes count from the start again.
    up = [Reading("uplink_up", 1.0, readings[0].labels)]
    with django_capture_on_commit_callbacks(execute=True):
        run(up, start + timedelta(minutes=4))
        for minute in (5, 6, 7):
            run(readings, start + timedelta(minutes=minute))
    alert.refresh_from_db()
    assert alert.state == AlertState.RECOVERED
    assert not Alert.objects.filter(state=AlertState.OPEN).exists()
    run(readings, start + timedelta(minutes=8))
    assert Alert.objects.filter(state=AlertState.OPEN).count() == 1


@pytest.mark.django_db
def test_R_5_4_a_critical_value_that_has_not_lasted_is_the_warning_that_has(make_user):
    """R-5.4: memory (warning 90, critical 95, 5 minutes) above 90 for five minutes, then one
    reading above 95: a warning now, critical only once that has lasted five minutes too."""
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    for minute in range(5):
        run([Reading("memory_used_percent", 92.0)], start + timedelta(minutes=minute))
    assert not Alert.objects.exists()
    run([Reading("memory_used_percent", 97.0)], start + timedelta(minutes=5))
    alert = Alert.objects.get()
    assert (alert.severity, alert.limit) == (Severity.WARNING, 90.0)
    for minute in range(6, 10):
        run([Reading("memory_used_percent", 97.0)], start + timedelta(minutes=minute))
    alert.refresh_from_db()
    assert alert.severity == Severity.WARNING
    run([Reading("memory_used_percent", 97.0)], start + timedelta(minutes=10))
    alert.refresh_from_db()
    assert alert.severity == Severity.CRITICAL


@pytest.mark.django_db
def test_R_5_1_a_disabled_threshold_opens_nothing_and_closes_its_open_alert(make_user):
    now = timezone.now()
    run([Reading("disk_used_percent", 95.0, "mount=/")], now - timedelta(minutes=1))
    Threshold.objects.filter(metric="disk_used_percent").update(enabled=False)
    run([Reading("disk_used_percent", 95.0, "mount=/")], now)
    assert not Alert.objects.filter(state=AlertState.OPEN).exists()


@pytest.fixture
def open_alert(db):
    now = timezone.now()
    return Alert.objects.create(
        node=NODE,
        metric="disk_used_percent",
        labels="mount=/",
        severity=Severity.CRITICAL,
        value=93.1,
        limit=90.0,
        opened_at=now,
        last_seen_at=now,
    )


@pytest.mark.django_db
def test_R_5_1_the_person_on_duty_acknowledges_an_alert_that_stays_open(
    client, make_user, open_alert
):
    """R-5.1: every alert kept with its acknowledgement; a note is required."""
    client.force_login(make_user(Role.TECH_HARDWARE))
    detail = reverse("operations:alert_detail", args=[open_alert.pk])
    page = client.get(detail).content.decode()
    assert 'id="acknowledge"' in page and "Disk used (%)" in page
    acknowledge = reverse("operations:alert_acknowledge", args=[open_alert.pk])

    response = client.post(acknowledge, {"note": "  "}, follow=True)
    assert "Say what is being done about the alert." in response.content.decode()
    open_alert.refresh_from_db()
    assert open_alert.acknowledged_at is None

    response = client.post(acknowledge, {"note": "Log lama dihapus; disk ditambah malam ini."})
    assert response.status_code == 302 and response["Location"] == detail
    open_alert.refresh_from_db()
    assert open_alert.acknowledged_by.username == "tech-hardware-dpupr"
    assert open_alert.state == AlertState.OPEN  # open until the readings recover
    page = client.get(detail).content.decode()
    assert "Log lama dihapus" in page and 'id="acknowledge"' not in page
    listing = client.get(reverse("operations:alerts")).content.decode()
    assert f'id="alert-{open_alert.pk}"' in listing and "tech-hardware-dpupr" in listing
    [event] = AuditEvent.objects.filter(action="operations.alert.acknowledged")
    assert event.data["note"].startswith("Log lama") and event.actor_label.startswith("tech-")
    # Once is enough: a second acknowledgement is refused.
    response = client.post(acknowledge, {"note": "lagi"}, follow=True)
    assert "already acknowledged" in response.content.decode()


@pytest.mark.django_db
def test_R_5_5_the_lkpp_monitor_reads_alerts_but_cannot_acknowledge(client, make_user, open_alert):
    """R-5.5: LKPP's access is read-only."""
    client.force_login(make_user(Role.LKPP_MONITOR))
    assert (
        f'id="alert-{open_alert.pk}"' in client.get(reverse("operations:alerts")).content.decode()
    )
    page = client.get(reverse("operations:alert_detail", args=[open_alert.pk]))
    assert page.status_code == 200 and 'id="acknowledge"' not in page.content.decode()
    refused = client.post(
        reverse("operations:alert_acknowledge", args=[open_alert.pk]), {"note": "x"}
    )
    assert refused.status_code == 403
    table = client.get(reverse("operations:thresholds"))
    assert table.status_code == 200 and 'name="metric"' not in table.content.decode()
    assert (
        client.post(reverse("operations:thresholds"), {"metric": "disk_used_percent"}).status_code
        == 403
    )
    open_alert.refresh_from_db()
    assert open_alert.acknowledged_at is None
    assert not AuditEvent.objects.filter(action__startswith="operations.").exists()


def _threshold_post(metric: str, **fields) -> dict:
    data = {"metric": metric}
    data.update({f"{metric}-{name}": value for name, value in fields.items()})
    return data


@pytest.mark.django_db
def test_R_5_1_threshold_edits_are_validated_kept_on_error_and_audited(client, make_user):
    client.force_login(make_user(Role.APP_ADMIN))
    url = reverse("operations:thresholds")
    page = client.get(url).content.decode()
    assert 'id="threshold-disk_used_percent"' in page and "Disk used (%)" in page

    def post(metric, **fields):
        return client.post(url, _threshold_post(metric, **fields)).content.decode()

    page = post("disk_used_percent", warning="95", critical="85", for_minutes="0", enabled="on")
    assert "The critical limit must be above the warning limit" in page
    assert 'value="95"' in page and 'value="85"' in page  # what was typed stays
    assert "The critical limit must be below the warning limit" in post(
        "uplink_up", warning="0.5", critical="0.9", for_minutes="3", enabled="on"
    )
    assert "Give at least one limit" in post("disk_used_percent", for_minutes="0")
    assert "from 0 to 1440 minutes" in post(
        "disk_used_percent", warning="70", for_minutes="2000", enabled="on"
    )
    assert "from 0 to 1440 minutes" in post(
        "disk_used_percent", warning="70", for_minutes="-1", enabled="on"
    )
    assert "Select a valid choice" in post(
        "disk_used_percent", warning="70", for_minutes="0", notify_roles="provider"
    )
    assert not actions()

    response = client.post(
        url,
        _threshold_post(
            "disk_used_percent",
            warning="75",
            critical="85.5",
            for_minutes="2",
            enabled="on",
            notify_roles=["sysadmin", "tech_database"],
        ),
    )
    assert response.status_code == 302
    threshold = Threshold.objects.get(metric="disk_used_percent")
    assert (threshold.warning, threshold.critical, threshold.for_minutes) == (75.0, 85.5, 2)
    assert threshold.notify_roles == ["sysadmin", "tech_database"]
    [event] = AuditEvent.objects.filter(action="operations.threshold.changed")
    assert event.data["old"]["warning"] == 80.0 and event.data["new"]["warning"] == 75.0
    assert event.data["old"]["notify_roles"] == ["sysadmin", "tech_hardware"]


@pytest.mark.django_db
def test_R_5_1_engineers_see_the_thresholds_without_the_forms(client, make_user):
    client.force_login(make_user(Role.TECH_HARDWARE))
    page = client.get(reverse("operations:thresholds")).content.decode()
    assert 'id="row-disk_used_percent"' in page and 'name="metric"' not in page
