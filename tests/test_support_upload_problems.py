"""R-3.4 / annex 3.4: a provider who cannot upload reports it to the helpdesk; the LPSE admin
reproduces it from the upload attempts the server recorded (never from the provider's password),
may look at a consented, time-limited, audited read-only support view, then tells the provider to
retry or escalates to LKPP; each step is timed against the annex (R-3.6)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.bids.services import submission
from lpse.core.calendar import to_wita
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, StepTiming
from lpse.core.standard_times import Procedure
from lpse.problems import selectors
from lpse.problems.forms import ProblemReportForm
from lpse.problems.models import Escalation, SupportConsent, UploadProblem
from lpse.problems.services import upload_problems as services
from tests.bid_fixtures import DURING_BIDDING, seal, submit

pytestmark = pytest.mark.django_db

T0 = DURING_BIDDING + timedelta(hours=1)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def attempts(bidding):
    """Three recorded uploads of the provider: an accepted bid, a file that is not an encrypted
    bid (refused, with its error), and one that stalled after the first bytes."""
    provider, tender = bidding.provider, bidding.tender
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(provider, tender, seal(bidding.recipient, tender.code))
    with time_machine.travel(DURING_BIDDING + timedelta(minutes=10), tick=False):
        bad = submission.upload_start(actor=provider, tender=tender, length=400, client=FIREFOX)
        with pytest.raises(DomainError, match="not an encrypted bid"):
            submission.upload_append(
                actor=provider, upload=bad, offset=0, stream=io.BytesIO(b"x" * 400), length=400
            )
    with time_machine.travel(DURING_BIDDING + timedelta(minutes=20), tick=False):
        stalled = submission.upload_start(
            actor=provider, tender=tender, length=5_000_000, client="Chrome/126"
        )
        submission.upload_append(
            actor=provider,
            upload=stalled,
            offset=0,
            stream=io.BytesIO(b"age-encryption.org/v1\n" + b"y" * 1000),
            length=1022,
        )
    return bid, bad, stalled


def report(bidding, text="Unggah berhenti di 20% lalu muncul pesan galat.", at=T0):
    with time_machine.travel(at, tick=False):
        return services.problem_report(
            actor=bidding.provider, description=text, tender=bidding.tender
        )


def test_R_3_4_the_provider_reports_and_the_admin_sees_the_recorded_attempts(
    bidding, attempts, make_user, client
):
    _bid, bad, stalled = attempts
    client.force_login(bidding.provider)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            "/penyedia/masalah-unggah/",
            {"tender": bidding.tender.pk, "description": "Unggah gagal terus di Firefox."},
        )
    problem = UploadProblem.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/penyedia/masalah-unggah/{problem.pk}/"
    )
    assert problem.company == bidding.provider.company and problem.state == "reported"
    assert AuditEvent.objects.filter(action="upload_problem.report").count() == 1

    admin = make_user(Role.APP_ADMIN)
    client.force_login(admin)
    page = client.get(f"/admin-lpse/masalah-unggah/{problem.pk}/").content.decode()
    # time, size, type, outcome, error, client of each attempt
    assert "Unggah gagal terus di Firefox." in page
    assert "bid envelope (age)" in page and bidding.tender.code in page
    assert "Refused" in page and "this file is not an encrypted bid" in page
    assert "Firefox/128.0" in page and "Chrome/126" in page
    assert "5,000,000 B" in page and "1,022 B" in page  # stalled: size and how far it got
    assert "Accepted as a bid" in page and "Receiving" in page
    assert f"{to_wita(bad.created_at):%d-%m-%Y %H:%M:%S}" in page  # when, by server time
    assert f"{to_wita(stalled.updated_at):%d-%m-%Y %H:%M:%S}" in page
    # and the desk lists the case
    assert (
        f"/admin-lpse/masalah-unggah/{problem.pk}/"
        in client.get("/admin-lpse/masalah-unggah/").content.decode()
    )


def test_R_3_4_no_form_asks_for_a_password_and_a_pasted_one_is_not_stored(bidding, client):
    form = ProblemReportForm(company=bidding.provider.company)
    assert set(form.fields) == {"tender", "description"}
    assert not any(
        word in name for name in form.fields for word in ("password", "sandi", "key", "pin")
    )
    client.force_login(bidding.provider)
    page = client.get("/penyedia/masalah-unggah/").content.decode()
    assert 'type="password"' not in page
    assert "will never ask for your password" in page
    response = client.post(
        "/penyedia/masalah-unggah/", {"description": "Tidak bisa unggah. Password: Rahasia-123"}
    )
    assert response.status_code == 200
    assert "LPSE never needs a password or a key" in response.content.decode()
    with pytest.raises(DomainError, match="an age secret key"):
        services.problem_report(
            actor=bidding.provider,
            description="kunci saya AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
        )
    assert not UploadProblem.objects.exists()


def test_R_3_4_the_support_view_needs_consent_expires_and_is_audited_view_by_view(
    bidding, attempts, make_user, client
):
    problem = report(bidding)
    admin = make_user(Role.APP_ADMIN)
    url = f"/admin-lpse/masalah-unggah/{problem.pk}/tampilan-dukungan/"
    client.force_login(admin)

    # Without consent: refused, with the reason, and nothing to audit.
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        refused = client.get(url)
    assert refused.status_code == 403
    assert "has not consented" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="support.view").exists()

    # The provider consents from their case page, for 60 minutes.
    client.force_login(bidding.provider)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        client.post(f"/penyedia/masalah-unggah/{problem.pk}/tindak/", {"action": "consent"})
    consent = SupportConsent.objects.get()
    assert (
        consent.expires_at - consent.granted_at
        == timedelta(minutes=services.SUPPORT_VIEW_CONSENT_MINUTES)
        == timedelta(minutes=60)
    )

    client.force_login(admin)
    for minute in (5, 30):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            page = client.get(url)
        assert page.status_code == 200
    html = page.content.decode()
    company = bidding.provider.company
    assert company.name in html and company.npwp_display in html and "Verified" in html
    assert bidding.tender.code in html  # participation, bid window, uploads
    assert "this file is not an encrypted bid" in html  # upload attempts
    bid = attempts[0]
    assert bid.envelope.sha256 in html  # receipts: fingerprints only
    assert bidding.provider.password not in html and "argon2" not in html
    assert (
        "AGE-SECRET-KEY" not in html and "<form" not in html.split("<main>")[1].split("</main>")[0]
    )
    views = AuditEvent.objects.filter(action="support.view")
    assert views.count() == 2
    assert {e.actor_id for e in views} == {admin.pk}
    assert all(e.data["consent"] == consent.pk for e in views)

    # The provider sees who looked.
    client.force_login(bidding.provider)
    own = client.get(f"/penyedia/masalah-unggah/{problem.pk}/").content.decode()
    assert own.count(admin.username) == 2

    # After 60 minutes the consent has expired.
    client.force_login(admin)
    with time_machine.travel(T0 + timedelta(minutes=62), tick=False):
        expired = client.get(url)
    assert expired.status_code == 403 and "consent expired" in expired.content.decode()
    assert AuditEvent.objects.filter(action="support.view").count() == 2


def test_R_3_4_a_revoked_consent_closes_the_support_view(bidding, make_user, client):
    problem = report(bidding)
    admin = make_user(Role.SYSADMIN)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        services.consent_grant(actor=bidding.provider, problem=problem)
        assert services.support_view_open(actor=admin, problem=problem)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        client.force_login(bidding.provider)
        client.post(f"/penyedia/masalah-unggah/{problem.pk}/tindak/", {"action": "revoke"})
        assert selectors.active_consent(problem) is None
        with pytest.raises(DomainError, match="revoked their consent") as refused:
            services.support_view_open(actor=admin, problem=problem)
        assert refused.value.code == "no_consent"
        client.force_login(admin)
        response = client.get(f"/admin-lpse/masalah-unggah/{problem.pk}/tampilan-dukungan/")
        assert response.status_code == 403 and "revoked their consent" in response.content.decode()
    # The helpdesk (no upload-problem capability) never gets in, even with consent.
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
        services.consent_grant(actor=bidding.provider, problem=problem)
        with pytest.raises(DomainError, match="not allowed"):
            services.support_view_open(actor=make_user(Role.HELPDESK), problem=problem)
    actions = list(
        AuditEvent.objects.filter(action__startswith="support.").values_list("action", flat=True)
    )
    assert actions == [
        "support.consent_grant",
        "support.view",
        "support.consent_revoke",
        "support.consent_grant",
    ]


def test_R_3_4_a_provider_sees_only_its_own_cases(bidding, make_user, client):
    problem = report(bidding)
    other = make_user(Role.PROVIDER, username="cv-lain")
    from lpse.providers.models import Company

    Company.objects.create(
        user=other,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Lain Jaya",
        npwp="099999999999000",
        nib="1",
        address="Jl. Lain",
        city="Maros",
        phone="1",
        email=other.email,
        director_name="Lain",
        registered_at=T0,
        verify_by=T0,
        forms_ref="ref-lain",
    )
    other.refresh_from_db()
    assert list(selectors.problems_of(other.company)) == []
    client.force_login(other)
    assert problem.description not in client.get("/penyedia/masalah-unggah/").content.decode()
    assert client.get(f"/penyedia/masalah-unggah/{problem.pk}/").status_code == 404
    response = client.post(f"/penyedia/masalah-unggah/{problem.pk}/tindak/", {"action": "consent"})
    assert response.status_code == 404
    with pytest.raises(DomainError, match="no such case"):
        services.consent_grant(actor=other, problem=problem)
    assert not SupportConsent.objects.exists()
    client.force_login(bidding.provider)
    assert client.get(f"/penyedia/masalah-unggah/{problem.pk}/").status_code == 200


def test_R_3_4_the_order_of_the_procedure_is_kept(bidding, make_user):
    admin = make_user(Role.APP_ADMIN)
    problem = report(bidding)
    with pytest.raises(DomainError, match="cannot advise a retry"):
        services.problem_advise_retry(
            actor=admin, problem=problem, advice="Coba lagi", diagnosis="x"
        )
    with pytest.raises(DomainError, match="not allowed"):
        services.problem_take(actor=make_user(Role.HELPDESK), problem=problem)
    services.problem_take(actor=admin, problem=problem)
    with pytest.raises(DomainError, match="cannot take this case"):
        services.problem_take(actor=admin, problem=problem)
    with pytest.raises(DomainError, match="Record what you found"):
        services.problem_advise_retry(actor=admin, problem=problem, advice="Coba lagi")
    escalation = services.problem_escalate(
        actor=admin, problem=problem, diagnosis="Unggahan berhenti di server: galat 507."
    )
    problem.refresh_from_db()
    assert problem.state == "escalated" and escalation.upload_problem == problem
    assert escalation.source == Escalation.Source.UPLOAD_PROBLEM
    # After escalation: no retry advice, no second escalation, the provider cannot close it.
    with pytest.raises(DomainError, match="cannot advise a retry"):
        services.problem_advise_retry(actor=admin, problem=problem, advice="Coba lagi")
    with pytest.raises(DomainError, match="cannot escalate"):
        services.problem_escalate(actor=admin, problem=problem)
    with pytest.raises(DomainError, match="cannot close the case"):
        services.problem_resolve(actor=bidding.provider, problem=problem)
    with pytest.raises(DomainError, match="reopened"):
        services.problem_retry_failed(actor=bidding.provider, problem=problem, note="masih gagal")
    services.problem_resolve(actor=admin, problem=problem, resolution="Diperbaiki LKPP.")
    problem.refresh_from_db()
    assert problem.state == "resolved"
    # Closing an escalated case ends its escalation step.
    assert StepTiming.objects.get(
        procedure=Procedure.UPLOAD_PROBLEM, step="escalation", subject_id=str(problem.pk)
    ).ended_at
    with pytest.raises(DomainError, match="resolved"):
        services.consent_grant(actor=bidding.provider, problem=problem)


def test_R_3_4_a_retry_that_fails_goes_back_to_the_admin_and_one_that_works_closes_it(
    bidding, make_user, client
):
    admin = make_user(Role.APP_ADMIN)
    problem = report(bidding)
    services.problem_take(actor=admin, problem=problem)
    services.problem_advise_retry(
        actor=admin,
        problem=problem,
        diagnosis="Tidak ada galat di server; koneksi terputus.",
        advice="Gunakan koneksi kabel dan unggah lagi; unggahan dilanjutkan dari bagian terakhir.",
    )
    client.force_login(bidding.provider)
    page = client.get(f"/penyedia/masalah-unggah/{problem.pk}/").content.decode()
    assert "Gunakan koneksi kabel" in page and "Provider advised to retry" in page
    client.post(
        f"/penyedia/masalah-unggah/{problem.pk}/tindak/",
        {"action": "retry_failed", "note": "Masih berhenti di 20%."},
    )
    problem.refresh_from_db()
    assert problem.state == "reproducing" and problem.retry_failed_note == "Masih berhenti di 20%."
    services.problem_advise_retry(actor=admin, problem=problem, advice="Coba peramban lain.")
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        services.consent_grant(actor=bidding.provider, problem=problem)
    client.post(f"/penyedia/masalah-unggah/{problem.pk}/tindak/", {"action": "resolved"})
    problem.refresh_from_db()
    assert problem.state == "resolved" and problem.resolved_by == bidding.provider
    # The support view closes with the case.
    assert selectors.active_consent(problem) is None


def test_R_3_6_the_steps_of_an_upload_problem_are_timed(bidding, make_user, client):
    admin = make_user(Role.APP_ADMIN)
    problem = report(bidding, at=T0)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        services.problem_take(actor=admin, problem=problem)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        services.problem_diagnose(actor=admin, problem=problem, diagnosis="Koneksi terputus.")
    with time_machine.travel(T0 + timedelta(minutes=28), tick=False):
        services.problem_advise_retry(actor=admin, problem=problem, advice="Unggah lagi.")
    timings = {
        t.step: t
        for t in StepTiming.objects.filter(
            procedure=Procedure.UPLOAD_PROBLEM, subject_id=str(problem.pk)
        )
    }
    assert set(timings) == {"reproduce", "retry_advice"}
    assert timings["reproduce"].ended_at - timings["reproduce"].started_at == timedelta(minutes=20)
    assert timings["retry_advice"].ended_at - timings["retry_advice"].started_at == timedelta(
        minutes=8
    )
    assert timings["retry_advice"].actor == admin
    client.force_login(admin)
    page = client.get(f"/admin-lpse/masalah-unggah/{problem.pk}/").content.decode()
    assert "Admin reproduces the problem: 20 min (within the standard, 15–30 min)" in page
    assert "Tell the provider to retry: 8 min (over the standard, 0–5 min)" in page
    assert "Escalate to LKPP: not done yet" in page


def test_the_case_shows_its_helpdesk_ticket(bidding, make_user, client):
    from django.utils import timezone

    from lpse.servicedesk.models import Ticket

    admin = make_user(Role.APP_ADMIN)
    problem = report(bidding)
    ticket = Ticket.objects.create(
        number="HD-2026-00042",
        channel="online",
        category="upload_problem",
        requester=bidding.provider,
        requester_name="Andi",
        requester_role="provider",
        subject="Tidak bisa unggah",
        question="Unggahan gagal",
        received_at=timezone.now(),
        access_nonce="n",
    )
    with pytest.raises(DomainError, match="no helpdesk ticket"):
        services.problem_link_ticket(actor=admin, problem=problem, number="HD-2026-99999")
    client.force_login(admin)
    client.post(
        f"/admin-lpse/masalah-unggah/{problem.pk}/tindak/",
        {"action": "ticket", "number": "hd-2026-00042"},
    )
    problem.refresh_from_db()
    assert problem.ticket == ticket
    assert (
        "HD-2026-00042" in client.get(f"/admin-lpse/masalah-unggah/{problem.pk}/").content.decode()
    )
    client.force_login(bidding.provider)
    assert "HD-2026-00042" in client.get(f"/penyedia/masalah-unggah/{problem.pk}/").content.decode()


def test_R_3_4_providers_and_staff_find_the_pages_from_their_account(bidding, make_user, client):
    client.force_login(bidding.provider)
    home = client.get("/akun/").content.decode()
    assert 'href="/penyedia/masalah-unggah/"' in home
    with time_machine.travel(DURING_BIDDING, tick=False):
        client.force_login(bidding.provider)
        submit_page = client.get(f"/tender/{bidding.tender.code}/penawaran/").content.decode()
    assert 'href="/penyedia/masalah-unggah/"' in submit_page
    client.force_login(make_user(Role.APP_ADMIN))
    home = client.get("/akun/").content.decode()
    assert 'href="/admin-lpse/masalah-unggah/"' in home
    assert 'href="/admin-lpse/eskalasi-lkpp/"' in home
    client.force_login(make_user(Role.HELPDESK))
    assert "/admin-lpse/masalah-unggah/" not in client.get("/akun/").content.decode()


def test_R_2_1_a_reported_upload_problem_is_a_helpdesk_ticket_of_its_kind(bidding):
    """The helpdesk records every request: the report arrives as an online ticket in the
    "upload problem" category, which the provider follows under its own tickets."""
    problem = report(bidding)
    ticket = problem.ticket
    assert ticket is not None and ticket.category == "upload_problem"
    assert ticket.channel == "online" and ticket.requester == bidding.provider
    assert bidding.tender.code in ticket.subject and "20%" in ticket.question
