"""Accounts for life (R-5.6 "maintain government and provider user accounts", SPEC 0): deactivate
and reactivate with a reason, sessions ended at once, nothing deleted, roles granted and taken
away within the scope rules, open work handed over first (offboarding), an account list."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from lpse.accounts import lifecycle
from lpse.accounts.models import Deactivation, PasswordLink, RoleGrant, User
from lpse.accounts.roles import Role
from lpse.accounts.services import password_link_send
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.tenders.services import preparation as services
from lpse.tenders.services.committees import committee_member_replace
from tests.conftest import PASSWORD
from tests.tender_fixtures import PREPARED_AT, draft_tender, package_data, publish

pytestmark = pytest.mark.django_db


def sign_in(user) -> tuple[Client, bool]:
    """Sign in through the sign-in page, as a person does (axes wants the request)."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    return client, response.status_code == 302


def signed_in(user) -> Client:
    client, ok = sign_in(user)
    assert ok
    assert client.get(reverse("accounts:home")).status_code == 200
    return client


def test_R_5_6_deactivating_ends_the_sessions_at_once_and_deletes_nothing(make_user):
    admin = make_user(Role.APP_ADMIN)
    verifier = make_user(Role.VERIFIER)
    browser = signed_in(verifier)
    password_link_send(user=verifier, purpose=PasswordLink.Purpose.RESET)

    lifecycle.account_deactivate(actor=admin, user=verifier, reason="Pindah tugas ke BKD")

    verifier.refresh_from_db()
    assert not verifier.is_active
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(verifier.pk)
    ]
    response = browser.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not sign_in(verifier)[1]
    # An unused password link would switch the account back on: it is spent.
    assert not PasswordLink.objects.filter(user=verifier, used_at__isnull=True).exists()
    # Nothing deleted: the account, its roles and the record of why.
    assert RoleGrant.objects.filter(user=verifier, role=Role.VERIFIER).exists()
    deactivation = Deactivation.objects.get(user=verifier)
    assert deactivation.reason == "Pindah tugas ke BKD" and deactivation.deactivated_by == admin
    event = AuditEvent.objects.get(action="user.deactivate")
    assert event.data["reason"] == "Pindah tugas ke BKD" and event.data["sessions_ended"] == 1


