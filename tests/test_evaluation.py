"""Evaluation, ranking, winner determination and failed tenders (R-8.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.accounts.services import user_bootstrap
from lpse.bids import opening
from lpse.bids.models import OpenedBid
from lpse.catalog.models import BusinessSubField
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.evaluation import services
from lpse.evaluation.models import Criterion, TenderOutcome, Verdict
from lpse.providers.models import Company
from lpse.tenders import participation
from lpse.tenders import services as tender_services
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db

EVALUATING = at(10, 10)
DETERMINING = at(14, 10)


def provider(name: str, npwp: str):
    user = user_bootstrap(
        username=name.lower().replace(" ", "-"),
        email=f"{npwp}@test",
        roles={Role.PROVIDER},
        password="x" * 12,
    )
    company = Company.objects.create(
        user=user,
        state=Company.State.VERIFIED,
        legal_form="pt",
        name=name,
        npwp=npwp,
        nib="1",
        address="a",
        city="Maros",
        phone="1",
        email=f"{npwp}@test",
        director_name="D",
        registered_at=AT_OPENING,
        verify_by=AT_OPENING,
        forms_ref=f"ref-{npwp}",
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
    return user


@pytest.fixture
def opened(bidding):
    """Three bids opened: A 1.30 bn, B 1.20 bn (received first), C 1.25 bn."""
    others = [
        provider("Beta Karya", "022222222222000"),
        provider("Cipta Mandiri", "033333333333000"),
    ]
    with time_machine.travel(at(0, 9), tick=False):
        for user in others:
            tender_services.pact_sign(actor=user, tender=bidding.tender)
            participation.participation_register(actor=user, tender=bidding.tender)
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(
            others[0], bidding.tender, seal(bidding.recipient, bidding.tender.code, "1200000000")
        )
    with time_machine.travel(at(3, 10), tick=False):
        submit(
            bidding.provider,
            bidding.tender,
            seal(bidding.recipient, bidding.tender.code, "1300000000"),
        )
        submit(
            others[1], bidding.tender, seal(bidding.recipient, bidding.tender.code, "1250000000")
        )
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            opening.share_unlock(
                actor=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
    bids = {o.bid.company.name: o for o in OpenedBid.objects.select_related("bid__company")}
    return bidding, bids


def passes(member, opened_bid, *criteria):
    for criterion in criteria:
        services.criterion_record(
            actor=member,
            opened_bid=opened_bid,
            criterion=criterion,
            verdict=Verdict.PASS,
            reason="Memenuhi syarat",
        )


THREE = (Criterion.ADMINISTRATIVE, Criterion.TECHNICAL, Criterion.PRICE)


def test_R_8_4_every_verdict_needs_a_reason_and_a_failed_bid_is_not_evaluated_further(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        with pytest.raises(DomainError, match="every pass or fail carries one"):
            services.criterion_record(
                actor=member,
                opened_bid=bids["Beta Karya"],
                criterion=Criterion.ADMINISTRATIVE,
                verdict=Verdict.FAIL,
                reason=" ",
            )
        with pytest.raises(DomainError, match="Evaluate Administrative first"):
            services.criterion_record(
                actor=member,
                opened_bid=bids["Beta Karya"],
                criterion=Criterion.TECHNICAL,
                verdict=Verdict.PASS,
                reason="ok",
            )
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.ADMINISTRATIVE,
            verdict=Verdict.FAIL,
            reason="Jaminan penawaran tidak dilampirkan",
        )
        with pytest.raises(DomainError, match="already failed the Administrative evaluation"):
            services.criterion_record(
                actor=member,
                opened_bid=bids["Beta Karya"],
                criterion=Criterion.TECHNICAL,
                verdict=Verdict.PASS,
                reason="ok",
            )
    event = AuditEvent.objects.filter(action="evaluation.record").last()
    assert event.actor == member and event.data["reason"] == "Jaminan penawaran tidak dilampirkan"


def test_R_8_4_ranking_is_by_lowest_evaluated_price_and_a_correction_changes_it(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], *THREE)
        assert [
            r.evaluation.opened_bid.bid.company.name for r in services.ranking(bidding.tender)
        ] == ["Beta Karya", "Cipta Mandiri", "Sinar Maros"]
        services.price_correct(
            actor=member,
            opened_bid=bids["Beta Karya"],
            corrected_price=Decimal("1270000000"),
            reason="Volume pekerjaan tanah x harga satuan salah jumlah",
        )
        # the correction voids the price verdict: it is evaluated again on the new price
        passes(member, bids["Beta Karya"], Criterion.PRICE)
        ranked = services.ranking(bidding.tender)
    assert [(r.evaluation.opened_bid.bid.company.name, r.price) for r in ranked] == [
        ("Cipta Mandiri", Decimal("1250000000.00")),
        ("Beta Karya", Decimal("1270000000")),
        ("Sinar Maros", Decimal("1300000000.00")),
    ]


def test_R_8_4_a_tie_goes_to_the_bid_received_first(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], Criterion.ADMINISTRATIVE, Criterion.TECHNICAL)
        services.price_correct(
            actor=member,
            opened_bid=bids["Cipta Mandiri"],
            corrected_price=Decimal("1200000000"),
            reason="Koreksi aritmatik",
        )
        for name in bids:
            passes(member, bids[name], Criterion.PRICE)
        ranked = services.ranking(bidding.tender)
    assert [r.evaluation.opened_bid.bid.company.name for r in ranked][:2] == [
        "Beta Karya",
        "Cipta Mandiri",
    ]


def test_R_8_4_a_price_above_the_owner_estimate_fails(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, bids["Sinar Maros"], Criterion.ADMINISTRATIVE, Criterion.TECHNICAL)
        services.price_correct(
            actor=member,
            opened_bid=bids["Sinar Maros"],
            corrected_price=Decimal("1500000000"),
            reason="Koreksi aritmatik",
        )
        with pytest.raises(DomainError, match="above the owner estimate"):
            passes(member, bids["Sinar Maros"], Criterion.PRICE)


def test_R_8_4_the_winner_is_the_best_ranked_bid_that_qualifies(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], *THREE)
    with time_machine.travel(at(12, 10), tick=False):
        with pytest.raises(DomainError, match="determined from 20 Jul 2026 09:00 WITA"):
            services.winner_determine(actor=member, tender=bidding.tender)
    with time_machine.travel(DETERMINING, tick=False):
        with pytest.raises(DomainError, match="Finish the qualification of Beta Karya"):
            services.winner_determine(actor=member, tender=bidding.tender)
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.QUALIFICATION,
            verdict=Verdict.FAIL,
            reason="Tidak hadir pada pembuktian kualifikasi",
        )
        passes(member, bids["Cipta Mandiri"], Criterion.QUALIFICATION)
        outcome = services.winner_determine(actor=member, tender=bidding.tender)
        with pytest.raises(DomainError, match="can no longer change"):
            passes(member, bids["Sinar Maros"], Criterion.QUALIFICATION)
    assert outcome.state == TenderOutcome.State.WINNER_DETERMINED
    assert outcome.winner.company.name == "Cipta Mandiri"
    event = AuditEvent.objects.get(action="outcome.winner_determined")
    assert event.data["report_sha256"] == outcome.report.sha256 and event.actor == member


def test_R_8_4_a_tender_fails_only_when_no_bid_can_win(opened):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, bids["Beta Karya"], *THREE)
        with pytest.raises(DomainError, match="A bid still passes"):
            services.tender_fail(actor=member, tender=bidding.tender, reason="Semua gugur")
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.QUALIFICATION,
            verdict=Verdict.FAIL,
            reason="SBU tidak sesuai",
        )
        with pytest.raises(DomainError, match="Say why the tender fails"):
            services.tender_fail(actor=member, tender=bidding.tender, reason="")
        outcome = services.tender_fail(
            actor=member,
            tender=bidding.tender,
            reason="Tidak ada penawaran yang memenuhi syarat kualifikasi",
        )
    assert outcome.state == TenderOutcome.State.FAILED and outcome.winner is None
    assert outcome.report.size > 0


def test_R_8_4_only_the_tenders_committee_evaluates(opened, make_user):
    _bidding, bids = opened
    with time_machine.travel(EVALUATING, tick=False), pytest.raises(DomainError):
        services.criterion_record(
            actor=make_user(Role.COMMITTEE, username="pokja-luar"),
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.ADMINISTRATIVE,
            verdict=Verdict.PASS,
            reason="ok",
        )


def test_R_8_4_the_committee_evaluates_and_decides_through_its_page(opened, client):
    bidding, bids = opened
    member = bidding.setup.members[0]
    client.force_login(member)
    code = bidding.tender.code
    with time_machine.travel(EVALUATING, tick=False):
        beta = bids["Beta Karya"]
        for criterion in ("administrative", "technical", "price"):
            response = client.post(
                f"/kelola/tender/{code}/evaluasi/{beta.pk}/hasil/",
                {"criterion": criterion, "verdict": "pass", "reason": "Memenuhi"},
            )
            assert response.status_code == 302
        page = client.get(f"/kelola/tender/{code}/evaluasi/").content.decode()
        assert "Beta Karya — Rp 1,200,000,000.00" in page
        response = client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/koreksi/",
            {"corrected_price": "lots", "reason": "x"},
            follow=True,
        )
        assert "Write the corrected price as a number" in response.content.decode()
    with time_machine.travel(DETERMINING, tick=False):
        client.force_login(member)  # days later: a new session
        client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/hasil/",
            {"criterion": "qualification", "verdict": "pass", "reason": "Hadir, lengkap"},
        )
        client.post(f"/kelola/tender/{code}/evaluasi/penetapan/", {"decision": "winner"})
        report = client.get(f"/kelola/tender/{code}/evaluasi/berita-acara.pdf")
    assert report.content.startswith(b"%PDF")
    assert TenderOutcome.objects.get().winner.company.name == "Beta Karya"


def test_R_8_5_the_public_sees_the_offers_after_opening_and_then_the_winner(opened, client):
    bidding, bids = opened
    member = bidding.setup.members[0]
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "1,200,000,000.00" in page and "Beta Karya" in page and "Winner determined" not in page
    with time_machine.travel(DETERMINING, tick=False):
        passes(member, bids["Beta Karya"], *THREE, Criterion.QUALIFICATION)
        outcome = services.winner_determine(actor=member, tender=bidding.tender)
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "Winner determined</strong>: Beta Karya" in page and outcome.report.sha256 in page
