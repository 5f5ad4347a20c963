"""From the decision to the contract (R-8.4, R-8.5): announcement to every bidder, objections
(sanggah) only within the period, the committee's answers, award letter (SPPBJ) and contract by
the PPK, with the clock moved through the sample schedule (tests/tender_fixtures.py):
announcement day 15 from 09:00, objection period day 15 16:00 → day 22 16:00 (Tue 28 Jul 2026),
award letter from day 23."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.core.storage import open_blob
from lpse.evaluation.models import Objection, TenderOutcome
from lpse.evaluation.selectors import current_outcome
from lpse.evaluation.services import announcement, award, objections
from lpse.evaluation.services import verdicts as services
from tests.evaluation_fixtures import DETERMINING, EVALUATING, THREE, passes, qualify
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db

ANNOUNCING = at(15, 10)
OBJECTING = at(16, 10)
AFTER_PERIOD = at(23, 10)


@pytest.fixture
def announced(opened, django_capture_on_commit_callbacks):
    """Beta Karya (1.20 bn) wins; Cipta Mandiri (1.25 bn) and Sinar Maros (1.30 bn) lose;
    Sinar Maros's price was corrected from 1.30 to 1.28 bn."""
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], *THREE[:2])
        services.price_correct(
            actor=member,
            opened_bid=bids["Sinar Maros"],
            corrected_price=Decimal("1280000000"),
            reason="Penjumlahan volume galian salah",
        )
        for name in bids:
            passes(member, bids[name], THREE[2])
    qualify(member, bids["Beta Karya"])
    with time_machine.travel(DETERMINING, tick=False):
        services.winner_determine(actor=member, tender=bidding.tender)
    with (
        time_machine.travel(ANNOUNCING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        announcement.outcome_announce(actor=member, tender=bidding.tender)
    return bidding, bids, member


def user_of(opened_bid):
    return opened_bid.bid.company.user


def file_objection(opened_bid, grounds="Harga pemenang tidak wajar", **kwargs):
    return objections.objection_file(
        actor=user_of(opened_bid), tender=opened_bid.bid.tender, grounds=grounds, **kwargs
    )


def test_R_8_4_the_announcement_mails_every_bidder_its_own_result_and_reasons(announced):
    bidding, bids, _member = announced
    mails = {m.to: m for m in SentEmail.objects.filter(subject__contains="result of the selection")}
    assert set(mails) == {o.bid.company.email for o in bids.values()}
    sinar = mails[bids["Sinar Maros"].bid.company.email].body
    assert "Winner: Beta Karya" in sinar
    assert "Penjumlahan volume galian salah" in sinar  # its own correction and reason
    assert "objection" in sinar and "28 Jul 2026 16:00 WITA" in sinar
    beta = mails[bids["Beta Karya"].bid.company.email].body
    assert "Your company is the winner." in beta
    assert "Penjumlahan volume galian salah" not in beta  # nobody else's reasons
    outcome = current_outcome(bidding.tender)
    assert outcome.objections_close_at == at(22, 16)
    event = AuditEvent.objects.get(action="outcome.announce")
    assert event.actor == bidding.setup.members[0]


def test_R_8_4_the_winner_is_announced_only_from_the_announcement_stage(opened):
    (
        bidding,
        bids,
    ) = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, bids["Beta Karya"], *THREE)
    qualify(member, bids["Beta Karya"])
    with time_machine.travel(DETERMINING, tick=False):
        services.winner_determine(actor=member, tender=bidding.tender)
        with pytest.raises(DomainError, match="announced from 21 Jul 2026 09:00 WITA"):
            announcement.outcome_announce(actor=member, tender=bidding.tender)


def test_R_8_4_an_objection_only_within_the_objection_period(announced):
    _bidding, bids, _member = announced
    cipta = bids["Cipta Mandiri"]
    with time_machine.travel(at(15, 15, 59), tick=False):
        with pytest.raises(DomainError, match="opens on 21 Jul 2026 16:00 WITA"):
            file_objection(cipta)
    with time_machine.travel(at(22, 16), tick=False):
        with pytest.raises(DomainError, match="closed on 28 Jul 2026 16:00 WITA"):
            file_objection(cipta)
    with time_machine.travel(at(22, 15, 59), tick=False):
        objection = file_objection(cipta)
    assert objection.answer_due == at(22, 16) + timedelta(days=3)
    assert not Objection.objects.exclude(pk=objection.pk).exists()


def test_R_8_4_only_a_losing_bidder_objects_and_only_once(announced, make_user):
    bidding, bids, _member = announced
    from lpse.accounts.roles import Role

    with time_machine.travel(OBJECTING, tick=False):
        with pytest.raises(DomainError, match="own selection"):
            file_objection(bids["Beta Karya"])
        with pytest.raises(DomainError, match="Only a bidder"):
            objections.objection_file(
                actor=make_user(Role.PROVIDER, username="bukan-peserta"),
                tender=bidding.tender,
                grounds="x",
            )
        with pytest.raises(DomainError, match="grounds"):
            file_objection(bids["Cipta Mandiri"], grounds="  ")
        file_objection(bids["Cipta Mandiri"])
        with pytest.raises(DomainError, match="already filed"):
            file_objection(bids["Cipta Mandiri"])
    assert Objection.objects.count() == 1


def test_R_8_4_objection_attachments_are_kept_with_their_hashes(announced):
    _bidding, bids, _member = announced
    proof = SimpleUploadedFile("perhitungan.pdf", b"%PDF-1.4 perhitungan ulang")
    too_big = SimpleUploadedFile("besar.pdf", b"x" * (objections.MAX_ATTACHMENT_MB * 2**20 + 1))
    with time_machine.travel(OBJECTING, tick=False):
        with pytest.raises(DomainError, match="larger than"):
            file_objection(bids["Cipta Mandiri"], attachments=[too_big])
        assert not Objection.objects.exists()  # nothing half-written
        objection = file_objection(bids["Cipta Mandiri"], attachments=[proof])
    [attachment] = objection.attachments.all()
    assert attachment.blob.sha256 == hashlib.sha256(b"%PDF-1.4 perhitungan ulang").hexdigest()
    event = AuditEvent.objects.get(action="objection.file")
    assert event.data["attachments"][0]["sha256"] == attachment.blob.sha256


def test_R_8_4_no_award_while_the_period_runs_or_an_objection_is_unanswered(
    announced, django_capture_on_commit_callbacks
):
    bidding, bids, member = announced
    ppk = bidding.tender.package.ppk
    with time_machine.travel(OBJECTING, tick=False):
        objection = file_objection(bids["Cipta Mandiri"])
        with pytest.raises(DomainError, match="objection period runs until 28 Jul 2026"):
            award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
    with time_machine.travel(AFTER_PERIOD, tick=False):
        with pytest.raises(DomainError, match=r"1 objection\(s\) still wait"):
            award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
        with django_capture_on_commit_callbacks(execute=True):
            objections.objection_answer(
                actor=member,
                objection=objection,
                answer="Harga pemenang telah diklarifikasi dan wajar.",
                upheld=False,
            )
        with pytest.raises(DomainError, match="not allowed"):
            award.award_issue(actor=member, tender=bidding.tender, number="027/SPPBJ/2026")
        letter = award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
    assert letter.value == Decimal("1200000000.00")
    with open_blob(letter.document) as f:
        data = f.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == letter.document.sha256
    assert hashlib.md5(data).hexdigest() == letter.document.md5
    event = AuditEvent.objects.get(action="award.issue")
    # The event records the letter; the stored copy is that letter followed by the event's
    # log proof.
    assert event.actor == ppk and data.startswith(b"%PDF")
    from lpse.core.documents import pdf_log_proof

    proof = pdf_log_proof(data)
    assert event.data["sha256"] == proof["document"]["sha256"]
    assert hashlib.sha256(data[: proof["document"]["size"]]).hexdigest() == event.data["sha256"]
    answer_mail = SentEmail.objects.get(subject__contains="answer to your objection")
    assert answer_mail.to == bids["Cipta Mandiri"].bid.company.email
    assert "Harga pemenang telah diklarifikasi" in answer_mail.body


def test_R_8_4_an_answer_after_its_deadline_is_recorded_as_late(announced):
    _bidding, bids, member = announced
    with time_machine.travel(OBJECTING, tick=False):
        objection = file_objection(bids["Cipta Mandiri"])
    with time_machine.travel(at(26, 10), tick=False):
        answered = objections.objection_answer(
            actor=member, objection=objection, answer="Tidak beralasan.", upheld=False
        )
    assert answered.answered_late
    assert AuditEvent.objects.get(action="objection.answer").data["late"] is True


def contract_data(**overrides) -> award.ContractData:
    data = {
        "number": "600/KONTRAK/DPUPR/2026",
        "value": Decimal("1200000000"),
        "signed_on": date(2026, 7, 30),
        "starts_on": date(2026, 8, 3),
        "ends_on": date(2026, 11, 30),
        "ppk_signatory": "Ir. Andi Baso, PPK DPUPR",
        "provider_signatory": "Direktur Beta Karya",
    }
    data.update(overrides)
    return award.ContractData(**data)


def test_R_8_4_the_contract_value_may_not_exceed_the_evaluated_offer(announced):
    bidding, _bids, _member = announced
    ppk = bidding.tender.package.ppk
    with time_machine.travel(AFTER_PERIOD, tick=False):
        with pytest.raises(DomainError, match=r"award letter \(SPPBJ\) first"):
            award.contract_record(actor=ppk, tender=bidding.tender, data=contract_data())
        award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
        with pytest.raises(DomainError, match="above the winner's evaluated offer"):
            award.contract_record(
                actor=ppk, tender=bidding.tender, data=contract_data(value=Decimal("1200000000.01"))
            )
        with pytest.raises(DomainError, match="ends after it starts"):
            award.contract_record(
                actor=ppk, tender=bidding.tender, data=contract_data(ends_on=date(2026, 8, 1))
            )
        with pytest.raises(DomainError, match="signed after the award letter"):
            award.contract_record(
                actor=ppk, tender=bidding.tender, data=contract_data(signed_on=date(2026, 7, 1))
            )
        contract = award.contract_record(
            actor=ppk, tender=bidding.tender, data=contract_data(value=Decimal("1195000000"))
        )
        with pytest.raises(DomainError, match="already recorded"):
            award.contract_record(actor=ppk, tender=bidding.tender, data=contract_data())
    assert contract.value == Decimal("1195000000")
    assert AuditEvent.objects.get(action="contract.record").actor == ppk


def test_R_8_4_an_upheld_objection_sends_the_tender_back_to_evaluation(announced):
    bidding, bids, member = announced
    with time_machine.travel(OBJECTING, tick=False):
        objection = file_objection(bids["Cipta Mandiri"], grounds="Pemenang tidak punya SBU")
    with time_machine.travel(at(23, 9), tick=False):
        objections.objection_answer(
            actor=member,
            objection=objection,
            answer="SBU pemenang sudah kedaluwarsa.",
            upheld=True,
            consequence=Objection.Consequence.RE_EVALUATE,
        )
        first = TenderOutcome.objects.get(tender=bidding.tender)
        assert first.annulled_at is not None and "SBU pemenang" in first.annulled_reason
        assert current_outcome(bidding.tender) is None
        # evaluation is open again: Beta's qualification now fails, Cipta is next
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion="qualification",
            verdict="fail",
            reason="SBU kedaluwarsa",
        )
        passes(member, bids["Cipta Mandiri"], "qualification")
    qualify_at = at(24, 9)
    from tests.evaluation_fixtures import prove

    prove(member, bids["Cipta Mandiri"], invite_at=at(23, 10), proof_at=qualify_at)
    with time_machine.travel(at(24, 11), tick=False):
        outcome = services.winner_determine(actor=member, tender=bidding.tender)
        announcement.outcome_announce(actor=member, tender=bidding.tender)
    outcome.refresh_from_db()
    assert outcome.winner.company.name == "Cipta Mandiri"
    # the schedule's period has passed: a fresh one of 5 working days from Thu 30 Jul, to the
    # end of Thu 6 Aug
    assert outcome.objections_open_at == at(24, 11)
    assert outcome.objections_close_at == at(32, 0)
    with time_machine.travel(at(25, 10), tick=False):
        file_objection(bids["Sinar Maros"], grounds="Keberatan atas hasil evaluasi ulang")


