"""Provider registration and verification rules (SPEC 1: R-1.1 … R-1.7), service level.

The browser test in tests/browser walks the same flow through the pages; these tests pin every
rule and every bad input, each with the message a person reads and nothing half-created.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from lpse.accounts.models import PasswordLink, User
from lpse.accounts.roles import Role
from lpse.catalog.models import BusinessSubField
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.providers.models import Company, RegistrationInvite, Verification, VerificationItem
from lpse.providers.services import registration as services

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> services.RegistrationData:
    data = {
        "legal_form": "cv",
        "name": "Sinar Maros",
        "npwp": "01.234.567.8-901.000",
        "nib": "9120001234567",
        "address": "Jl. Ratulangi 5",
        "city": "Maros",
        "phone": "0411-371000",
        "director_name": "Andi Tenri",
        "user_id": "sinarmaros",
        "sub_field_ids": [BusinessSubField.objects.get(code="K01").pk],
    }
    data.update(overrides)
    return services.RegistrationData(**data)


def register(email="direktur@sinar.test", **overrides) -> Company:
    token = services.registration_start(email=email)
    return services.registration_submit(token=token, data=form_data(**overrides))


def all_complete(company=None):
    return [
        services.CheckResult(item.pk, True) for item in VerificationItem.objects.filter(active=True)
    ]


# --- e-mail and one-time link -------------------------------------------------------------


def test_R_1_1_registration_starts_by_emailing_a_one_time_link(
    reference_data, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = services.registration_start(email="  Direktur@Sinar.TEST ")
    invite = RegistrationInvite.objects.get()
    assert invite.email == "direktur@sinar.test"
    assert invite.digest != token and token not in invite.digest  # only the digest is kept
    delivered = smtp_server.wait_for("direktur@sinar.test", "registration link")
    assert f"/daftar/isi/{token}/" in smtp_server.body(delivered)
    assert "X-LPSE" not in str(delivered)  # the log's marker never leaves the server
    # The administrators' mail log keeps the message but not the link: whoever could read it
    # could register in the company's name.
    logged = SentEmail.objects.get()
    assert logged.to == "direktur@sinar.test" and token not in logged.body
    assert "[one-time link: sent, not kept in the log]" in logged.body


def test_R_1_1_the_demo_outbox_keeps_the_link_so_a_newcomer_can_follow_it(
    reference_data, settings, django_capture_on_commit_callbacks
):
    settings.LPSE_DEMO = True
    with django_capture_on_commit_callbacks(execute=True):
        token = services.registration_start(email="direktur@sinar.test")
    assert f"/daftar/isi/{token}/" in SentEmail.objects.get().body


@pytest.mark.parametrize("bad", ["", "direktur", "direktur@", "a b@c.d", "@sinar.test"])
def test_R_1_1_a_malformed_email_is_refused_and_nothing_is_created(reference_data, bad):
    with pytest.raises(DomainError) as err:
        services.registration_start(email=bad)
    assert err.value.field == "email"
    assert "not a valid e-mail address" in str(err.value)
    assert not RegistrationInvite.objects.exists() and not SentEmail.objects.exists()


def test_R_1_1_an_address_with_a_pending_link_is_told_when_it_was_sent(reference_data):
    services.registration_start(email="direktur@sinar.test")
    with pytest.raises(DomainError, match="already sent to this address"):
        services.registration_start(email="direktur@sinar.test")
    assert RegistrationInvite.objects.count() == 1


def test_R_1_1_an_address_awaiting_verification_cannot_register_again(reference_data):
    register()
    with pytest.raises(DomainError, match="waiting for verification until"):
        services.registration_start(email="direktur@sinar.test")


def test_R_1_1_an_address_of_a_verified_provider_cannot_register_again(reference_data, make_user):
    company = register()
    services.verification_decide(
        actor=make_user(Role.VERIFIER), company=company, checks=all_complete(), outcome="complete"
    )
    with pytest.raises(DomainError, match="already registered to a verified provider"):
        services.registration_start(email="direktur@sinar.test")


def test_R_1_1_a_reused_link_is_refused_without_creating_anything(reference_data):
    token = services.registration_start(email="direktur@sinar.test")
    services.registration_submit(token=token, data=form_data())
    with pytest.raises(DomainError, match="already been used") as err:
        services.registration_submit(
            token=token, data=form_data(user_id="other", npwp="02.345.678.9-012.000")
        )
    assert err.value.code == "used_link"
    assert Company.objects.count() == 1 and User.objects.filter(username="other").count() == 0


def test_R_1_1_an_expired_link_is_refused(reference_data):
    token = services.registration_start(email="direktur@sinar.test")
    with (
        time_machine.travel(timezone.now() + timedelta(hours=49)),
        pytest.raises(DomainError, match="expired") as err,
    ):
        services.registration_submit(token=token, data=form_data())
    assert err.value.code == "expired_link"
    assert not Company.objects.exists()


def test_R_1_1_an_unknown_link_is_refused(reference_data):
    with pytest.raises(DomainError, match="not valid"):
        services.registration_invite_check("made-up-token")


# --- the form --------------------------------------------------------------------------------


def test_R_1_3_submitting_the_form_creates_an_inactive_account_and_emails_the_user_id(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        company = register()
    assert company.state == Company.State.AWAITING_VERIFICATION
    assert company.npwp == "012345678901000" and company.npwp_display == "01.234.567.8-901.000"
    user = company.user
    assert user.username == "sinarmaros" and not user.is_active and not user.has_usable_password()
    assert user.has_role(Role.PROVIDER)
    mail = SentEmail.objects.filter(subject__contains="User ID").get()
    assert "sinarmaros" in mail.body and "NPWP perusahaan" in mail.body  # the checklist is in it
    assert AuditEvent.objects.filter(
        action="registration.submit", object_id=str(company.pk)
    ).exists()


@pytest.mark.parametrize(
    ("npwp", "message"),
    [
        ("", "Enter the company's tax number"),
        ("01.234.567.8-901", "15 digits"),
        ("01.234.567.8-901.000.12", "15 digits"),
        ("NPWP 0123456789", "only digits, dots and dashes"),
        ("00.000.000.0-000.000", "all zeros"),
    ],
)
def test_R_1_3_missing_or_malformed_npwp_is_refused_and_the_link_stays_usable(
    reference_data, npwp, message
):
    token = services.registration_start(email="direktur@sinar.test")
    with pytest.raises(DomainError, match=message) as err:
        services.registration_submit(token=token, data=form_data(npwp=npwp))
    assert err.value.field == "npwp"
    assert not Company.objects.exists() and not User.objects.filter(username="sinarmaros").exists()
    # Nothing was lost: the same link still works once the NPWP is corrected.
    company = services.registration_submit(token=token, data=form_data())
    assert company.pk


def test_R_1_3_the_16_digit_npwp_is_accepted(reference_data):
    assert register(npwp="7371 0123 4567 8901").npwp == "7371012345678901"


def test_R_1_3_a_taken_user_id_is_refused_and_the_link_stays_usable(reference_data, make_user):
    make_user(Role.PPK, username="sinarmaros")
    token = services.registration_start(email="direktur@sinar.test")
    with pytest.raises(DomainError, match="already taken") as err:
        services.registration_submit(token=token, data=form_data())
    assert err.value.field == "user_id"
    assert not Company.objects.exists()
    assert (
        services.registration_submit(
            token=token, data=form_data(user_id="sinar.maros")
        ).user.username
        == "sinar.maros"
    )


@pytest.mark.parametrize("user_id", ["ab", "Sinar Maros", "-sinar", "x" * 31, "sinar/maros"])
def test_R_1_3_a_malformed_user_id_is_refused(reference_data, user_id):
    token = services.registration_start(email="direktur@sinar.test")
    with pytest.raises(DomainError, match="4–30 characters"):
        services.registration_submit(token=token, data=form_data(user_id=user_id))


def test_R_1_3_a_second_company_with_the_same_npwp_is_refused(reference_data):
    register()
    token = services.registration_start(email="lain@sinar.test")
    with pytest.raises(DomainError, match="NPWP is already registered"):
        services.registration_submit(token=token, data=form_data(user_id="lain"))


def test_R_1_3_at_least_one_business_sub_field_is_required(reference_data):
    token = services.registration_start(email="direktur@sinar.test")
    with pytest.raises(DomainError, match="business sub-field"):
        services.registration_submit(token=token, data=form_data(sub_field_ids=[]))


# --- verification -------------------------------------------------------------------------------


def test_R_1_5_complete_verification_activates_by_a_set_password_link_never_a_password(
    reference_data, make_user, django_capture_on_commit_callbacks
):
    company = register()
    verifier = make_user(Role.VERIFIER)
    with django_capture_on_commit_callbacks(execute=True):
        verification = services.verification_decide(
            actor=verifier, company=company, checks=all_complete(), outcome="complete"
        )
    company.refresh_from_db()
    assert company.state == Company.State.VERIFIED
    assert verification.checks.count() == VerificationItem.objects.filter(active=True).count()
    link = PasswordLink.objects.get(user=company.user, purpose=PasswordLink.Purpose.ACTIVATION)
    assert link.used_at is None and link.expires_at > timezone.now()
    mail = SentEmail.objects.filter(to=company.email, subject__contains="set your password").get()
    assert (
        "[one-time link: sent, not kept in the log]" in mail.body
    )  # never a usable link in the log
    assert not company.user.has_usable_password()  # nothing to hand out, nothing in clear
    # who verified what and when
    event = AuditEvent.objects.get(action="verification.complete")
    assert event.actor == verifier and event.object_id == str(company.pk)
    assert all(event.data["checks"].values())


def test_R_1_5_rejection_needs_reasons_and_emails_them(
    reference_data, make_user, django_capture_on_commit_callbacks
):
    company = register()
    verifier = make_user(Role.VERIFIER)
    checks = all_complete()
    checks[0] = services.CheckResult(checks[0].item_id, False, "akta tidak dibawa")
    with pytest.raises(DomainError, match="Give the reasons"):
        services.verification_decide(
            actor=verifier, company=company, checks=checks, outcome="rejected"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_decide(
            actor=verifier,
            company=company,
            checks=checks,
            outcome="rejected",
            reason="Akta pendirian tidak ada",
        )
    company.refresh_from_db()
    assert company.state == Company.State.REJECTED
    mail = SentEmail.objects.get(subject__contains="not accepted")
    assert "Akta pendirian tidak ada" in mail.body and "akta tidak dibawa" in mail.body


def test_R_1_5_a_file_with_a_missing_item_cannot_be_marked_complete(reference_data, make_user):
    company = register()
    checks = all_complete()
    checks[-1] = services.CheckResult(checks[-1].item_id, False)
    with pytest.raises(DomainError, match="every item is present"):
        services.verification_decide(
            actor=make_user(Role.VERIFIER), company=company, checks=checks, outcome="complete"
        )
    assert not Verification.objects.exists()


def test_R_1_5_every_checklist_item_needs_a_result(reference_data, make_user):
    company = register()
    with pytest.raises(DomainError, match="every checklist item"):
        services.verification_decide(
            actor=make_user(Role.VERIFIER),
            company=company,
            checks=all_complete()[:2],
            outcome="complete",
        )


@pytest.mark.parametrize(
    "role", [Role.HELPDESK, Role.APP_ADMIN, Role.PROVIDER, Role.AUDITOR, Role.SYSADMIN]
)
def test_R_1_5_verification_by_a_non_verifier_is_refused(reference_data, make_user, role):
    company = register()
    with pytest.raises(DomainError, match="not allowed") as err:
        services.verification_decide(
            actor=make_user(role), company=company, checks=all_complete(), outcome="complete"
        )
    assert err.value.code == "forbidden"
    company.refresh_from_db()
    assert company.state == Company.State.AWAITING_VERIFICATION
    assert not Verification.objects.exists() and not PasswordLink.objects.exists()


def test_R_1_5_a_decided_registration_cannot_be_decided_again(reference_data, make_user):
    company = register()
    verifier = make_user(Role.VERIFIER)
    services.verification_decide(
        actor=verifier, company=company, checks=all_complete(), outcome="complete"
    )
    with pytest.raises(DomainError, match="no longer waiting"):
        services.verification_decide(
            actor=verifier, company=company, checks=all_complete(), outcome="rejected", reason="x"
        )


def test_R_1_5_the_checklist_is_configurable_and_a_withdrawn_item_is_not_asked(
    reference_data, make_user
):
    admin = make_user(Role.APP_ADMIN)
    extra = services.verification_item_save(actor=admin, label="Surat keterangan domisili", order=9)
    company = register()
    verifier = make_user(Role.VERIFIER)
    with pytest.raises(DomainError, match="Surat keterangan domisili"):
        services.verification_decide(
            actor=verifier,
            company=company,
            checks=[c for c in all_complete() if c.item_id != extra.pk],
            outcome="complete",
        )
    services.verification_item_save(actor=admin, item=extra, label=extra.label, active=False)
    services.verification_decide(
        actor=verifier,
        company=company,
        checks=[c for c in all_complete() if c.item_id != extra.pk],
        outcome="complete",
    )
    with pytest.raises(DomainError, match="not allowed"):
        services.verification_item_save(actor=verifier, label="x")


# --- expiry over Indonesian working days -----------------------------------------------------


def at_wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


def test_R_1_4_the_deadline_counts_seven_working_days_skipping_nyepi_and_eid_leave(reference_data):
    """Registered Monday 16 March 2026. Not working days: 18 Mar (Nyepi collective leave), 19 Mar
    (Nyepi), 20 Mar (Eid collective leave), 21–22 Mar (Eid al-Fitr, weekend), 23–24 Mar (Eid
    collective leave). Working days after the 16th: 17, 25, 26, 27, 30, 31 Mar, 1 Apr → the
    seventh is Wednesday 1 April; the registration may be verified until the end of that day."""
    with time_machine.travel(at_wita(2026, 3, 16, 10, 0), tick=False):
        company = register()
    assert company.verify_by == at_wita(2026, 4, 2, 0, 0)
    verifier_day = at_wita(2026, 4, 1, 14, 59)
    with time_machine.travel(verifier_day, tick=False):
        assert not company.is_overdue


def test_R_1_4_an_extra_regional_holiday_moves_the_deadline(reference_data, make_user):
    from lpse.core.services import non_working_day_add

    non_working_day_add(
        actor=make_user(Role.APP_ADMIN),
        day=datetime(2026, 3, 26).date(),
        reason="Hari jadi Kabupaten Maros (contoh)",
    )
    with time_machine.travel(at_wita(2026, 3, 16, 10, 0), tick=False):
        company = register()
    assert company.verify_by == at_wita(2026, 4, 3, 0, 0)  # Thursday 2 April is now the 7th


def test_R_1_4_verification_after_expiry_is_refused_and_the_expiry_job_notifies(
    reference_data, make_user, django_capture_on_commit_callbacks
):
    with time_machine.travel(at_wita(2026, 3, 16, 10, 0), tick=False):
        company = register()
    verifier = make_user(Role.VERIFIER)
    with time_machine.travel(at_wita(2026, 4, 2, 9, 0), tick=False):
        # The rule holds from the clock even before the expiry job has run (DESIGN rule 3).
        with pytest.raises(DomainError, match="expired on"):
            services.verification_decide(
                actor=verifier, company=company, checks=all_complete(), outcome="complete"
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.registrations_expire_due() == 1
            assert services.registrations_expire_due() == 0  # once only
    company.refresh_from_db()
    assert company.state == Company.State.EXPIRED
    assert SentEmail.objects.filter(subject__contains="expired", to=company.email).count() == 1


def test_R_1_4_an_expired_registration_can_be_restarted_keeping_its_history(
    reference_data, make_user
):
    with time_machine.travel(at_wita(2026, 3, 16, 10, 0), tick=False):
        company = register()
    with time_machine.travel(at_wita(2026, 4, 6, 10, 0), tick=False):
        services.registrations_expire_due()
        restarted = register(name="Sinar Maros Baru")
    assert restarted.pk == company.pk and restarted.user_id == company.user_id
    assert restarted.state == Company.State.AWAITING_VERIFICATION
    assert restarted.verify_by == at_wita(2026, 4, 16, 0, 0)
    assert list(
        AuditEvent.objects.filter(
            object_id=str(company.pk), object_type="providers.company"
        ).values_list("action", flat=True)
    ) == ["registration.submit", "registration.expire", "registration.restart"]


def test_R_1_4_the_requirements_and_walk_in_hours_are_published(client, reference_data):
    page = client.get("/persyaratan-verifikasi/").content.decode()
    assert "09:00–15:00 WITA" in page
    for item in VerificationItem.objects.filter(active=True):
        assert item.label in page


# --- forms as PDF, R-1.6 warnings --------------------------------------------------------------


def test_R_1_2_both_forms_download_as_pdf_blank_and_filled(client, reference_data):
    for kind in ("pendaftaran", "keikutsertaan"):
        blank = client.get(f"/daftar/formulir/{kind}.pdf")
        assert blank.status_code == 200 and blank["Content-Type"] == "application/pdf"
        assert blank.content.startswith(b"%PDF")
    company = register()
    filled = client.get(f"/daftar/selesai/{company.forms_ref}/pendaftaran.pdf")
    assert filled.status_code == 200 and filled.content.startswith(b"%PDF")
    assert client.get("/daftar/selesai/not-a-ref/pendaftaran.pdf").status_code == 404


def test_R_1_6_the_registration_page_warns_about_the_email_and_incomplete_documents(
    client, reference_data
):
    page = client.get("/daftar/").content.decode()
    assert "must be active" in page and "Incomplete documents delay verification" in page


def test_R_1_6_the_registration_page_keeps_the_typed_address_on_error(client, reference_data):
    response = client.post("/daftar/", {"email": "direktur@", "email_control": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "not a valid e-mail address" in page
    assert 'value="direktur@"' in page
