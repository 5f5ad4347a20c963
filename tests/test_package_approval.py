"""R-8.1: the budget user (PA/KPA) approves the PPK's package before it is handed over; one gate
for every hand-over (a committee now, a procurement officer with R-8.6)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.tenders.models import Package
from lpse.tenders.services import approval
from lpse.tenders.services import preparation as services
from tests.tender_fixtures import PREPARED_AT, package_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _prepared_on_friday():
    with time_machine.travel(PREPARED_AT, tick=False):
        yield


def test_R_8_1_a_new_package_waits_for_the_budget_user_and_cannot_be_handed_over_before(
    agency_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_create(actor=agency_a.ppk, data=package_data())
    assert package.approval == Package.Approval.AWAITING
    # The agency's budget user is told a package waits for them.
    assert SentEmail.objects.filter(to__contains=agency_a.budget_user.email).exists()
    with pytest.raises(DomainError, match="waits for the approval of your agency's budget user"):
        services.package_assign(actor=agency_a.ppk, package=package, committee=agency_a.committee)
    package.refresh_from_db()
    assert package.committee_id is None

    with django_capture_on_commit_callbacks(execute=True):
        approval.package_approve(actor=agency_a.budget_user, package=package, note="Sesuai DPA")
    package.refresh_from_db()
    assert package.approval == Package.Approval.APPROVED
    assert package.approval_decided_by == agency_a.budget_user
    mail = SentEmail.objects.get(to__contains=agency_a.ppk.email, subject__contains="approved")
    assert package.name in mail.body
    event = AuditEvent.objects.get(action="package.approve")
    assert event.object_id == str(package.pk) and event.data == {"note": "Sesuai DPA"}

    services.package_assign(actor=agency_a.ppk, package=package, committee=agency_a.committee)
    package.refresh_from_db()
    assert package.committee == agency_a.committee


def test_R_8_1_a_refusal_needs_a_reason_the_ppk_reads_and_can_answer(
    agency_a, django_capture_on_commit_callbacks
):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    with pytest.raises(DomainError, match="Say why you refuse"):
        approval.package_refuse(actor=agency_a.budget_user, package=package, reason="  ")
    package.refresh_from_db()
    assert package.approval == Package.Approval.AWAITING  # nothing written half-way

    with django_capture_on_commit_callbacks(execute=True):
        approval.package_refuse(
            actor=agency_a.budget_user, package=package, reason="HPS melebihi DPA"
        )
    mail = SentEmail.objects.get(to__contains=agency_a.ppk.email, subject__contains="refused")
    assert "HPS melebihi DPA" in mail.body
    with pytest.raises(DomainError, match=r"refused this package .“HPS melebihi DPA”."):
        services.package_assign(actor=agency_a.ppk, package=package, committee=agency_a.committee)
    with pytest.raises(DomainError, match="not waiting for approval"):
        approval.package_approve(actor=agency_a.budget_user, package=package)

    with pytest.raises(DomainError, match="Say what you changed"):
        approval.package_approval_request_again(actor=agency_a.ppk, package=package, note="")
    approval.package_approval_request_again(
        actor=agency_a.ppk, package=package, note="HPS dikoreksi"
    )
    assert package.approval == Package.Approval.AWAITING
    approval.package_approve(actor=agency_a.budget_user, package=package)
    services.package_assign(actor=agency_a.ppk, package=package, committee=agency_a.committee)
    actions = list(
        AuditEvent.objects.filter(object_id=str(package.pk), action__startswith="package.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "package.create",
        "package.refuse",
        "package.approval_request",
        "package.approve",
        "package.assign",
    ]


def test_R_8_1_only_a_budget_user_of_the_same_agency_decides_and_never_on_their_own_package(
    agency_a, agency_b, make_user
):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    with pytest.raises(DomainError, match="not allowed"):
        approval.package_approve(actor=agency_a.ppk, package=package)
    with pytest.raises(DomainError, match="package's own agency"):
        approval.package_approve(actor=agency_b.budget_user, package=package)

    # A PPK who is also a budget user does not approve their own package.
    both = make_user(Role.PPK, username="ppk-dan-pa")
    from lpse.accounts.services import role_grant

    role_grant(actor=agency_a.agency_admin, user=both, role=Role.BUDGET_USER)
    both = type(both).objects.get(pk=both.pk)
    own = services.package_create(actor=both, data=package_data(name="Paket sendiri"))
    with pytest.raises(DomainError, match="another budget user"):
        approval.package_approve(actor=both, package=own)
    assert not AuditEvent.objects.filter(action="package.approve").exists()


def test_R_8_1_the_hand_over_gate_is_one_function_for_every_hand_over(agency_a):
    """The non-tender hand-over (R-8.6) calls the same gate as package_assign."""
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    with pytest.raises(DomainError) as refused:
        approval.require_approved_for_handover(package)
    assert refused.value.code == "not_approved"
    approval.package_approve(actor=agency_a.budget_user, package=package)
    approval.require_approved_for_handover(package)  # no error


def test_R_8_1_the_budget_user_approves_from_the_queue_page(client, agency_a):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    client.force_login(agency_a.budget_user)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("tenders:approval_queue") in home
    page = client.get(reverse("tenders:approval_queue")).content.decode()
    assert package.name in page and "Waiting for the budget user" in page

    refused = client.post(
        reverse("tenders:approval_decide", args=[package.pk]), {"decision": "refuse", "note": ""}
    )
    assert refused.status_code == 302
    package.refresh_from_db()
    assert package.approval == Package.Approval.AWAITING

    client.post(reverse("tenders:approval_decide", args=[package.pk]), {"decision": "approve"})
    package.refresh_from_db()
    assert package.approval == Package.Approval.APPROVED

    client.force_login(agency_a.ppk)
    detail = client.get(reverse("tenders:package_detail", args=[package.pk])).content.decode()
    assert "Approved by the budget user" in detail and "Hand over" in detail


def test_R_8_1_the_ppk_sees_no_hand_over_form_before_the_approval(client, agency_a):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    client.force_login(agency_a.ppk)
    detail = client.get(reverse("tenders:package_detail", args=[package.pk])).content.decode()
    assert "Waiting for the budget user" in detail
    assert "Hand over" not in detail
