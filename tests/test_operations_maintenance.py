"""Planned maintenance, maintenance mode and the outage report (issue 16: R-5.3, R-2.3, R-3.3):
the 503 in force (page and API) with its exemptions, the banner, the deadline checks of the
planner, the announcement over real SMTP, cancel and end, and the outages found in the samples."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.operations import maintenance_mode, outages, tasks
from lpse.operations.models import MaintenanceWindow, Sample
from lpse.operations.services import maintenance
from lpse.tenders.models import ScheduleChange
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as tender_services
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from lpse.tenders.stages import Stage
from tests.conftest import PASSWORD, in_english
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db

# A Monday morning with no tender in sight.
NOW = datetime(2026, 12, 14, 9, 0, tzinfo=WITA)
PLAN = "/operasi/pemeliharaan/"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """The windows are cached for the whole installation: a cache of this test's own, so a
    window in force here never closes the site to another test (or another xdist worker)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"maintenance-{uuid.uuid4().hex}",
        },
    }


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN)


@pytest.fixture
def participant(published_tender, verified_provider):
    with time_machine.travel(at(0, 9), tick=False):
        tender_services.pact_sign(actor=verified_provider, tender=published_tender)
        participation.participation_register(actor=verified_provider, tender=published_tender)
    return verified_provider


def plan(actor, start, end, capture, **kwargs) -> MaintenanceWindow:
    with capture(execute=True):
        return maintenance.window_plan(
            actor=actor, starts_at=start, ends_at=end, reason="Penggantian UPS", **kwargs
        )


def signed_in(user, *, english: bool = True) -> Client:
    client = Client()
    client.force_login(user)
    return in_english(client) if english else client


