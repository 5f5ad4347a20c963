"""R-1.4 walk-in verification hours: working days 09:00–15:00 WITA. A counter visit recorded
outside them needs the verifier's reason, kept in the record; the registration deadline is shown
to the provider as a day "during service hours", never as the midnight it is stored as."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.catalog.models import BusinessSubField
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.providers.models import Company, Verification, VerificationItem
from lpse.providers.services import registration as services

pytestmark = pytest.mark.django_db

# Registered Monday 16 March 2026: the seventh working day is Wednesday 1 April (Nyepi and Eid
# leave in between, tests/test_provider_registration.py), stored as midnight 2 April WITA.
REGISTERED = datetime(2026, 3, 16, 10, 0, tzinfo=WITA)
LAST_DAY = "Wednesday, 1 April 2026"


@pytest.fixture(autouse=True)
def _walk_in_hours(settings):
    settings.LPSE_VERIFICATION_HOURS = "09:00-15:00"  # the default, which conftest turns off


def register(email="direktur@sinar.test") -> Company:
    token = services.registration_start(email=email)
    data = services.RegistrationData(
        legal_form="cv",
        name="Sinar Maros",
        npwp="01.234.567.8-901.000",
        nib="9120001234567",
        address="Jl. Ratulangi 5",
        city="Maros",
        phone="0411-371000",
        director_name="Andi Tenri",
        user_id="sinarmaros",
        sub_field_ids=[BusinessSubField.objects.get(code="K01").pk],
    )
    return services.registration_submit(token=token, data=data)


def complete() -> list[services.CheckResult]:
    return [services.CheckResult(i.pk, True) for i in VerificationItem.objects.filter(active=True)]


@pytest.fixture
def waiting(reference_data) -> Company:
    with time_machine.travel(REGISTERED, tick=False):
        return register()


def decide(company, verifier, **extra) -> Verification:
    return services.verification_decide(
        actor=verifier, company=company, checks=complete(), outcome="complete", **extra
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 17, 15, 0, tzinfo=WITA),  # a working day, at closing time
        datetime(2026, 3, 17, 8, 59, tzinfo=WITA),  # before opening
        datetime(2026, 3, 28, 10, 0, tzinfo=WITA),  # a Saturday
        datetime(2026, 3, 19, 10, 0, tzinfo=WITA),  # Nyepi, a national holiday
    ],
    ids=["after-15", "before-9", "saturday", "holiday"],
)
def test_R_1_4_a_counter_visit_outside_the_hours_needs_a_reason(waiting, make_user, moment):
    verifier = make_user(Role.VERIFIER)
    audit_before = AuditEvent.objects.count()
    with time_machine.travel(moment, tick=False):
        with pytest.raises(DomainError, match="outside the walk-in verification hours") as no:
            decide(waiting, verifier)
        assert no.value.field == "outside_hours_reason"
        # Refused before anything was written.
        assert not Verification.objects.exists()
        assert AuditEvent.objects.count() == audit_before
        waiting.refresh_from_db()
        assert waiting.state == Company.State.AWAITING_VERIFICATION

        verification = decide(waiting, verifier, outside_hours_reason="Janji temu dengan direktur")
    assert verification.outside_hours_reason == "Janji temu dengan direktur"
    event = AuditEvent.objects.get(action="verification.complete")
    assert event.data["outside_hours_reason"] == "Janji temu dengan direktur"


def test_R_1_4_a_visit_inside_the_hours_needs_no_reason(waiting, make_user):
    with time_machine.travel(datetime(2026, 3, 17, 14, 59, tzinfo=WITA), tick=False):
        verification = decide(waiting, make_user(Role.VERIFIER), outside_hours_reason="tidak perlu")
    assert verification.outside_hours_reason == ""  # nothing to explain, nothing kept


def test_R_1_4_a_visit_begun_before_closing_may_end_after_it(waiting, make_user, client):
    """The provider was at the desk at 14:50 (the verifier opened the file); the 15–30 minute
    check ends at 15:10. That visit was inside the hours."""
    verifier = make_user(Role.VERIFIER)
    client.force_login(verifier)
    with time_machine.travel(datetime(2026, 3, 17, 14, 50, tzinfo=WITA), tick=False):
        client.get(reverse("providers:registration_detail", args=[waiting.pk]))
    waiting.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 17, 15, 10, tzinfo=WITA), tick=False):
        assert decide(waiting, verifier).outside_hours_reason == ""


def test_R_1_4_a_file_opened_in_the_morning_does_not_cover_a_visit_in_the_evening(
    waiting, make_user, client
):
    verifier = make_user(Role.VERIFIER)
    client.force_login(verifier)
    with time_machine.travel(datetime(2026, 3, 17, 10, 0, tzinfo=WITA), tick=False):
        client.get(reverse("providers:registration_detail", args=[waiting.pk]))
    waiting.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 17, 15, 31, tzinfo=WITA), tick=False):
        with pytest.raises(DomainError, match="outside the walk-in"):
            decide(waiting, verifier)


def test_R_1_4_a_file_opened_on_an_earlier_day_does_not_make_a_late_visit_timely(
    waiting, make_user, client
):
    verifier = make_user(Role.VERIFIER)
    client.force_login(verifier)
    with time_machine.travel(datetime(2026, 3, 17, 10, 0, tzinfo=WITA), tick=False):
        client.get(reverse("providers:registration_detail", args=[waiting.pk]))
    waiting.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 25, 16, 0, tzinfo=WITA), tick=False):
        with pytest.raises(DomainError, match="outside the walk-in"):
            decide(waiting, verifier)


def test_R_1_4_the_verifier_page_asks_for_the_reason_only_outside_the_hours(
    waiting, make_user, client
):
    verifier = make_user(Role.VERIFIER)
    url = reverse("providers:registration_detail", args=[waiting.pk])
    with time_machine.travel(datetime(2026, 3, 17, 10, 0, tzinfo=WITA), tick=False):
        client.force_login(verifier)
        assert 'id="outside-hours"' not in client.get(url).content.decode()
    with time_machine.travel(datetime(2026, 3, 17, 16, 0, tzinfo=WITA), tick=False):
        client.force_login(verifier)  # the morning's session has run out by now
        decision = {"outcome": "complete", "reason": ""}
        decision.update({f"ok_{i.pk}": "on" for i in VerificationItem.objects.filter(active=True)})
        response = client.post(url, decision)
        assert response.status_code == 200, response
        page = response.content.decode()
        assert 'id="outside-hours"' in page and "Write why it is handled now" in page
        assert not Verification.objects.exists()
        decision["outside_hours_reason"] = "Direktur datang dari luar kota"
        assert client.post(url, decision).status_code == 302
        page = client.get(url).content.decode()
    assert Verification.objects.get().outside_hours_reason == "Direktur datang dari luar kota"
    assert "Outside service hours" in page and "Direktur datang dari luar kota" in page


def test_R_1_4_the_deadline_is_a_day_during_service_hours_not_midnight(
    reference_data, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(REGISTERED, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            company = register()
        page = client.get(reverse("providers:registration_done", args=[company.forms_ref]))
        with pytest.raises(DomainError, match=f"until {LAST_DAY}, during service hours"):
            services.registration_start(email="direktur@sinar.test")
    expected = f"{LAST_DAY}, during service hours (09:00–15:00 WITA)"
    html = page.content.decode()
    assert expected in html
    assert "00:00" not in html and "2 April" not in html  # the old text named the next day
    mail = SentEmail.objects.get(subject__contains="User ID")
    assert expected in mail.body and "00:00" not in mail.body


def test_R_1_4_the_expiry_mail_names_the_last_day(waiting, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 4, 2, 0, 30, tzinfo=WITA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.registrations_expire_due() == 1
    body = SentEmail.objects.get(subject__contains="expired").body
    assert f"not verified by {LAST_DAY}." in body


@pytest.mark.parametrize("bad", ["9-15", "15:00-09:00", "09:00"])
def test_R_1_4_malformed_service_hours_stop_start_up(tmp_path, bad):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"LPSE_DATA_DIR": str(tmp_path / "data"), "LPSE_VERIFICATION_HOURS": bad})
    result = subprocess.run(
        [sys.executable, "-m", "lpse", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "LPSE_VERIFICATION_HOURS" in result.stderr and "HH:MM-HH:MM" in result.stderr