def test_R_8_4_an_upheld_objection_can_fail_the_tender_for_a_re_tender(announced):
    bidding, bids, member = announced
    with time_machine.travel(OBJECTING, tick=False):
        objection = file_objection(bids["Cipta Mandiri"])
        objections.objection_answer(
            actor=member,
            objection=objection,
            answer="Spesifikasi dalam dokumen tender keliru.",
            upheld=True,
            consequence=Objection.Consequence.RE_TENDER,
        )
    outcome = current_outcome(bidding.tender)
    assert outcome.state == TenderOutcome.State.FAILED
    assert outcome.failure_kind == "objection_upheld"
    ppk = bidding.tender.package.ppk
    with (
        time_machine.travel(AFTER_PERIOD, tick=False),
        pytest.raises(DomainError, match="No winner"),
    ):
        award.award_issue(actor=ppk, tender=bidding.tender, number="1")


def test_R_8_4_an_upheld_answer_must_say_what_follows(announced):
    _bidding, bids, member = announced
    with time_machine.travel(OBJECTING, tick=False):
        objection = file_objection(bids["Cipta Mandiri"])
        with pytest.raises(DomainError, match="consequence"):
            objections.objection_answer(
                actor=member, objection=objection, answer="Benar.", upheld=True
            )
        with pytest.raises(DomainError, match="Write the answer"):
            objections.objection_answer(actor=member, objection=objection, answer="", upheld=False)
    assert Objection.objects.get().state == Objection.State.FILED