def test_R_5_3_a_window_in_force_answers_503_in_indonesian_to_a_provider_and_json_to_the_api(
    sysadmin, make_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        plan(
            sysadmin,
            NOW + timedelta(hours=1),
            NOW + timedelta(hours=3),
            django_capture_on_commit_callbacks,
        )
    provider = make_user(Role.PROVIDER)
    inside = NOW + timedelta(hours=2)
    with time_machine.travel(inside, tick=False):
        # No language chosen: the service speaks Indonesian.
        page = signed_in(provider, english=False).get("/")
        assert page.status_code == 503
        assert page["Retry-After"] == str(3600)
        assert "no-store" in page["Cache-Control"]
        html = page.content.decode()
        assert (
            '<html lang="id">' in html and "Waktu dalam WITA" in html
        )  # the layout, in Indonesian
        assert "Penggantian UPS" in html and "14-12-2026 12:00 WITA" in html

        api = Client().get("/api/v1/tenders")
        assert api.status_code == 503 and api["Retry-After"] == "3600"
        body = api.json()
        assert body["retry_after"] == 3600
        assert datetime.fromisoformat(body["ends_at"]) == NOW + timedelta(hours=3)
        assert "12:00 WITA" in body["detail"]


def test_R_5_3_administrators_probes_metrics_and_sign_in_stay_open_during_the_window(
    sysadmin, make_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        plan(
            sysadmin,
            NOW + timedelta(hours=1),
            NOW + timedelta(hours=3),
            django_capture_on_commit_callbacks,
        )
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        admin = signed_in(sysadmin)
        assert admin.get("/").status_code == 200
        assert admin.get("/tender/").status_code == 200
        anonymous = Client()
        assert anonymous.get("/health/live").status_code == 200
        assert anonymous.get("/metrics").status_code == 200  # the test client is loopback
        assert anonymous.get("/akun/masuk/").status_code == 200
        assert anonymous.get("/").status_code == 503
        # An administrator signs in during the window and works.
        anonymous.post("/akun/masuk/", {"username": sysadmin.username, "password": PASSWORD})
        assert anonymous.get("/").status_code == 200
        # Someone who is not an administrator does not.
        helpdesk = signed_in(make_user(Role.HELPDESK))
        assert helpdesk.get("/").status_code == 503


def test_R_5_3_R_2_3_the_banner_announces_the_window_on_every_page_from_its_lead_time(
    sysadmin, django_capture_on_commit_callbacks
):
    start = NOW + timedelta(hours=30)
    with time_machine.travel(NOW, tick=False):
        window = plan(
            sysadmin,
            start,
            start + timedelta(hours=2),
            django_capture_on_commit_callbacks,
            lead_hours=24,
        )
    assert window.announce_from == start - timedelta(hours=24)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert "maintenance-banner" not in Client().get("/").content.decode()
    with time_machine.travel(NOW + timedelta(hours=7), tick=False):
        for page in ("/", "/tender/", "/akun/masuk/"):
            html = in_english(Client()).get(page).content.decode()
            assert "maintenance-banner" in html, page
            assert "15-12-2026 15:00 WITA" in html and "15-12-2026 17:00 WITA" in html
            assert "Penggantian UPS" in html
    # The default lead time is the setting's, never before now.
    with time_machine.travel(NOW, tick=False):
        soon = plan(
            sysadmin,
            NOW + timedelta(days=5),
            NOW + timedelta(days=5, hours=1),
            django_capture_on_commit_callbacks,
        )
        near = plan(
            sysadmin,
            NOW + timedelta(hours=2),
            NOW + timedelta(hours=3),
            django_capture_on_commit_callbacks,
        )
    lead = timedelta(hours=django_settings.LPSE_MAINTENANCE_LEAD_HOURS)
    assert soon.announce_from == soon.starts_at - lead
    assert near.announce_from == NOW


def test_R_5_3_R_3_3_a_stage_ending_inside_the_window_warns_and_needs_a_recorded_reason(
    published_tender, sysadmin, django_capture_on_commit_callbacks
):
    # Friday 10 July 2026 15:00–17:00: the announcement stage ends at 16:00.
    form = {
        "starts_at": "2026-07-10T15:00",
        "ends_at": "2026-07-10T17:00",
        "reason": "Penggantian UPS",
    }
    client = signed_in(sysadmin)
    with time_machine.travel(at(2, 10), tick=False):
        review = client.post(PLAN, {**form, "step": "review"})
        html = review.content.decode()
        assert review.status_code == 200 and 'id="deadlines-inside"' in html
        assert published_tender.code in html and "Announcement" in html
        refused = client.post(PLAN, {**form, "step": "confirm"})
        assert (
            refused.status_code == 200 and "record why it must go ahead" in refused.content.decode()
        )
        assert not MaintenanceWindow.objects.exists()
        # Confirmed from what the review page carries, with the reason added.
        carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
        assert {"starts_at", "ends_at", "reason"} <= set(carried)
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(
                PLAN,
                {**carried, "step": "confirm", "deadline_reason": "UPS rusak, tidak bisa ditunda."},
            )
    window = MaintenanceWindow.objects.get()
    assert done.status_code == 302 and done["Location"] == f"{PLAN}{window.pk}/"
    assert window.deadline_reason == "UPS rusak, tidak bisa ditunda."
    event = AuditEvent.objects.get(action=maintenance.PLANNED)
    assert event.data["deadline_reason"] == window.deadline_reason
    [noted] = event.data["deadlines"]
    code, stage, end = noted.split()
    assert (code, stage) == (published_tender.code, "announcement")
    assert datetime.fromisoformat(end) == at(4, 16)


def later_bids(tender, days: int = 2) -> sched.Schedule:
    """Bid submission closes ``days`` later, every later stage shifted (as in R-3.3's tests)."""
    schedule = tender_services.schedule_of(tender)
    moved = dict(schedule)
    start, end = schedule[Stage.BID_SUBMISSION]
    moved[Stage.BID_SUBMISSION] = (start, end + timedelta(days=days))
    for stage in sched.STAGE_ORDER[sched.STAGE_ORDER.index(Stage.BID_OPENING) :]:
        moved[stage] = tuple(t + timedelta(days=days) for t in schedule[stage])
    return moved


def test_R_5_3_R_3_3_a_bid_deadline_inside_is_refused_until_the_schedule_is_moved(
    published_tender, agency_a, sysadmin, make_user, django_capture_on_commit_callbacks
):
    # Wednesday 15 July 2026 09:00–11:00: bids close at 10:00.
    form = {
        "starts_at": "2026-07-15T09:00",
        "ends_at": "2026-07-15T11:00",
        "reason": "Penggantian UPS",
        "deadline_reason": "Tidak bisa ditunda.",
    }
    client = signed_in(sysadmin)
    with time_machine.travel(at(2, 10), tick=False):
        review = client.post(PLAN, {**form, "step": "review"})
        html = review.content.decode()
        assert 'id="bid-deadlines-inside"' in html and 'value="confirm"' not in html
        assert f"/kelola/tender/{published_tender.code}/jadwal/" in html  # the change
        # A reason alone is not enough, whatever the form sends.
        refused = client.post(PLAN, {**form, "step": "confirm"})
        assert (
            refused.status_code == 200
            and "a reason alone is not enough" in refused.content.decode()
        )
        with pytest.raises(maintenance.BidDeadlineInside) as err:
            maintenance.window_plan(
                actor=sysadmin,
                starts_at=at(9, 9),
                ends_at=at(9, 11),
                reason="Penggantian UPS",
                deadline_reason="Tidak bisa ditunda.",
            )
        assert [d.code for d in err.value.deadlines] == [published_tender.code]
        assert not MaintenanceWindow.objects.exists()
        # The committee moves the bid deadline through; the administrator applies it.
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Pemeliharaan server pada batas akhir penawaran.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
        assert ScheduleChange.objects.get().state == ScheduleChange.State.APPLIED
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(PLAN, {**form, "step": "confirm"})
    assert done.status_code == 302
    assert MaintenanceWindow.objects.get().starts_at == at(9, 9)


def test_R_5_3_the_check_is_made_again_when_the_planner_confirms(
    published_tender, agency_a, sysadmin, make_user
):
    """The schedule may move between the look and the confirmation."""
    client = signed_in(sysadmin)
    # Friday 17 July 09:00–11:00: nothing ends there yet.
    form = {"starts_at": "2026-07-17T09:00", "ends_at": "2026-07-17T11:00", "reason": "UPS"}
    with time_machine.travel(at(2, 10), tick=False):
        assert (
            'id="no-deadlines-inside"'
            in client.post(PLAN, {**form, "step": "review"}).content.decode()
        )
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Adendum dokumen: waktu penyusunan penawaran diperpanjang.",
        )
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
        refused = client.post(PLAN, {**form, "step": "confirm"})
    assert 'id="bid-deadlines-inside"' in refused.content.decode()
    assert not MaintenanceWindow.objects.exists()


def test_R_5_3_R_2_3_the_announcement_is_mailed_once_to_registered_providers_and_operators(
    participant,
    published_tender,
    sysadmin,
    make_user,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    helpdesk = make_user(Role.HELPDESK)
    with time_machine.travel(at(2, 10), tick=False):
        # The announcement stage ends inside; announced 24 hours ahead: nothing mailed yet.
        window = plan(
            sysadmin,
            at(4, 15),
            at(4, 17),
            django_capture_on_commit_callbacks,
            lead_hours=24,
            deadline_reason="UPS rusak.",
        )
        assert window.mailed_at is None
    with time_machine.travel(at(3, 15, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mail_maintenance_announcements.apply().get() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mail_maintenance_announcements.apply().get() == 0  # once
    message = smtp_server.wait_for(participant.email, django_settings.LPSE_SITE_NAME)
    body = smtp_server.body(message)
    assert published_tender.code in body and "Penggantian UPS" in body
    assert "10-07-2026 15:00 WITA" in body and "10-07-2026 17:00 WITA" in body
    smtp_server.wait_for(sysadmin.email, django_settings.LPSE_SITE_NAME)
    assert len(smtp_server.to(participant.email)) == 1
    assert smtp_server.to(helpdesk.email) == []
    assert AuditEvent.objects.filter(action=maintenance.MAILED).count() == 1
    # Cancelled after it was mailed: the cancellation is mailed too.
    with time_machine.travel(at(3, 16), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            maintenance.window_cancel(actor=sysadmin, window=window)
    announced, cancelled = smtp_server.to(participant.email)
    assert (
        cancelled["Subject"] != announced["Subject"]
        and "10-07-2026 15:00 WITA" in cancelled["Subject"]
    )


def test_R_5_3_cancel_and_end_now_reopen_the_site_and_are_audited(
    sysadmin, make_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        later = plan(
            sysadmin,
            NOW + timedelta(days=2),
            NOW + timedelta(days=2, hours=1),
            django_capture_on_commit_callbacks,
        )
        now_window = plan(
            sysadmin,
            NOW + timedelta(hours=1),
            NOW + timedelta(hours=3),
            django_capture_on_commit_callbacks,
        )
    provider_user = make_user(Role.PROVIDER)
    with time_machine.travel(NOW + timedelta(hours=1, minutes=30), tick=False):
        # Signed in inside the travel: a session from today would have expired by then.
        admin, provider = signed_in(sysadmin), signed_in(provider_user)
        assert provider.get("/").status_code == 503
        # In force: it cannot be cancelled, only ended.
        with pytest.raises(DomainError, match="end it now"):
            maintenance.window_cancel(actor=sysadmin, window=now_window)
        with django_capture_on_commit_callbacks(execute=True):
            ended = admin.post(f"{PLAN}{now_window.pk}/selesai")
        assert ended.status_code == 302, ended
        assert provider.get("/").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            admin.post(f"{PLAN}{later.pk}/batal")
        # A monitor may look, not act.
        monitor = signed_in(make_user(Role.LKPP_MONITOR))
        assert monitor.get(f"{PLAN}{later.pk}/").status_code == 200
        listing = monitor.get(PLAN).content.decode()
        assert 'id="maintenance-plan"' not in listing and "ended early" in listing
        assert 'id="maintenance-plan"' in admin.get(PLAN).content.decode()
        assert monitor.post(f"{PLAN}{later.pk}/batal").status_code == 403
        assert monitor.post(PLAN, {"step": "review"}).status_code == 403
    now_window.refresh_from_db()
    later.refresh_from_db()
    assert now_window.ended_early_at == NOW + timedelta(hours=1, minutes=30)
    assert later.cancelled_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {maintenance.PLANNED, maintenance.ENDED, maintenance.CANCELLED} <= actions
    assert maintenance_mode.in_force(NOW + timedelta(hours=2)) is None


def heartbeat(node: str, start: datetime, end: datetime, holes: list[tuple[datetime, datetime]]):
    """A sample a minute from ``start`` to ``end``, none inside the holes."""
    rows, moment = [], start
    while moment <= end:
        if not any(a < moment < b for a, b in holes):
            rows.append(
                Sample(node=node, metric=outages.HEARTBEAT_METRIC, at=moment, value=40.0, peak=40.0)
            )
        moment += timedelta(minutes=1)
    Sample.objects.bulk_create(rows)


def test_R_5_3_R_3_3_an_unplanned_gap_in_the_samples_lists_the_tenders_whose_bid_deadline_it_hit(
    published_tender, sysadmin, make_user
):
    unplanned = (at(9, 9, 30), at(9, 10, 30))  # bids closed at 10:00, the site was down
    planned = (at(8, 20), at(8, 22))  # a planned window the night before
    short = (at(8, 12), at(8, 12, 2))  # two missed samples: not an outage
    heartbeat("web-1", at(8, 8), at(9, 12), [unplanned, planned, short])
    heartbeat("web-2", at(8, 8), at(9, 12), [])
    MaintenanceWindow.objects.create(
        starts_at=planned[0],
        ends_at=planned[1],
        announce_from=planned[0] - timedelta(hours=72),
        reason="Pembaruan sistem operasi",
        created_by=sysadmin,
    )
    with time_machine.travel(at(9, 14), tick=False):
        found = outages.outages()
        page = signed_in(make_user(Role.TECH_NETWORK)).get("/operasi/gangguan/")
    assert [(o.node, o.start, o.end) for o in found] == [("web-1", *unplanned)]
    assert [d.code for d in found[0].bid_deadlines] == [published_tender.code]
    html = page.content.decode()
    assert page.status_code == 200 and "web-1" in html and "15-07-2026 09:30" in html
    assert f"/kelola/tender/{published_tender.code}/jadwal/" in html
