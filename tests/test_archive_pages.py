"""The backup pages (SPEC 6): the status page shows the runs, the next run, the newest verified
backup, a chart of sizes and the drill history; "back up now" makes a backup through the job
queue; the media log (R-6.2) records a medium taken out and brought back, and refuses what
cannot have happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.archive.models import BackupRun, DrillResult, MediaMovement, RestoreDrill, RunState
from lpse.core.models import AuditEvent
from tests import archive_helpers
from tests.archive_helpers import some_blobs

# The shared fixtures, by assignment: pytest finds them here, and parameters may name them.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key


def page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def a_good_run(**fields) -> BackupRun:
    started = fields.pop("started_at", timezone.now() - timedelta(hours=2))
    values = {
        "backup_id": "20250101T000000Z-abc123",
        "target": "folder:/mnt/hdd-biru",
        "state": RunState.GOOD,
        "started_at": started,
        "finished_at": started + timedelta(seconds=42),
        "pieces": 12,
        "pieces_new": 3,
        "total_bytes": 5 * 1024 * 1024,
        "new_bytes": 1024 * 1024,
        "verified_at": started + timedelta(minutes=5),
    }
    values.update(fields)
    return BackupRun.objects.create(**values)


@pytest.mark.django_db
def test_R_6_1_the_status_page_shows_the_last_run_the_next_run_the_chart_and_a_drill(
    client, make_user, settings
):
    settings.LPSE_BACKUP_INTERVAL_HOURS = 24
    older = a_good_run(
        backup_id="20250101T000000Z-old111", started_at=timezone.now() - timedelta(days=1)
    )
    run = a_good_run()
    RestoreDrill.objects.create(
        backup_id=run.backup_id,
        target=run.target,
        performed_at=timezone.now(),
        performed_by="Andi (Kepala LPSE)",
        result=DrillResult.PASSED,
        seconds=12.5,
    )
    client.force_login(make_user(Role.APP_ADMIN))
    html = page(client, "archive:status")
    assert run.backup_id in html and older.backup_id in html
    assert "folder:/mnt/hdd-biru" in html and "5.0\xa0MB" in html and "42.0 s" in html
    assert "12 (3 new)" in html  # pieces, of which new
    # The next run: one interval after the newest start, in WITA.
    next_run = timezone.localtime(run.started_at + timedelta(hours=24))
    assert f"{next_run:%d-%m-%Y %H:%M}" in html
    assert "2.0 hours old" in html  # the newest verified backup's age
    assert "Andi (Kepala LPSE)" in html and "passed" in html
    # The chart: one line through both backups, drawn on the server.
    assert "<svg" in html and html.count("<circle") == 2 and "<polyline" in html
    assert 'id="backup-now"' in html


@pytest.mark.django_db
def test_R_6_1_the_head_of_lpse_sees_the_status_without_buttons(client, make_user):
    movement = MediaMovement.objects.create(
        medium="HDD-2", kept_at="Brankas", taken_by="Budi", taken_out_at=timezone.now()
    )
    client.force_login(make_user(Role.LPSE_HEAD))
    html = page(client, "archive:status")
    assert "No backup yet." in html and "There is no verified backup" in html
    assert 'id="backup-now"' not in html
    assert reverse("archive:media_return", args=[movement.pk]) not in page(
        client, "archive:media_log"
    )
    assert client.post(reverse("archive:run_now")).status_code == 403
    assert client.get(reverse("archive:media_take_out")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_R_6_1_back_up_now_makes_a_backup_and_checks_it(client, make_user, backup_folder):
    some_blobs(2)
    keeper = make_user(Role.TECH_DATABASE)
    client.force_login(keeper)
    response = client.post(reverse("archive:run_now"), follow=True)
    assert "Backup made and checked on 1 target(s)." in response.content.decode()
    [run] = BackupRun.objects.all()
    assert run.state == RunState.GOOD and run.trigger == "page"
    assert run.verified_at is not None  # today's seventh of the pieces was read back
    requested = AuditEvent.objects.get(action="archive.backup.requested")
    assert requested.actor == keeper
    assert run.backup_id in page(client, "archive:status")


@pytest.mark.django_db
def test_R_6_1_back_up_now_with_nothing_configured_says_why(client, make_user, settings):
    settings.LPSE_BACKUP_TARGETS = []
    client.force_login(make_user(Role.APP_ADMIN))
    html = client.post(reverse("archive:run_now"), follow=True).content.decode()
    assert "No backup was made: No backup target is configured" in html
    assert not BackupRun.objects.exists()
    assert AuditEvent.objects.filter(action="archive.backup.refused").exists()


def take_out(client, **overrides):
    data = {"medium": "HDD-2 (biru)", "kept_at": "Brankas ruang Kepala LPSE", "taken_by": "Budi"}
    data.update(overrides)
    return client.post(reverse("archive:media_take_out"), data)


@pytest.mark.django_db
def test_R_6_2_a_medium_taken_out_and_brought_back_is_logged_and_audited(client, make_user):
    admin = make_user(Role.APP_ADMIN)
    client.force_login(admin)
    response = take_out(client, purpose="to write this week's backup")
    assert response.status_code == 302
    movement = MediaMovement.objects.get()
    assert movement.recorded_by == admin and movement.returned_at is None
    out_now = client.get(reverse("archive:media_log"), {"shown": "out"}).content.decode()
    assert "HDD-2 (biru)" in out_now and "to write this week&#x27;s backup" in out_now

    returned_at = timezone.localtime(movement.taken_out_at + timedelta(minutes=1))
    response = client.post(
        reverse("archive:media_return", args=[movement.pk]),
        {"returned_at": f"{returned_at:%Y-%m-%dT%H:%M}"},
    )
    assert response.status_code == 302
    movement.refresh_from_db()
    assert movement.returned_at == returned_at.replace(second=0, microsecond=0)
    assert (
        "HDD-2 (biru)"
        not in client.get(reverse("archive:media_log"), {"shown": "out"}).content.decode()
    )
    assert "HDD-2 (biru)" in page(client, "archive:media_log")
    actions = list(
        AuditEvent.objects.filter(action__startswith="archive.media.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["archive.media.take_out", "archive.media.return"]


@pytest.mark.django_db
def test_R_6_2_the_media_log_refuses_what_cannot_have_happened(client, make_user):
    client.force_login(make_user(Role.APP_ADMIN))
    # Nothing said: each missing field is named, nothing is stored.
    html = take_out(client, medium=" ", kept_at="", taken_by="").content.decode()
    assert "This field is required." in html and not MediaMovement.objects.exists()
    # A medium out cannot be taken out again.
    take_out(client)
    html = take_out(client, medium="hdd-2 (BIRU)", taken_by="Citra").content.decode()
    assert "is already out: Budi took it on" in html
    assert MediaMovement.objects.count() == 1
    movement = MediaMovement.objects.get()

    # A return before the take-out.
    before = timezone.localtime(movement.taken_out_at - timedelta(hours=1))
    url = reverse("archive:media_return", args=[movement.pk])
    html = client.post(url, {"returned_at": f"{before:%Y-%m-%dT%H:%M}"}).content.decode()
    assert "cannot be before the medium was taken out" in html
    movement.refresh_from_db()
    assert movement.returned_at is None

    # A return in the future.
    later = timezone.localtime(timezone.now() + timedelta(days=1))
    html = client.post(url, {"returned_at": f"{later:%Y-%m-%dT%H:%M}"}).content.decode()
    assert "is in the future" in html

    # A return recorded twice.
    assert client.post(url, {"returned_at": ""}).status_code == 302
    movement.refresh_from_db()
    first_return = movement.returned_at
    html = client.post(url, {"returned_at": ""}).content.decode()
    assert "was already recorded as returned" in html
    movement.refresh_from_db()
    assert movement.returned_at == first_return
    assert AuditEvent.objects.filter(action="archive.media.return").count() == 1
