"""Failed tenders, cancellation, re-tender (R-8.4) and the qualification proof's rules, with the
clock moved through the sample schedule (tests/tender_fixtures.py)."""

from __future__ import annotations

import pytest
import time_machine

from lpse.bids.services import submission
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.evaluation.models import Criterion, FailureKind, QualificationInvitation, TenderOutcome
from lpse.evaluation.selectors import current_outcome
from lpse.evaluation.services import failure
from lpse.evaluation.services import verdicts as services
from lpse.evaluation.services.qualification import invitation_send, proof_record
from lpse.tenders.models import Tender
from tests.bid_fixtures import DEADLINE, DURING_BIDDING, seal, submit
from tests.evaluation_fixtures import DETERMINING, EVALUATING, THREE, passes, prove
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db


def test_R_8_4_a_tender_without_bids_fails_once_the_deadline_has_passed(bidding):
    member = bidding.setup.members[0]
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="Bids are accepted until 15 Jul 2026 10:00 WITA"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.NO_BIDS, reason="Kosong"
            )
    with time_machine.travel(DEADLINE, tick=False):
        outcome = failure.tender_fail(
            actor=member,
            tender=bidding.tender,
            kind=FailureKind.NO_BIDS,
            reason="Tidak ada penyedia yang memasukkan penawaran",
        )
    assert outcome.state == TenderOutcome.State.FAILED and outcome.failure_kind == "no_bids"
    event = AuditEvent.objects.get(action="outcome.failed")
    assert event.actor == member and event.data["failure_kind"] == "no_bids"


def test_R_8_4_the_reason_must_match_the_facts(bidding, settings):
    member = bidding.setup.members[0]
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
    with time_machine.travel(DEADLINE, tick=False):
        with pytest.raises(DomainError, match="has bids"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.NO_BIDS, reason="x"
            )
        with pytest.raises(DomainError, match="1 bids, the minimum is 1"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.TOO_FEW_BIDS, reason="x"
            )
        with pytest.raises(DomainError, match="Choose why"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.OBJECTION_UPHELD, reason="x"
            )
        settings.LPSE_MIN_BIDS = 3  # a regional policy of three bids
        outcome = failure.tender_fail(
            actor=member,
            tender=bidding.tender,
            kind=FailureKind.TOO_FEW_BIDS,
            reason="Penawaran yang masuk kurang dari tiga",
        )
    assert outcome.failure_kind == "too_few_bids"


def test_R_8_4_a_cancelled_tender_takes_no_more_bids_and_can_be_re_tendered(bidding):
    member = bidding.setup.members[0]
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="Say why the tender is cancelled"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.CANCELLED, reason=""
            )
        outcome = failure.tender_fail(
            actor=member,
            tender=bidding.tender,
            kind=FailureKind.CANCELLED,
            reason="Anggaran direvisi dalam APBD-P",
        )
        bidding.tender.refresh_from_db()
        assert bidding.tender.state == Tender.State.CANCELLED
        with pytest.raises(DomainError, match="cancelled: it takes no bids"):
            submission.upload_start(actor=bidding.provider, tender=bidding.tender, length=1000)
        new = failure.retender(actor=member, tender=bidding.tender)
        with pytest.raises(DomainError, match=f"already re-tendered as {new.code}"):
            failure.retender(actor=member, tender=bidding.tender)
    assert outcome.failure_kind == "cancelled"
    assert new.state == Tender.State.DRAFT and new.package == bidding.tender.package
    assert new.retender_of == bidding.tender
    assert new.qualification_requirements == bidding.tender.qualification_requirements
    event = AuditEvent.objects.filter(action="tender.create").last()
    assert event.data["retender_of"] == bidding.tender.code and event.actor == member


def test_R_8_4_only_a_failed_tender_is_re_tendered(opened):
    bidding, _bids = opened
    with time_machine.travel(EVALUATING, tick=False), pytest.raises(DomainError, match="failed"):
        failure.retender(actor=bidding.setup.members[0], tender=bidding.tender)


