"""The server room (R-4.2; Pasal 11 (4): every visitor needs the permission of the authorised LPSE
official): permits asked for, approved or refused with a reason, withdrawn, expired; check-in
only on a permit valid now for a person named on it; check-out; visitors still inside at the end
of the day alerted once; the log of a period as a signed PDF; every step audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.core.documents import document_check, pdf_log_proof_check
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.core.signing import public_key_pem
from lpse.operations.models import AccessPermit, PermitState, ServerRoomVisit
from lpse.operations.services import server_room as services
from lpse.operations.services import server_room_report as report

pytestmark = pytest.mark.django_db

MORNING = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 09:00 WITA
ANDI = services.VisitorData("Andi Rahman", "PT Telkom Maros", "7309 0112 0385 0001")
SITI = services.VisitorData("Siti Aminah", "Dinas Kominfo", "7309015507900002")


@pytest.fixture
def people(make_user):
    return {
        "requester": make_user(Role.TECH_SOFTWARE),
        "head": make_user(Role.LPSE_HEAD),
        "engineer": make_user(Role.TECH_HARDWARE),
        "escort": make_user(Role.SYSADMIN),
    }


def ask(people, *, start=MORNING, hours=8, visitors=(ANDI, SITI)) -> AccessPermit:
    return services.permit_request(
        actor=people["requester"],
        purpose="Penggantian baterai UPS",
        valid_from=start,
        valid_until=start + timedelta(hours=hours),
        visitors=list(visitors),
    )


def approved(people, **kwargs) -> AccessPermit:
    permit = ask(people, **kwargs)
    return services.permit_decide(actor=people["head"], permit=permit, approve=True)


def check_in(people, permit, id_number=ANDI.id_number) -> ServerRoomVisit:
    return services.visit_check_in(
        actor=people["engineer"],
        permit_number=permit.pk,
        id_number=id_number,
        escort=people["escort"],
    )


def actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="operations.server_room.").values_list(
            "action", flat=True
        )
    )


def test_R_4_2_a_request_is_mailed_to_the_approvers_and_the_approval_to_the_requester(
    people, smtp_server, django_capture_on_commit_callbacks
):
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            permit = ask(people)
        mail = smtp_server.wait_for(people["head"].email, f"izin akses #{permit.pk} diajukan")
        body = smtp_server.body(mail)
        assert "Andi Rahman, PT Telkom Maros (7309011203850001)" in body
        assert "03-03-2025 09:00 WITA" in body and "/operasi/ruang-server/izin/" in body
        assert smtp_server.to(people["engineer"].email) == []
        with django_capture_on_commit_callbacks(execute=True):
            services.permit_decide(actor=people["head"], permit=permit, approve=True)
    mail = smtp_server.wait_for(people["requester"].email, "disetujui")
    assert "dari 03-03-2025 09:00 WITA sampai 03-03-2025 17:00 WITA" in smtp_server.body(mail)
    permit.refresh_from_db()
    assert permit.state == PermitState.APPROVED and permit.decided_by == people["head"]
    assert actions() == ["operations.server_room.request", "operations.server_room.approve"]


def test_R_4_2_a_refusal_needs_its_reason_which_the_requester_reads(
    people, smtp_server, django_capture_on_commit_callbacks
):
    permit = ask(people, start=MORNING + timedelta(days=3650))
    with pytest.raises(DomainError, match="reason for the refusal") as refused:
        services.permit_decide(actor=people["head"], permit=permit, approve=False, reason=" ")
    assert refused.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        services.permit_decide(
            actor=people["head"], permit=permit, approve=False, reason="Bukan jadwal pemeliharaan"
        )
    mail = smtp_server.wait_for(people["requester"].email, "ditolak")
    assert "Alasan: Bukan jadwal pemeliharaan" in smtp_server.body(mail)
    # Decided once: a second decision, or one by the wrong role, is refused.
    with pytest.raises(DomainError, match="only a request waiting"):
        services.permit_decide(actor=people["head"], permit=permit, approve=True)
    with pytest.raises(DomainError) as forbidden:
        services.permit_decide(actor=people["engineer"], permit=permit, approve=True)
    assert forbidden.value.code == "forbidden"
    assert actions() == ["operations.server_room.request", "operations.server_room.refuse"]


def test_R_4_2_a_request_needs_a_future_window_and_distinct_visitors(people):
    with time_machine.travel(MORNING, tick=False):
        with pytest.raises(DomainError, match="end after it starts"):
            ask(people, hours=0)
        with pytest.raises(DomainError, match="already over"):
            ask(people, start=MORNING - timedelta(hours=9))
        with pytest.raises(DomainError, match="given twice"):
            ask(people, visitors=(ANDI, ANDI))
    assert not AccessPermit.objects.exists() and actions() == []


def test_R_4_2_only_the_requester_withdraws_and_a_withdrawn_permit_is_not_decided(people):
    permit = ask(people, start=MORNING + timedelta(days=3650))
    with pytest.raises(DomainError) as other:
        services.permit_withdraw(actor=people["escort"], permit=permit)
    assert other.value.code == "forbidden"
    services.permit_withdraw(actor=people["requester"], permit=permit)
    with pytest.raises(DomainError, match="withdrawn"):
        services.permit_decide(actor=people["head"], permit=permit, approve=True)


def test_R_4_2_an_undecided_request_whose_window_ended_expires(people):
    with time_machine.travel(MORNING, tick=False):
        permit = ask(people)
    with time_machine.travel(MORNING + timedelta(hours=8), tick=False):
        with pytest.raises(DomainError, match="expired"):
            services.permit_decide(actor=people["head"], permit=permit, approve=True)
        assert report.permits_expire() == 1
    permit.refresh_from_db()
    assert permit.state == PermitState.EXPIRED


@pytest.mark.parametrize(
    "case, message",
    [
        ("no permit", "There is no permit number"),
        ("not yet approved", "has not been approved yet"),
        ("refused", "was refused"),
        ("withdrawn", "was withdrawn"),
        ("before the window", "the visitor may not enter before then"),
        ("after the window", "it has expired"),
        ("visitor not on it", "Nobody with ID number 7309000000000009 is named on permit"),
    ],
)
def test_R_4_2_check_in_is_refused_without_a_valid_permit_for_now(people, case, message):
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        permit = ask(people)
        if case not in ("not yet approved", "refused", "withdrawn"):
            services.permit_decide(actor=people["head"], permit=permit, approve=True)
        if case == "refused":
            services.permit_decide(actor=people["head"], permit=permit, approve=False, reason="x")
        if case == "withdrawn":
            services.permit_withdraw(actor=people["requester"], permit=permit)
    moment = {
        "before the window": MORNING - timedelta(minutes=1),
        "after the window": MORNING + timedelta(hours=8),
    }.get(case, MORNING + timedelta(hours=1))
    number = permit.pk + 1 if case == "no permit" else permit.pk
    id_number = "7309000000000009" if case == "visitor not on it" else ANDI.id_number
    with time_machine.travel(moment, tick=False):
        with pytest.raises(DomainError, match=message):
            services.visit_check_in(
                actor=people["engineer"],
                permit_number=number,
                id_number=id_number,
                escort=people["escort"],
            )
    assert not ServerRoomVisit.objects.exists()
    assert "operations.server_room.check_in" not in actions()


def test_R_4_2_check_in_and_out_on_the_visitor_log_page(people, client):
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        permit = approved(people)
    client.force_login(people["engineer"])
    log = reverse("operations:server_room_log")
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        bad = client.post(
            reverse("operations:server_room_check_in"),
            {"permit": permit.pk, "id_number": "123", "escort": people["escort"].pk},
        )
        html = bad.content.decode()
        assert bad.status_code == 200 and "Nobody with ID number 123" in html
        assert 'value="123"' in html  # the input is kept
        response = client.post(
            reverse("operations:server_room_check_in"),
            {
                "permit": permit.pk,
                "id_number": "7309011203850001",  # typed without the card's spaces
                "escort": people["escort"].pk,
            },
        )
        assert response.status_code == 302 and response["Location"] == log
        page = client.get(log).content.decode()
        assert "Andi Rahman" in page and "03-03-2025 10:00" in page and "Check out" in page
        # Inside already: a second check-in is refused.
        with pytest.raises(DomainError, match="already inside"):
            check_in(people, permit)
    visit = ServerRoomVisit.objects.get()
    assert visit.purpose == "Penggantian baterai UPS" and visit.escort == people["escort"]
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        client.force_login(people["engineer"])  # again: an hour idle ended the session
        client.post(reverse("operations:server_room_check_out", args=[visit.pk]))
        visit.refresh_from_db()
        assert visit.checked_out_at == MORNING + timedelta(hours=2)
        assert visit.checked_out_by == people["engineer"]
        with pytest.raises(DomainError, match="already been checked out"):
            services.visit_check_out(actor=people["engineer"], visit=visit)
    assert actions()[-2:] == ["operations.server_room.check_in", "operations.server_room.check_out"]
    # A reader without the engineer's capability sees the log, not the forms.
    client.force_login(people["requester"])
    page = client.get(log).content.decode()
    assert "Andi Rahman" in page and "Check a visitor in" not in page


def test_R_4_2_the_permit_page_shows_the_decision_only_to_approvers_while_requested(people, client):
    permit = ask(people, start=MORNING + timedelta(days=3650))
    url = reverse("operations:server_room_permit", args=[permit.pk])
    client.force_login(people["head"])
    assert 'id="decision"' in client.get(url).content.decode()
    response = client.post(
        reverse("operations:server_room_permit_decide", args=[permit.pk]), {"decision": "refuse"}
    )
    assert "Give the reason for the refusal" in response.content.decode()
    client.force_login(people["requester"])
    page = client.get(url).content.decode()
    assert 'id="decision"' not in page and "Withdraw the permit" in page
    services.permit_decide(actor=people["head"], permit=permit, approve=True)
    client.force_login(people["head"])
    assert 'id="decision"' not in client.get(url).content.decode()
    listing = client.get(reverse("operations:server_room_permits") + "?show=decide")
    assert "Penggantian baterai UPS" not in listing.content.decode()


def test_R_4_2_the_request_form_keeps_valid_input_and_names_the_bad_line(people, client):
    client.force_login(people["requester"])
    response = client.post(
        reverse("operations:server_room_permit_create"),
        {
            "purpose": "Pemasangan switch",
            "valid_from": "2035-03-03T09:00",
            "valid_until": "2035-03-03T12:00",
            "visitors": "Andi Rahman; PT Telkom Maros; 7309011203850001\nSiti tanpa nomor",
        },
    )
    html = response.content.decode()
    assert "Line 2: write the name" in html and "Pemasangan switch" in html
    assert not AccessPermit.objects.exists()
    response = client.post(
        reverse("operations:server_room_permit_create"),
        {
            "purpose": "Pemasangan switch",
            "valid_from": "2035-03-03T09:00",
            "valid_until": "2035-03-03T12:00",
            "visitors": "Andi Rahman; PT Telkom Maros; 7309011203850001",
        },
    )
    permit = AccessPermit.objects.get()
    assert response["Location"] == reverse("operations:server_room_permit", args=[permit.pk])
    assert permit.valid_from == datetime(2035, 3, 3, 1, 0, tzinfo=UTC)  # typed as WITA


def test_R_4_2_visits_open_at_the_end_of_the_day_are_alerted_once(
    people, make_user, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.LPSE_SERVER_ROOM_DAY_END_HOUR = 17
    network = make_user(Role.TECH_NETWORK)
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        permit = approved(people, hours=12)
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        inside = check_in(people, permit)
        left = check_in(people, permit, SITI.id_number)
        services.visit_check_out(actor=people["engineer"], visit=left)
    # 16:59 WITA: not the end of the day yet.
    with time_machine.travel(MORNING + timedelta(hours=7, minutes=59), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert report.open_visits_alert() == []
    with time_machine.travel(MORNING + timedelta(hours=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert report.open_visits_alert() == [inside.pk]
    for person in (people["engineer"], people["escort"], network, people["head"]):
        mail = smtp_server.wait_for(person.email, "masih berada di dalam setelah pukul 17:00 WITA")
        body = smtp_server.body(mail)
        assert "Andi Rahman (PT Telkom Maros), di dalam sejak 03-03-2025 10:00 WITA" in body
        assert "Siti Aminah" not in body
    assert smtp_server.to(people["requester"].email) == []  # no recorder, no approver
    with time_machine.travel(MORNING + timedelta(hours=8, minutes=15), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert report.open_visits_alert() == []
    with time_machine.travel(MORNING + timedelta(days=1, hours=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert report.open_visits_alert() == []
    assert len(smtp_server.to(people["head"].email)) == 1
    assert actions().count("operations.server_room.open_alert") == 1


def test_R_4_2_the_log_of_a_period_is_a_signed_verifiable_pdf(people, client):
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        permit = approved(people)
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        visit = check_in(people, permit)
    with time_machine.travel(MORNING + timedelta(hours=3), tick=False):
        services.visit_check_out(actor=people["engineer"], visit=visit)
    client.force_login(people["head"])
    url = reverse("operations:server_room_log_pdf")
    bad = client.get(url, {"start": "2025-03-31", "end": "2025-03-01"})
    assert bad.status_code == 200 and "The period must end on or after" in bad.content.decode()
    response = client.get(url, {"start": "2025-03-01", "end": "2025-03-31"})
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    check = document_check(data)
    assert check.authentic and check.document["kind"] == "server_room_log"
    pdf_log_proof_check(data, public_key_pem())  # the audit event, proven in the log
    issued = AuditEvent.objects.get(action="operations.server_room.log_issue")
    assert issued.data["visits"] == 1 and issued.data["from"] == "2025-03-01"
    # The public verification page says the same of this copy.
    verify = client.post("/verifikasi-dokumen/", {"document": _upload(data)})
    assert "Authentic" in verify.content.decode()
    assert document_check(data[:-1] + b"x").verdict != "authentic"


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("buku-tamu.pdf", data, content_type="application/pdf")


def test_R_4_2_the_period_visits_are_those_begun_in_it_wita_days(people):
    with time_machine.travel(MORNING - timedelta(days=1), tick=False):
        permit = approved(people, hours=30)
    # 23:30 WITA on 3 March is 15:30 UTC: a visit of the 3rd, not of the 4th.
    with time_machine.travel(datetime(2025, 3, 3, 15, 30, tzinfo=UTC), tick=False):
        check_in(people, permit)
    assert report.period_visits(date(2025, 3, 3), date(2025, 3, 3)).count() == 1
    assert report.period_visits(date(2025, 3, 4), date(2025, 3, 4)).count() == 0