def test_R_8_4_a_bidder_sees_its_own_reasons_and_only_the_public_part_of_others(announced, client):
    bidding, bids, _member = announced
    code = bidding.tender.code
    client.force_login(user_of(bids["Sinar Maros"]))
    mine = client.get(f"/tender/{code}/hasil-saya/").content.decode()
    assert "Penjumlahan volume galian salah" in mine  # its own correction reason
    assert "Memenuhi syarat" in mine  # its own verdicts' reasons
    public = client.get(f"/tender/{code}/").content.decode()
    assert "Penjumlahan volume galian salah" not in public
    assert "Dokumen asli sesuai" not in public  # the winner's proof details stay internal
    assert "1,280,000,000.00" in public  # the evaluated price is public
    assert "Winner" in public and "Beta Karya" in public
    # another provider's result page does not exist for this one
    client.force_login(user_of(bids["Cipta Mandiri"]))
    assert (
        "Penjumlahan volume galian salah"
        not in client.get(f"/tender/{code}/hasil-saya/").content.decode()
    )


def test_R_8_4_before_the_announcement_a_bidder_sees_no_verdicts(opened, client):
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        services.criterion_record(
            actor=member,
            opened_bid=bids["Cipta Mandiri"],
            criterion="administrative",
            verdict="fail",
            reason="Surat penawaran tidak ditandatangani",
        )
    client.force_login(user_of(bids["Cipta Mandiri"]))
    page = client.get(f"/tender/{bidding.tender.code}/hasil-saya/").content.decode()
    assert "Surat penawaran tidak ditandatangani" not in page
    assert "once the result is announced" in page


