"""Evaluation, ranking, winner determination and failed tenders (R-8.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.evaluation.models import Criterion, FailureKind, TenderOutcome, Verdict
from lpse.evaluation.services import announcement, failure
from lpse.evaluation.services import verdicts as services
from tests.evaluation_fixtures import DETERMINING, EVALUATING, THREE, passes, qualify
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db


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
    with time_machine.travel(EVALUATING, tick=False):
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.QUALIFICATION,
            verdict=Verdict.FAIL,
            reason="SBU tidak sesuai",
        )
        passes(member, bids["Cipta Mandiri"], Criterion.QUALIFICATION)
    with time_machine.travel(DETERMINING, tick=False):
        with pytest.raises(DomainError, match=r"Cipta Mandiri \(rank 2\) has not proved"):
            services.winner_determine(actor=member, tender=bidding.tender)
    from tests.evaluation_fixtures import prove

    prove(member, bids["Cipta Mandiri"])
    with time_machine.travel(DETERMINING, tick=False):
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
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.ALL_FAILED, reason="Gugur"
            )
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion=Criterion.QUALIFICATION,
            verdict=Verdict.FAIL,
            reason="SBU tidak sesuai",
        )
        with pytest.raises(DomainError, match="Say why the tender fails"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.ALL_FAILED, reason=""
            )
        # the two bids nobody evaluated do not fail by silence
        with pytest.raises(DomainError, match=r"not yet failed: .*Sinar Maros"):
            failure.tender_fail(
                actor=member, tender=bidding.tender, kind=FailureKind.ALL_FAILED, reason="Gugur"
            )
        for name in ("Cipta Mandiri", "Sinar Maros"):
            services.criterion_record(
                actor=member,
                opened_bid=bids[name],
                criterion=Criterion.ADMINISTRATIVE,
                verdict=Verdict.FAIL,
                reason="Surat penawaran tidak sah",
            )
        outcome = failure.tender_fail(
            actor=member,
            tender=bidding.tender,
            kind=FailureKind.ALL_FAILED,
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
        page = response.content.decode()
        assert response.status_code == 400
        assert "Write the corrected price as a number" in page
        assert "\nx</textarea>" in page  # what was typed is kept
        response = client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/koreksi/",
            {"corrected_price": "1150000000", "reason": "Jumlah harga satuan x volume"},
        )
        assert response.status_code == 302
        client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/hasil/",
            {"criterion": "price", "verdict": "pass", "reason": "Di bawah HPS"},
        )
        client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/hasil/",
            {"criterion": "qualification", "verdict": "pass", "reason": "Lengkap"},
        )
        response = client.post(
            f"/kelola/tender/{code}/evaluasi/{beta.pk}/undang/",
            {"proof_at": "2026-07-17T09:00", "place": "Ruang Pokja"},
        )
        assert response.status_code == 302
    invitation = beta.bid.invitations.get()
    with time_machine.travel(at(11, 10), tick=False):
        client.force_login(member)
        response = client.post(
            f"/kelola/tender/{code}/evaluasi/pembuktian/{invitation.pk}/",
            {"result": "qualified", "reason": ""},
        )
        assert response.status_code == 400  # the reason is required, the page says so
        client.post(
            f"/kelola/tender/{code}/evaluasi/pembuktian/{invitation.pk}/",
            {"result": "qualified", "reason": "Dokumen asli sesuai"},
        )
    with time_machine.travel(DETERMINING, tick=False):
        client.force_login(member)  # days later: a new session
        client.post(f"/kelola/tender/{code}/evaluasi/penetapan/")
        report = client.get(f"/kelola/tender/{code}/evaluasi/berita-acara.pdf")
    assert report.content.startswith(b"%PDF")
    assert TenderOutcome.objects.get().winner.company.name == "Beta Karya"


def test_R_8_5_the_public_sees_the_offers_after_opening_and_then_the_winner(opened, client):
    bidding, bids = opened
    member = bidding.setup.members[0]
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "1,200,000,000.00" in page and "Beta Karya" in page and "Winner determined" not in page
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, bids["Beta Karya"], *THREE)
    qualify(member, bids["Beta Karya"])
    with time_machine.travel(DETERMINING, tick=False):
        outcome = services.winner_determine(actor=member, tender=bidding.tender)
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "Winner determined" not in page  # decided, but not announced yet
    with time_machine.travel(at(15, 10), tick=False):
        announcement.outcome_announce(actor=member, tender=bidding.tender)
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "Winner determined</strong>: Beta Karya" in page and outcome.report.sha256 in page
