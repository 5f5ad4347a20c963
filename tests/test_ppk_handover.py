"""A PPK's open packages handed to another PPK of the same agency (R-8.1; issue 13: the open
work of a person who leaves is handed over, then the account is deactivated): by the agency
admin, with a reason, audited per package, both PPKs e-mailed, the PA/KPA approval kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts import lifecycle
from lpse.accounts.roles import Role
from lpse.accounts.services import role_grant
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.tenders.models import Package
from lpse.tenders.services import preparation as services
from lpse.tenders.services.ppk_handover import ppk_packages_handover
from tests.tender_fixtures import (
    PREPARED_AT,
    SCHEDULE_BASE,
    approve,
    draft_tender,
    package_data,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def friday():
    with time_machine.travel(PREPARED_AT, tick=False):
        yield


@pytest.fixture
def second_ppk(make_user):
    return make_user(Role.PPK, username="ppk2-dpupr")


def owners(*packages) -> list[str]:
    return [Package.objects.get(pk=p.pk).ppk.username for p in packages]


def test_R_8_1_all_open_packages_move_with_their_approval_then_the_ppk_can_leave(
    agency_a, second_ppk, friday, django_capture_on_commit_callbacks
):
    tender = draft_tender(agency_a, name="Jalan Poros Tanralili")  # approved, at a committee
    waiting = services.package_create(actor=agency_a.ppk, data=package_data(name="Drainase Pasar"))
    with pytest.raises(DomainError, match="PPK of open packages"):
        lifecycle.account_deactivate(actor=agency_a.agency_admin, user=agency_a.ppk, reason="x")

    with django_capture_on_commit_callbacks(execute=True):
        moved = ppk_packages_handover(
            actor=agency_a.agency_admin,
            leaving=agency_a.ppk,
            joining=second_ppk,
            reason="Pensiun per 1 Agustus",
        )

    assert {p.pk for p in moved} == {tender.package.pk, waiting.pk}
    assert owners(tender.package, waiting) == ["ppk2-dpupr", "ppk2-dpupr"]
    # The PA/KPA's decision is about the package: it stays as it was.
    assert Package.objects.get(pk=tender.package.pk).approval == Package.Approval.APPROVED
    assert Package.objects.get(pk=waiting.pk).approval == Package.Approval.AWAITING
    # The draft tender now waits for the new PPK's integrity pact.
    tender.package.refresh_from_db()
    assert second_ppk.username in services.missing_pacts(tender)
    events = AuditEvent.objects.filter(action="package.ppk_handover").order_by("object_id")
    assert [e.object_id for e in events] == sorted(str(p.pk) for p in moved)
    assert all(
        e.data["from"] == "ppk-dpupr"
        and e.data["to"] == "ppk2-dpupr"
        and e.data["reason"] == "Pensiun per 1 Agustus"
        for e in events
    )
    # (The approval's e-mails of the set-up wait in the outbox too: the hand-over's are these.)
    to_leaving = SentEmail.objects.get(to=agency_a.ppk.email, body__contains="Pensiun per")
    to_joining = SentEmail.objects.get(to=second_ppk.email, body__contains="Pensiun per")
    for mail in (to_leaving, to_joining):
        assert "Drainase Pasar" in mail.body and "Jalan Poros Tanralili" in mail.body
        assert "Pensiun per 1 Agustus" in mail.body

    lifecycle.account_deactivate(actor=agency_a.agency_admin, user=agency_a.ppk, reason="Pensiun")
    agency_a.ppk.refresh_from_db()
    assert not agency_a.ppk.is_active


def test_R_8_1_one_package_can_be_handed_over_alone(agency_a, second_ppk, friday):
    kept = services.package_create(actor=agency_a.ppk, data=package_data(name="Tetap di PPK"))
    given = services.package_create(actor=agency_a.ppk, data=package_data(name="Diserahkan"))
    ppk_packages_handover(
        actor=agency_a.agency_admin,
        leaving=agency_a.ppk,
        joining=second_ppk,
        reason="Beban kerja",
        package_ids=[given.pk],
    )
    assert owners(kept, given) == ["ppk-dpupr", "ppk2-dpupr"]
    assert AuditEvent.objects.filter(action="package.ppk_handover").count() == 1


def test_R_8_1_a_closed_package_stays_and_nothing_moves_half_way(agency_a, second_ppk):
    with time_machine.travel(PREPARED_AT, tick=False):
        finished = publish(agency_a, draft_tender(agency_a, name="Gedung SD selesai")).package
        still_open = services.package_create(actor=agency_a.ppk, data=package_data(name="Baru"))
    # Forty days on, the tender's whole schedule has ended: its package is closed.
    with time_machine.travel(SCHEDULE_BASE + timedelta(days=40), tick=False):
        with pytest.raises(DomainError, match=r"closed .*Gedung SD selesai"):
            ppk_packages_handover(
                actor=agency_a.agency_admin,
                leaving=agency_a.ppk,
                joining=second_ppk,
                reason="Mutasi",
                package_ids=[finished.pk, still_open.pk],
            )
        assert owners(finished, still_open) == ["ppk-dpupr", "ppk-dpupr"]
        # "All" means the open ones: the closed package stays with who ran it.
        moved = ppk_packages_handover(
            actor=agency_a.agency_admin, leaving=agency_a.ppk, joining=second_ppk, reason="Mutasi"
        )
    assert [p.pk for p in moved] == [still_open.pk]
    assert owners(finished, still_open) == ["ppk-dpupr", "ppk2-dpupr"]


def test_R_8_1_refused_for_another_agency_the_same_person_or_no_reason(
    agency_a, agency_b, second_ppk, friday
):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    attempts = [
        ({"joining": agency_b.ppk}, "another agency"),
        ({"joining": agency_a.ppk}, "already holds these packages"),
        ({"joining": second_ppk, "reason": "  "}, "Say why"),
        ({"joining": second_ppk, "actor": agency_b.agency_admin}, "your own agency"),
        ({"joining": second_ppk, "actor": second_ppk}, "not allowed"),  # a PPK may not at all
    ]
    for changes, message in attempts:
        kwargs = {"actor": agency_a.agency_admin, "reason": "Mutasi", **changes}
        with pytest.raises(DomainError, match=message):
            ppk_packages_handover(leaving=agency_a.ppk, **kwargs)
    assert owners(package) == ["ppk-dpupr"]
    assert not AuditEvent.objects.filter(action="package.ppk_handover").exists()


def test_R_8_1_the_budget_user_who_approved_a_package_does_not_become_its_ppk(agency_a, friday):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    approve(agency_a, package)
    role_grant(
        actor=agency_a.agency_admin, user=agency_a.budget_user, role=Role.PPK, reason="Juga PPK"
    )
    pa = type(agency_a.budget_user).objects.get(pk=agency_a.budget_user.pk)  # roles read afresh
    with pytest.raises(DomainError, match="decided on these packages as budget user"):
        ppk_packages_handover(
            actor=agency_a.agency_admin, leaving=agency_a.ppk, joining=pa, reason="Mutasi"
        )
    assert owners(package) == ["ppk-dpupr"]


def test_R_8_1_the_agency_admin_hands_over_from_the_ppk_account_page(
    client, agency_a, agency_b, second_ppk, make_user, friday
):
    package = services.package_create(actor=agency_a.ppk, data=package_data(name="Jembatan"))
    account_page = reverse("accounts:account_detail", args=[agency_a.ppk.pk])
    handover_page = reverse("tenders:ppk_handover", args=[agency_a.ppk.pk])

    client.force_login(agency_a.agency_admin)
    assert handover_page in client.get(account_page).content.decode()
    page = client.get(handover_page).content.decode()
    assert "Jembatan" in page and "ppk2-dpupr" in page
    assert "ppk-dinkes" not in page  # only PPKs of the same agency are offered

    refused = client.post(handover_page, {"packages": [package.pk], "joining": second_ppk.pk})
    assert refused.status_code == 200 and owners(package) == ["ppk-dpupr"]  # no reason given
    done = client.post(
        handover_page,
        {"packages": [package.pk], "joining": second_ppk.pk, "reason": "Mutasi"},
        follow=True,
    )
    assert "The packages were handed over" in done.content.decode()
    assert owners(package) == ["ppk2-dpupr"]
    assert 'id="no-open-packages"' in done.content.decode()

    # The application admin manages the account but does not hand packages over: no link.
    client.force_login(make_user(Role.APP_ADMIN))
    assert handover_page not in client.get(account_page).content.decode()
    # Another agency's admin does not even find the PPK.
    client.force_login(agency_b.agency_admin)
    assert client.get(handover_page).status_code == 404