def test_R_8_4_the_public_report_is_the_hashed_pdf_of_the_announced_outcome(announced, client):
    bidding, _bids, _member = announced
    outcome = current_outcome(bidding.tender)
    response = client.get(f"/tender/{bidding.tender.code}/hasil.pdf")
    data = b"".join(response)
    assert response.status_code == 200 and data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == outcome.report.sha256
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert outcome.report.sha256 in page and outcome.report.md5 in page


def test_R_8_4_an_objection_against_a_result_set_aside_must_still_be_answered(announced, client):
    """Two losers object; one is upheld (evaluate again). The other, filed against the result
    now set aside, still blocks the award until answered — without a consequence of its own —
    and both objectors keep seeing their objection and its answer."""
    from tests.evaluation_fixtures import prove

    bidding, bids, member = announced
    ppk = bidding.tender.package.ppk
    with time_machine.travel(OBJECTING, tick=False):
        upheld = file_objection(bids["Cipta Mandiri"], grounds="SBU pemenang kedaluwarsa")
        waiting = file_objection(bids["Sinar Maros"], grounds="Koreksi harga keliru")
        objections.objection_answer(
            actor=member,
            objection=upheld,
            answer="Benar, SBU kedaluwarsa.",
            upheld=True,
            consequence=Objection.Consequence.RE_EVALUATE,
        )
        services.criterion_record(
            actor=member,
            opened_bid=bids["Beta Karya"],
            criterion="qualification",
            verdict="fail",
            reason="SBU kedaluwarsa",
        )
        passes(member, bids["Cipta Mandiri"], "qualification")
    client.force_login(user_of(bids["Cipta Mandiri"]))
    assert (
        "Benar, SBU kedaluwarsa."
        in client.get(f"/tender/{bidding.tender.code}/hasil-saya/").content.decode()
    )
    assert (
        "Benar, SBU kedaluwarsa." in client.get(f"/tender/{bidding.tender.code}/").content.decode()
    )
    prove(member, bids["Cipta Mandiri"], invite_at=at(17, 9), proof_at=at(17, 13))
    with time_machine.travel(at(17, 15), tick=False):
        services.winner_determine(actor=member, tender=bidding.tender)
        announcement.outcome_announce(actor=member, tender=bidding.tender)
    with time_machine.travel(at(40, 10), tick=False):
        with pytest.raises(DomainError, match=r"1 objection\(s\) still wait"):
            award.award_issue(actor=ppk, tender=bidding.tender, number="1/SPPBJ")
        with pytest.raises(DomainError, match="already set aside"):
            objections.objection_answer(
                actor=member,
                objection=waiting,
                answer="Hasil itu sudah dibatalkan.",
                upheld=True,
                consequence=Objection.Consequence.RE_TENDER,
            )
        objections.objection_answer(
            actor=member, objection=waiting, answer="Hasil itu sudah dibatalkan.", upheld=True
        )
        assert current_outcome(bidding.tender).winner == bids["Cipta Mandiri"].bid
        award.award_issue(actor=ppk, tender=bidding.tender, number="1/SPPBJ")


