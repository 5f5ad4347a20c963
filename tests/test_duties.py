"""The annex V duty register (R-5.6): the catalogue, occurrences on working days, done / late /
missed, evidence, the automatic checks, problems with their 7-working-day fix deadline and the
late alert over real SMTP, the monthly report and its CSV, and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lpse.archive.models import BackupRun, RunState
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.core.scheduler import heartbeat_path
from lpse.operations.duty_catalogue import CATALOGUE, load_catalogue
from lpse.operations.models import (
    Duty,
    DutyOccurrence,
    DutyProblem,
    OccurrenceState,
    Outcome,
    Sample,
)
from lpse.operations.services import duties, duty_checks, duty_report


def wita(y, m, d, hour=9, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=WITA)


TUESDAY = wita(2026, 8, 11)  # an ordinary working week in August 2026
SATURDAY = wita(2026, 8, 15)
INDEPENDENCE_DAY = wita(2026, 8, 17)  # a Monday, a national holiday


@pytest.fixture
def catalogue(db):
    load_catalogue()
    return Duty.objects.all()


def occurrence_of(code: str, day: date) -> DutyOccurrence:
    return DutyOccurrence.objects.get(duty__code=code, period_start__lte=day, period_end__gte=day)


def generate_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        duties.generate_occurrences()


def test_R_5_6_the_catalogue_holds_every_annex_duty_and_keeps_the_lpse_s_choices(
    catalogue, make_user
):
    assert catalogue.count() == len(CATALOGUE) >= 30
    codes = set(catalogue.values_list("code", flat=True))
    for code in (
        "app-site-up",
        "app-price-index",
        "os-disks",
        "db-backup",
        "hw-hubs",
        "net-open-ports",
    ):
        assert code in codes
    head = make_user("lpse_head")
    hubs = Duty.objects.get(code="hw-hubs")
    duties.update_duty(actor=head, duty=hubs, frequency="daily", role="tech_network", active=True)
    assert load_catalogue() == 0  # nothing new, and the head's choice stays
    hubs.refresh_from_db()
    assert (hubs.frequency, hubs.role) == ("daily", "tech_network")
    assert AuditEvent.objects.filter(action="operations.duties.changed").exists()


def test_R_5_6_daily_duties_fall_on_working_days_only(catalogue):
    generate_at(SATURDAY)
    assert not DutyOccurrence.objects.filter(duty__frequency="daily").exists()
    # The week and the month have working days: their duties exist from the first run.
    assert occurrence_of("hw-hubs", SATURDAY.date()).period_start == date(2026, 8, 10)
    assert occurrence_of("hw-ports", SATURDAY.date()).period_end == date(2026, 8, 31)
    generate_at(INDEPENDENCE_DAY)
    assert (
        not DutyOccurrence.objects.filter(period_start=INDEPENDENCE_DAY.date())
        .exclude(duty__frequency="weekly")
        .exists()
    )
    generate_at(INDEPENDENCE_DAY + timedelta(days=1))
    made = DutyOccurrence.objects.filter(duty__code="os-logs", period_start=date(2026, 8, 18))
    assert made.get().due_at == wita(2026, 8, 19, 0)
    # Missed only when not done by the end of the next working day.
    assert made.get().missed_after == wita(2026, 8, 20, 0)


def test_R_5_6_done_on_time_late_and_missed(catalogue, make_user):
    hardware = make_user("tech_hardware")
    generate_at(TUESDAY)
    weekly = occurrence_of("hw-hubs", TUESDAY.date())
    with time_machine.travel(TUESDAY, tick=False):
        duties.mark_done(actor=hardware, occurrence=weekly, done=duties.Done("ok", "All hubs lit."))
    weekly.refresh_from_db()
    assert weekly.state_at() == OccurrenceState.DONE

    late = occurrence_of("hw-computers", TUESDAY.date())
    with time_machine.travel(wita(2026, 8, 18, 10), tick=False):  # the next week
        assert late.state_at() == OccurrenceState.OVERDUE
        duties.mark_done(actor=hardware, occurrence=late, done=duties.Done("ok", "Checked."))
    late.refresh_from_db()
    assert late.state_at() == OccurrenceState.LATE

    monthly = occurrence_of("hw-ports", TUESDAY.date())
    with time_machine.travel(wita(2026, 10, 1, 8), tick=False):  # after September too
        assert monthly.state_at() == OccurrenceState.MISSED
        with pytest.raises(DomainError, match="missed"):
            duties.mark_done(actor=hardware, occurrence=monthly, done=duties.Done("ok", "x"))
    states = dict(
        DutyOccurrence.objects.with_state(wita(2026, 10, 1, 8))
        .filter(pk__in=[weekly.pk, late.pk, monthly.pk])
        .values_list("duty__code", "state")
    )
    assert states == {"hw-hubs": "done", "hw-computers": "late", "hw-ports": "missed"}


def test_R_5_6_a_role_not_responsible_is_refused_and_nothing_is_written(
    catalogue, make_user, client
):
    generate_at(TUESDAY)
    hubs = occurrence_of("hw-hubs", TUESDAY.date())
    software = make_user("tech_software")
    with pytest.raises(DomainError, match="Hardware engineer"):
        duties.mark_done(actor=software, occurrence=hubs, done=duties.Done("ok", "x"))
    client.force_login(software)
    page = client.get(reverse("operations:duty_occurrence", args=[hubs.pk]))
    assert page.status_code == 200 and b"done-form" not in page.content
    answer = client.post(
        reverse("operations:duty_done", args=[hubs.pk]), {"outcome": "ok", "note": "x"}
    )
    assert answer.status_code == 400 and b"Hardware engineer" in answer.content
    hubs.refresh_from_db()
    assert hubs.done_at is None
    assert not AuditEvent.objects.filter(action="operations.duties.done").exists()
    auditor = make_user("auditor")  # reads the register, does nothing
    client.force_login(auditor)
    assert client.get(reverse("operations:duty_register")).status_code == 200
    assert client.post(reverse("operations:duty_done", args=[hubs.pk]), {}).status_code == 403


def test_R_5_6_done_with_evidence_through_the_page(catalogue, make_user, client):
    generate_at(TUESDAY)
    hubs = occurrence_of("hw-hubs", TUESDAY.date())
    hardware = make_user("tech_hardware")
    with time_machine.travel(TUESDAY, tick=False):
        client.force_login(hardware)  # sessions time out: sign in at the travelled-to time
        mine = client.get(reverse("operations:duties_mine"))
        assert b"hw-hubs" in mine.content and b"os-logs" not in mine.content
        answer = client.post(
            reverse("operations:duty_done", args=[hubs.pk]),
            {
                "outcome": "ok",
                "note": "Hub 2 replaced cable.",
                "evidence": [SimpleUploadedFile("hub.txt", b"port 3 link up\n")],
            },
        )
        assert answer.status_code == 302
        hubs.refresh_from_db()
        assert hubs.outcome == Outcome.OK and hubs.evidence.get().filename == "hub.txt"
        page = client.get(reverse("operations:duty_occurrence", args=[hubs.pk]))
        assert b"done on time" in page.content
        download = client.get(reverse("operations:duty_evidence", args=[hubs.evidence.get().pk]))
    assert b"".join(download.streaming_content) == b"port 3 link up\n"


def test_R_5_6_a_problem_gets_7_working_days_across_a_weekend_and_holidays(catalogue, make_user):
    hardware = make_user("tech_hardware")
    thursday = wita(2026, 8, 13, 10)
    generate_at(thursday)
    with time_machine.travel(thursday, tick=False):
        with pytest.raises(DomainError, match="Describe the problem"):
            duties.mark_done(
                actor=hardware,
                occurrence=occurrence_of("hw-hubs", thursday.date()),
                done=duties.Done("problem", "Checked the hubs."),
            )
        duties.mark_done(
            actor=hardware,
            occurrence=occurrence_of("hw-hubs", thursday.date()),
            done=duties.Done("problem", "Checked the hubs.", problem="Hub 2 port 3 is dead."),
        )
    problem = DutyProblem.objects.get()
    # Fri 14 · (Sat, Sun, Mon 17 Independence Day) · 18 19 20 21 · 24 · (25 Prophet's Birthday) · 26
    assert problem.deadline == wita(2026, 8, 27, 0)


def test_R_5_6_a_late_problem_is_mailed_once_to_the_role_and_the_head(
    catalogue, make_user, smtp_server, django_capture_on_commit_callbacks
):
    hardware, head = make_user("tech_hardware"), make_user("lpse_head")
    make_user("tech_network")  # not the duty's role: not told
    generate_at(TUESDAY)
    with time_machine.travel(TUESDAY, tick=False):
        duties.mark_done(
            actor=hardware,
            occurrence=occurrence_of("hw-hubs", TUESDAY.date()),
            done=duties.Done("problem", "Checked.", problem="Hub 2 is dead."),
        )
    problem = DutyProblem.objects.get()
    with time_machine.travel(problem.deadline - timedelta(minutes=1), tick=False):
        assert duty_checks.alert_late_problems() == 0
    with time_machine.travel(problem.deadline + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert duty_checks.alert_late_problems() == 1
            assert duty_checks.alert_late_problems() == 0
    for person in (hardware, head):
        message = smtp_server.wait_for(person.email, "melewati tenggat perbaikan")
        assert "Hub 2 is dead." in smtp_server.body(message)
    # Once, one message to each of them (nobody sees another's address), none to other roles.
    assert len(smtp_server.messages) == 2
    assert not any("tech_network" in m["To"] for m in smtp_server.messages)
    duties.close_problem(actor=hardware, problem=problem, note="Hub replaced.")
    problem.refresh_from_db()
    assert problem.closed_late


def test_R_5_6_the_system_checks_site_backup_disk_growth_and_lockouts(catalogue, settings):
    now = timezone.now()
    generate_at(now)
    heartbeat_path().parent.mkdir(parents=True, exist_ok=True)
    heartbeat_path().touch()  # the scheduler beat: /health/ready is ready
    BackupRun.objects.create(
        backup_id="b1", target="folder:/mnt/hdd", state=RunState.GOOD,
        started_at=now - timedelta(days=8), verified_at=now - timedelta(days=8),
    )  # fmt: skip
    Sample.objects.create(
        node="web1", metric="disk_used_percent", labels="mount=/", at=now, value=93.0, peak=93.0
    )
    Sample.objects.create(
        node="installation",
        metric="database_bytes",
        at=now - timedelta(days=6),
        value=100e6,
        peak=100e6,
        resolution="hour",
    )
    Sample.objects.create(
        node="installation", metric="database_bytes", at=now, value=110e6, peak=110e6
    )
    Sample.objects.create(
        node="installation",
        metric="table_bytes",
        labels="table=core_auditevent",
        at=now,
        value=40e6,
        peak=40e6,
    )
    for n in range(12):
        AccessFailureLog.objects.create(username=f"u{n}", ip_address="203.0.113.9", locked_out=True, attempt_time=now)  # fmt: skip
    result = duty_checks.run_duty_register(now + timedelta(seconds=1))
    filled = {
        o.duty.code: o for o in DutyOccurrence.objects.filter(by_system=True).select_related("duty")
    }
    assert result["checked"] == len(filled) >= 1
    expected = {
        "db-backup": "problem",
        "os-disks": "problem",
        "db-data-files": "ok",
        "app-intrusion": "problem",
    }
    for code, outcome in expected.items():
        if code in filled:  # a daily duty has no occurrence on a weekend or holiday
            assert filled[code].outcome == outcome, filled[code].note
    if "app-site-up" in filled:
        assert filled["app-site-up"].outcome == "ok", filled["app-site-up"].note
    assert "8 days" not in filled["db-backup"].note and "192 hours" in filled["db-backup"].note
    assert (
        "+10.0 %" in filled["db-data-files"].note
        and "core_auditevent" in filled["db-data-files"].note
    )
    assert DutyProblem.objects.filter(occurrence__duty__code="db-backup").exists()


def test_R_5_6_a_check_without_data_leaves_the_duty_to_a_person(catalogue):
    now = wita(2026, 8, 11, 10)
    generate_at(now)
    with time_machine.travel(now, tick=False):
        duty_checks.run_duty_register()
    disks = occurrence_of("os-disks", now.date())
    assert disks.done_at is None  # no disk sample yet
    site = occurrence_of("app-site-up", now.date())
    assert site.by_system and site.outcome == "problem" and "scheduler" in site.note


def test_R_5_6_the_monthly_report_and_its_csv(catalogue, make_user, client):
    hardware = make_user("tech_hardware")
    generate_at(TUESDAY)
    with time_machine.travel(TUESDAY, tick=False):
        duties.mark_done(
            actor=hardware,
            occurrence=occurrence_of("hw-hubs", TUESDAY.date()),
            done=duties.Done("ok", "ok"),
        )
    with time_machine.travel(wita(2026, 8, 20), tick=False):
        duties.mark_done(
            actor=hardware, occurrence=occurrence_of("hw-computers", TUESDAY.date()),
            done=duties.Done("problem", "x", problem="Monitor 3 flickers."),
        )  # fmt: skip
    at = wita(2026, 10, 2)
    report = duty_report.monthly(date(2026, 8, 1), role_labels={}, now=at)
    rows = {r.key: r for r in report.duties}
    assert (rows["hw-hubs"].on_time, rows["hw-computers"].late, rows["hw-ports"].missed) == (
        1,
        1,
        1,
    )
    assert rows["hw-computers"].problems == 1
    hardware_row = next(r for r in report.roles if r.key == "tech_hardware")
    assert (hardware_row.on_time, hardware_row.late, hardware_row.missed) == (1, 1, 2)
    assert hardware_row.percent_on_time == 25.0
    head = make_user("lpse_head")
    with time_machine.travel(at, tick=False):
        client.force_login(head)
        page = client.get(reverse("operations:duty_report"), {"bulan": "2026-08"})
        assert page.status_code == 200 and b"<svg" in page.content
        data = client.get(reverse("operations:duty_report_csv"), {"bulan": "2026-08"})
    lines = list(csv.reader(io.StringIO(data.content.decode())))
    assert ["Check the hubs and switches", "hw-hubs", "1", "0", "0", "0", "100.0", "0"] in lines
    assert ["Hardware engineer", "tech_hardware", "1", "1", "2", "0", "25.0", "1"] in lines


def test_R_5_6_only_managers_change_the_catalogue(catalogue, make_user, client):
    hubs = Duty.objects.get(code="hw-hubs")
    client.force_login(make_user("tech_hardware"))
    assert client.get(reverse("operations:duty_edit", args=[hubs.pk])).status_code == 403
    client.force_login(make_user("app_admin"))
    answer = client.post(
        reverse("operations:duty_edit", args=[hubs.pk]),
        {"frequency": "monthly", "role": "lpse_head"},
    )
    assert answer.status_code == 200 and b"Select a valid choice" in answer.content
    generate_at(timezone.now())
    answer = client.post(
        reverse("operations:duty_edit", args=[hubs.pk]),
        {"frequency": "monthly", "role": "tech_hardware"},
    )
    assert answer.status_code == 302
    hubs.refresh_from_db()
    assert not hubs.active  # the box was left unticked: switched off, its open occurrence cancelled
    assert DutyOccurrence.objects.with_state().filter(duty=hubs, state="cancelled").count() == 1


def test_R_5_6_every_page_shows_for_its_readers(catalogue, make_user, client):
    hardware = make_user("tech_hardware")
    with time_machine.travel(TUESDAY, tick=False):
        generate_at(TUESDAY)
        duties.mark_done(
            actor=hardware,
            occurrence=occurrence_of("hw-hubs", TUESDAY.date()),
            done=duties.Done("problem", "Checked.", problem="Hub 2 is dead."),
        )
        client.force_login(make_user("lpse_head"))
        for name, query in [
            ("duty_register", {"state": "done", "role": "tech_hardware"}),
            ("duty_register", {"start": "not a date"}),
            ("duty_problems", {"shown": "all"}),
            ("duty_catalogue", {}),
            ("duty_report", {"bulan": "nonsense"}),
        ]:
            page = client.get(reverse(f"operations:{name}"), query)
            assert page.status_code == 200, name
        catalogue_page = client.get(reverse("operations:duty_catalogue")).content.decode()
        assert "Change" in catalogue_page  # the head manages the catalogue
        problem = DutyProblem.objects.get()
        page = client.get(reverse("operations:duty_occurrence", args=[problem.occurrence_id]))
        assert b"Hub 2 is dead." in page.content and b"Close the problem" not in page.content