def test_R_8_4_invitations_follow_the_ranking_and_an_absent_bidder_drops_out(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    beta, cipta = bids["Beta Karya"], bids["Cipta Mandiri"]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], *THREE, Criterion.QUALIFICATION)
        with pytest.raises(DomainError, match=r"Invite Beta Karya \(rank 1\) first"):
            invitation_send(actor=member, bid=cipta.bid, proof_at=at(11, 9), place="Ruang Pokja")
        with pytest.raises(DomainError, match="in the future"):
            invitation_send(actor=member, bid=beta.bid, proof_at=at(9, 9), place="Ruang Pokja")
        with pytest.raises(DomainError, match="not a working day"):
            invitation_send(actor=member, bid=beta.bid, proof_at=at(12, 9), place="Ruang Pokja")
        with pytest.raises(DomainError, match="where"):
            invitation_send(actor=member, bid=beta.bid, proof_at=at(11, 9), place=" ")
        invitation = invitation_send(
            actor=member, bid=beta.bid, proof_at=at(11, 9), place="Ruang Pokja"
        )
        with pytest.raises(DomainError, match="already invited"):
            invitation_send(actor=member, bid=beta.bid, proof_at=at(11, 10), place="Ruang Pokja")
        with pytest.raises(DomainError, match="after that time"):
            proof_record(actor=member, invitation=invitation, result="absent", reason="x")
    with time_machine.travel(at(11, 11), tick=False):
        proof_record(
            actor=member,
            invitation=invitation,
            result=QualificationInvitation.State.ABSENT,
            reason="Tidak hadir sampai pukul 11:00",
        )
    beta_result = services.verdicts(services.evaluation_of(beta))[Criterion.QUALIFICATION]
    assert beta_result.verdict == "fail" and "Tidak hadir" in beta_result.reason
    prove(member, cipta, invite_at=at(11, 12), proof_at=at(11, 14))
    with time_machine.travel(DETERMINING, tick=False):
        outcome = services.winner_determine(actor=member, tender=bidding.tender)
    assert outcome.winner == cipta.bid
    assert [e.data["result"] for e in AuditEvent.objects.filter(action="qualification.proof")] == [
        "absent",
        "qualified",
    ]


def test_R_8_4_the_committee_page_runs_the_proof_and_the_decision(opened, client):
    bidding, bids = opened
    member = bidding.setup.members[0]
    code = bidding.tender.code
    beta = bids["Beta Karya"]
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, beta, *THREE, Criterion.QUALIFICATION)
        client.force_login(member)
        response = client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/undang/",
            {"proof_at": "2026-07-18T09:00", "place": "Ruang Pokja"},  # a Saturday
        )
        page = response.content.decode()
        assert response.status_code == 400 and "not a working day" in page
        assert 'value="Ruang Pokja"' in page  # what was typed is kept
        response = client.post(f"/kelola/tender/{code}/evaluasi/gagal/", {"kind": "all_failed"})
        assert response.status_code == 400 and current_outcome(bidding.tender) is None


def test_R_8_4_a_large_works_package_needs_the_basic_capability(opened):
    """R-5.6: the price index brings past contracts to today's prices; for works packages above
    the small-business ceiling, 3 × the best adjusted contract value must reach the HPS."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from lpse.catalog.models import PriceIndex
    from lpse.core.storage import store_bytes
    from lpse.providers.models import Experience
    from lpse.tenders.models import Package

    bidding, bids = opened
    member = bidding.setup.members[0]
    package = bidding.tender.package
    Package.objects.filter(pk=package.pk).update(
        category="works", budget_ceiling=Decimal("20000000000"), owner_estimate=Decimal("18e9")
    )
    beta = bids["Beta Karya"]
    for year, month, value in ((2020, 6, "100"), (2026, 7, "125")):
        PriceIndex.objects.create(
            year=year, month=month, value=Decimal(value), updated_at=timezone.now()
        )
    experience = Experience.objects.create(
        company=beta.bid.company,
        contract_name="Jembatan Sungai Maros",
        client="Dinas PUPR Provinsi",
        sub_field=package.sub_field,
        contract_value=Decimal("4000000000"),
        completed_on=date(2020, 6, 30),
        proof=store_bytes(b"%PDF BAST"),
        proof_name="bast.pdf",
        recorded_by=beta.bid.company.user,
        recorded_at=beta.bid.submitted_at - timedelta(days=30),
    )
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, beta, Criterion.ADMINISTRATIVE, Criterion.TECHNICAL)
        services.criterion_record(
            actor=member, opened_bid=beta, criterion="price", verdict="pass", reason="< HPS"
        )
        # 4.0 bn × 125/100 = 5.0 bn; KD = 15.0 bn < HPS 18 bn
        with pytest.raises(DomainError, match=r"Rp 15,000,000,000.00, below the owner"):
            passes(member, beta, Criterion.QUALIFICATION)
        experience.contract_value = Decimal("4800000000")  # → 6.0 bn; KD 18.0 bn = HPS
        experience.save()
        passes(member, beta, Criterion.QUALIFICATION)
        page_member = services.verdicts(services.evaluation_of(beta))
        # experience recorded during the evaluation, after the bid, does not count
        Experience.objects.create(
            company=bids["Cipta Mandiri"].bid.company,
            contract_name="Dermaga",
            client="Dinas Perhubungan",
            sub_field=package.sub_field,
            contract_value=Decimal("9000000000"),
            completed_on=date(2026, 1, 10),
            proof=store_bytes(b"%PDF BAST 2"),
            proof_name="bast2.pdf",
            recorded_by=beta.bid.company.user,
            recorded_at=timezone.now(),
        )
        passes(member, bids["Cipta Mandiri"], *THREE)
        with pytest.raises(DomainError, match="below the owner"):
            passes(member, bids["Cipta Mandiri"], Criterion.QUALIFICATION)
    assert page_member[Criterion.QUALIFICATION].verdict == "pass"