def test_R_8_4_a_late_announcement_still_gives_the_whole_objection_period(opened):
    """Announced when the scheduled period is almost over (Tue 28 Jul 15:00 WITA): the losers
    still get the stage's five working days, to the end of Tue 4 Aug."""
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, bids["Beta Karya"], *THREE)
    qualify(member, bids["Beta Karya"])
    with time_machine.travel(DETERMINING, tick=False):
        services.winner_determine(actor=member, tender=bidding.tender)
    with time_machine.travel(at(22, 15), tick=False):
        outcome = announcement.outcome_announce(actor=member, tender=bidding.tender)
    assert outcome.objections_close_at == at(30, 0)


def test_R_8_4_the_contract_date_is_compared_with_the_award_date_in_WITA(announced):
    """An SPPBJ issued at 07:30 WITA on Wed 29 Jul is 23:30 UTC on the 28th: a contract signed
    on the 28th is before it."""
    bidding, _bids, _member = announced
    ppk = bidding.tender.package.ppk
    with time_machine.travel(at(23, 7, 30), tick=False):
        award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
        with pytest.raises(DomainError, match=r"after the award letter \(29-07-2026\)"):
            award.contract_record(
                actor=ppk, tender=bidding.tender, data=contract_data(signed_on=date(2026, 7, 28))
            )