def test_R_5_6_reactivation_needs_a_reason_and_the_account_signs_in_again(make_user):
    admin = make_user(Role.APP_ADMIN)
    helpdesk = make_user(Role.HELPDESK)
    lifecycle.account_deactivate(actor=admin, user=helpdesk, reason="Cuti panjang")
    with pytest.raises(DomainError, match="Give the reason"):
        lifecycle.account_reactivate(actor=admin, user=helpdesk, reason=" ")
    helpdesk.refresh_from_db()
    assert not helpdesk.is_active
    with pytest.raises(DomainError, match="already deactivated"):
        lifecycle.account_deactivate(actor=admin, user=helpdesk, reason="lagi")

    lifecycle.account_reactivate(actor=admin, user=helpdesk, reason="Kembali dari cuti")
    assert sign_in(helpdesk)[1]
    deactivation = Deactivation.objects.get(user=helpdesk)
    assert deactivation.reactivation_reason == "Kembali dari cuti"
    assert deactivation.reactivated_by == admin
    assert list(
        AuditEvent.objects.filter(object_id=str(helpdesk.pk), action__startswith="user.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["user.bootstrap", "user.deactivate", "user.reactivate"]


def test_R_1_5_a_provider_account_awaiting_verification_is_not_switched_on_by_reactivation(
    make_user,
):
    admin = make_user(Role.APP_ADMIN)
    provider = make_user(Role.PROVIDER, username="calon-penyedia")
    User.objects.filter(pk=provider.pk).update(is_active=False)  # as registration leaves it
    provider.refresh_from_db()
    with pytest.raises(DomainError, match="never activated"):
        lifecycle.account_deactivate(actor=admin, user=provider, reason="x")
    with pytest.raises(DomainError, match="activated by the verifier"):
        lifecycle.account_reactivate(actor=admin, user=provider, reason="x")
    provider.refresh_from_db()
    assert not provider.is_active


def test_SPEC_0_who_may_deactivate_whom(make_user):
    app_admin = make_user(Role.APP_ADMIN)
    agency_admin = make_user(Role.AGENCY_ADMIN)  # DPUPR
    own_ppk = make_user(Role.PPK)
    other_ppk = make_user(Role.PPK, username="ppk-disdik", agency_code="DISDIK")
    verifier = make_user(Role.VERIFIER)

    for target in (other_ppk, verifier, agency_admin):
        with pytest.raises(DomainError, match=r"may not change the account|your own account"):
            lifecycle.account_deactivate(actor=agency_admin, user=target, reason="x")
    with pytest.raises(DomainError, match="your own account"):
        lifecycle.account_deactivate(actor=app_admin, user=app_admin, reason="x")
    with pytest.raises(DomainError, match="may not change"):
        lifecycle.account_deactivate(actor=verifier, user=own_ppk, reason="x")
    assert not AuditEvent.objects.filter(action="user.deactivate").exists()

    lifecycle.account_deactivate(actor=agency_admin, user=own_ppk, reason="Pensiun")
    lifecycle.account_deactivate(actor=app_admin, user=verifier, reason="Mutasi")


def test_SPEC_0_the_last_application_administrator_stays(make_user):
    admin = make_user(Role.APP_ADMIN)
    second = make_user(Role.APP_ADMIN, username="admin-kedua")
    lifecycle.account_deactivate(actor=admin, user=second, reason="Mutasi")
    third = make_user(Role.APP_ADMIN, username="admin-ketiga")
    lifecycle.role_revoke(actor=third, user=admin, role=Role.APP_ADMIN, reason="Ganti petugas")
    with pytest.raises(DomainError, match="last active application administrator"):
        lifecycle.account_deactivate(actor=second, user=third, reason="x")  # second is inactive
    with pytest.raises(DomainError, match="last active application administrator"):
        lifecycle.role_revoke(actor=admin, user=third, role=Role.APP_ADMIN, reason="x")


def test_SPEC_0_roles_are_granted_and_taken_away_with_a_reason_within_the_scope_rules(make_user):
    app_admin = make_user(Role.APP_ADMIN)
    agency_admin = make_user(Role.AGENCY_ADMIN)
    staff = make_user(Role.PPK, username="staf-dpupr")

    with pytest.raises(DomainError, match="Give the reason"):
        lifecycle.role_give(actor=agency_admin, user=staff, role=Role.COMMITTEE, reason="")
    lifecycle.role_give(actor=agency_admin, user=staff, role=Role.COMMITTEE, reason="SK Pokja 3")
    assert User.objects.get(pk=staff.pk).has_role(Role.COMMITTEE)
    # The application admin does not hand out or take away agency staff roles.
    with pytest.raises(DomainError, match="may not take away the role ppk"):
        lifecycle.role_revoke(actor=app_admin, user=staff, role=Role.PPK, reason="x")
    with pytest.raises(DomainError, match="may not give"):
        lifecycle.role_give(actor=agency_admin, user=staff, role=Role.VERIFIER, reason="x")

    lifecycle.role_revoke(actor=agency_admin, user=staff, role=Role.COMMITTEE, reason="SK dicabut")
    assert set(User.objects.get(pk=staff.pk).role_codes()) == {Role.PPK}
    grant, revoke = AuditEvent.objects.filter(action__in=["role.grant", "role.revoke"]).order_by(
        "seq"
    )
    assert grant.data == {"role": Role.COMMITTEE, "reason": "SK Pokja 3"}
    assert revoke.data["reason"] == "SK dicabut"
    with pytest.raises(DomainError, match="does not hold the role"):
        lifecycle.role_revoke(actor=agency_admin, user=staff, role=Role.COMMITTEE, reason="x")


# --- offboarding: open work is handed over first ------------------------------------------------


@pytest.fixture
def friday():
    with time_machine.travel(PREPARED_AT, tick=False):
        yield


def test_R_8_1_a_committee_member_with_open_tenders_leaves_only_once_replaced(
    agency_a, make_user, friday
):
    tender = draft_tender(agency_a)
    leaving = agency_a.members[2]
    with pytest.raises(DomainError, match=f"Pokja 1 DPUPR, which has open tenders .{tender.code}"):
        lifecycle.account_deactivate(actor=agency_a.agency_admin, user=leaving, reason="Mutasi")
    with pytest.raises(DomainError, match="open tenders"):
        lifecycle.role_revoke(
            actor=agency_a.agency_admin, user=leaving, role=Role.COMMITTEE, reason="Mutasi"
        )
    leaving.refresh_from_db()
    assert leaving.is_active

    joining = make_user(Role.COMMITTEE, username="pokja4-dpupr")
    with pytest.raises(DomainError, match="Say why"):
        committee_member_replace(
            actor=agency_a.agency_admin,
            committee=agency_a.committee,
            leaving=leaving,
            joining=joining,
            reason="",
        )
    committee_member_replace(
        actor=agency_a.agency_admin,
        committee=agency_a.committee,
        leaving=leaving,
        joining=joining,
        reason="Mutasi ke Dinas Kesehatan",
    )
    assert set(agency_a.committee.members.all()) == {*agency_a.members[:2], joining}
    # The newcomer signs the draft tender's integrity pact before it can be published.
    assert joining.username in services.missing_pacts(tender)
    lifecycle.account_deactivate(actor=agency_a.agency_admin, user=leaving, reason="Mutasi")
    event = AuditEvent.objects.get(action="committee.member_replace")
    assert event.data["leaving"] == leaving.username and event.data["joining"] == joining.username


def test_R_9_2_a_member_holding_a_share_of_an_unopened_tender_cannot_leave(
    agency_a, make_user, friday
):
    tender = publish(agency_a, draft_tender(agency_a))
    joining = make_user(Role.COMMITTEE, username="pokja4-dpupr")
    with pytest.raises(DomainError, match=f"share of the opening key .* \\({tender.code}\\)"):
        committee_member_replace(
            actor=agency_a.agency_admin,
            committee=agency_a.committee,
            leaving=agency_a.members[0],
            joining=joining,
            reason="Mutasi",
        )
    assert agency_a.members[0] in agency_a.committee.members.all()
    assert not AuditEvent.objects.filter(action="committee.member_replace").exists()


def test_R_8_1_a_ppk_with_open_packages_cannot_be_deactivated(agency_a, friday):
    services.package_create(actor=agency_a.ppk, data=package_data(name="Jalan Poros Tanralili"))
    with pytest.raises(DomainError, match=r"PPK of open packages .Jalan Poros Tanralili"):
        lifecycle.account_deactivate(actor=agency_a.agency_admin, user=agency_a.ppk, reason="x")


# --- the account list --------------------------------------------------------------------------


def test_R_5_6_the_account_list_filters_and_shows_the_last_sign_in(client, make_user):
    admin = make_user(Role.APP_ADMIN)
    verifier = make_user(Role.VERIFIER)
    signed_in(verifier)
    make_user(Role.PPK)
    lifecycle.account_deactivate(actor=admin, user=make_user(Role.TRAINER), reason="x")
    client.force_login(admin)

    page = client.get(reverse("accounts:account_list"), {"role": Role.VERIFIER}).content.decode()
    assert verifier.username in page and "ppk-dpupr" not in page
    verifier.refresh_from_db()
    assert verifier.last_login is not None
    assert verifier.last_login.astimezone(PREPARED_AT.tzinfo).strftime("%d %b %Y %H:%M") in page

    inactive = client.get(reverse("accounts:account_list"), {"active": "0"}).content.decode()
    assert "trainer-dpupr" in inactive and verifier.username not in inactive
    found = client.get(reverse("accounts:account_list"), {"q": "ppk-d"}).content.decode()
    assert "ppk-dpupr" in found and verifier.username not in found


def test_R_5_6_the_account_page_deactivates_with_the_reason_typed(client, make_user):
    admin = make_user(Role.APP_ADMIN)
    trainer = make_user(Role.TRAINER)
    client.force_login(admin)
    url = reverse("accounts:account_detail", args=[trainer.pk])
    assert "Deactivate the account" in client.get(url).content.decode()
    client.post(reverse("accounts:account_deactivate", args=[trainer.pk]), {"reason": ""})
    trainer.refresh_from_db()
    assert trainer.is_active  # no reason, no change
    client.post(
        reverse("accounts:account_deactivate", args=[trainer.pk]), {"reason": "Kontrak habis"}
    )
    trainer.refresh_from_db()
    assert not trainer.is_active
    page = client.get(url).content.decode()
    assert "Kontrak habis" in page and "Reactivate the account" in page
