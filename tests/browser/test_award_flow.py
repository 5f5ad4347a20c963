"""From an opened tender to the contract, clicked through in Chromium (R-8.4, R-8.5).

Three bids were opened (tests/evaluation_fixtures.py ``opened``): Beta Karya 1.20 bn (received
first), Cipta Mandiri 1.25 bn, Sinar Maros 1.30 bn. The committee fails Sinar Maros on the
administrative evaluation and corrects Cipta Mandiri's arithmetic to 1.19 bn, which puts it first;
Cipta proves its qualification and wins; the announcement reaches every bidder over real SMTP;
Beta Karya objects with an attachment; the committee answers; after the objection period the PPK
issues the award letter and records the contract; the public page shows it all.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from lpse.evaluation.models import Contract, TenderOutcome
from tests.browser.test_sealed_bid_flow import sign_in
from tests.evaluation_fixtures import DETERMINING, EVALUATING
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db(transaction=True)


def record(page: Page, card, criterion: str, verdict: str, reason: str) -> None:
    # Each action reloads the page, which shows the card's form folded again.
    card.locator("summary", has_text="Record a result").click()
    form = card.locator("form.verdict")
    form.locator("[name=criterion]").select_option(criterion)
    form.locator("[name=verdict]").select_option(verdict)
    form.locator("[name=reason]").fill(reason)
    form.get_by_role("button", name="Record").click()
    expect(page.locator("ul.messages")).to_contain_text("Evaluation recorded.")


def test_the_committee_evaluates_the_loser_objects_and_the_ppk_records_the_contract(
    new_page, opened, smtp_server, tmp_path
):
    bidding, bids = opened
    code = bidding.tender.code
    member, ppk = bidding.setup.members[0], bidding.tender.package.ppk
    sinar, beta, cipta = bids["Sinar Maros"], bids["Beta Karya"], bids["Cipta Mandiri"]
    committee, loser, boss = new_page(), new_page(), new_page()

    with time_machine.travel(EVALUATING, tick=True) as clock:
        sign_in(committee, member.username)
        committee.goto(f"/kelola/tender/{code}/evaluasi/")
        record(committee, committee.locator(f"#bid-{sinar.pk}"), "administrative", "fail",
               "Jaminan penawaran tidak dilampirkan")  # fmt: skip
        card = committee.locator(f"#bid-{cipta.pk}")
        card.locator("summary", has_text="Record a result").click()
        correction = card.locator("form.correction")
        correction.locator("[name=corrected_price]").fill("1190000000")
        correction.locator("[name=reason]").fill("Jumlah harga satuan × volume tidak sesuai")
        correction.get_by_role("button", name="Record the correction").click()
        expect(committee.locator("ul.messages")).to_contain_text("Correction recorded.")
        for opened_bid in (beta, cipta):
            for criterion in ("administrative", "technical", "price"):
                card = committee.locator(f"#bid-{opened_bid.pk}")
                record(committee, card, criterion, "pass", "Memenuhi syarat")
        ranking = committee.locator("#ranking ol li")
        expect(ranking.nth(0)).to_contain_text("Cipta Mandiri — Rp 1,190,000,000.00")
        expect(ranking.nth(1)).to_contain_text("Beta Karya — Rp 1,200,000,000.00")
        record(committee, committee.locator(f"#bid-{cipta.pk}"), "qualification", "pass",
               "SBU, NIB dan pengalaman sesuai")  # fmt: skip
        rank = committee.locator(f"#rank-{cipta.bid_id}")
        rank.locator("summary", has_text="Invite to the qualification proof").click()
        rank.locator("[name=proof_at]").fill("2026-07-17T09:00")
        rank.locator("[name=place]").fill("Ruang Pokja DPUPR, Lt. 2")
        rank.get_by_role("button", name="Send the invitation").click()
        expect(committee.locator("ul.messages")).to_contain_text("Invitation sent.")
        invitation = smtp_server.wait_for(cipta.bid.company.email, "qualification proof")
        assert "17 Jul 2026 09:00 WITA" in invitation.get_content()

        clock.move_to(at(11, 10))  # a day later: the session has expired, sign in again
        sign_in(committee, member.username)
        committee.goto(f"/kelola/tender/{code}/evaluasi/")
        rank = committee.locator(f"#rank-{cipta.bid_id}")
        rank.locator("[name=result]").select_option("qualified")
        rank.locator("[name=reason]").fill("Dokumen asli sesuai")
        rank.get_by_role("button", name="Record the result").click()
        expect(committee.locator("ul.messages")).to_contain_text("Qualification proof recorded.")

        clock.move_to(DETERMINING)
        sign_in(committee, member.username)
        committee.goto(f"/kelola/tender/{code}/evaluasi/")
        committee.get_by_role("button", name="Determine the winner").click()
        expect(committee.locator("#outcome")).to_contain_text("Winner determined: Cipta Mandiri")
        report_sha = re.search(r"SHA-256 ([0-9a-f]{64})", committee.inner_text("#outcome"))[1]

        clock.move_to(at(15, 10))
        sign_in(committee, member.username)
        committee.goto(f"/kelola/tender/{code}/evaluasi/")
        committee.get_by_role("button", name="Announce the result and e-mail every bidder").click()
        expect(committee.locator("#outcome")).to_contain_text("objection period")
        for opened_bid in (sinar, beta, cipta):
            smtp_server.wait_for(opened_bid.bid.company.email, "result of the selection")
        sinar_mail = smtp_server.wait_for(sinar.bid.company.email, "result of the selection")
        assert "Jaminan penawaran tidak dilampirkan" in sinar_mail.get_content()

        clock.move_to(at(16, 10))
        sign_in(loser, beta.bid.company.user.username)
        loser.goto(f"/tender/{code}/hasil-saya/")
        expect(loser.locator("#my-result")).to_contain_text("Memenuhi syarat")
        evidence = tmp_path / "perhitungan.pdf"
        evidence.write_bytes(b"%PDF-1.4 perhitungan ulang koreksi aritmatik")
        form = loser.locator("#objection-form")
        form.locator("[name=grounds]").fill(
            "Koreksi aritmatik atas penawaran Cipta Mandiri keliru."
        )
        form.locator("[name=attachments]").set_input_files(str(evidence))
        form.get_by_role("button", name="File the objection").click()
        expect(loser.locator("#my-objection")).to_contain_text("Waiting for the committee")
        smtp_server.wait_for(member.email, "objection from Beta Karya")

        clock.move_to(at(17, 10))
        sign_in(committee, member.username)
        committee.goto(f"/kelola/tender/{code}/evaluasi/")
        answer = committee.locator("#objections form.answer")
        answer.locator("[name=answer]").fill("Koreksi sesuai harga satuan dalam penawaran.")
        answer.locator("[name=upheld]").select_option("no")
        answer.get_by_role("button", name="Send the answer").click()
        expect(committee.locator("#objections")).to_contain_text("Answered: not upheld")
        reply = smtp_server.wait_for(beta.bid.company.email, "answer to your objection")
        assert "Koreksi sesuai harga satuan" in reply.get_content()

        clock.move_to(at(23, 10))
        sign_in(boss, ppk.username)
        boss.goto(f"/kelola/tender/{code}/kontrak/")
        boss.locator("#award-form [name=number]").fill("027/SPPBJ/DPUPR/2026")
        boss.get_by_role("button", name="Issue the SPPBJ").click()
        expect(boss.locator("#award")).to_contain_text("027/SPPBJ/DPUPR/2026")
        shown = re.search(r"SHA-256 ([0-9a-f]{64})", boss.inner_text("#award"))[1]
        with boss.expect_download() as download:
            boss.get_by_role("link", name="Download the SPPBJ (PDF)").click()
        letter = Path(download.value.path()).read_bytes()
        assert letter.startswith(b"%PDF") and hashlib.sha256(letter).hexdigest() == shown
        smtp_server.wait_for(cipta.bid.company.email, "award letter")

        contract = boss.locator("#contract-form")
        contract.locator("[name=number]").fill("600/KONTRAK/DPUPR/2026")
        contract.locator("[name=value]").fill("1190000000.01")
        contract.locator("[name=signed_on]").fill("2026-07-30")
        contract.locator("[name=starts_on]").fill("2026-08-03")
        contract.locator("[name=ends_on]").fill("2026-11-30")
        contract.locator("[name=ppk_signatory]").fill("Ir. Andi Baso")
        contract.locator("[name=provider_signatory]").fill("Direktur Cipta Mandiri")
        contract.get_by_role("button", name="Record the contract").click()
        contract = boss.locator("#contract-form")
        expect(contract).to_contain_text("above the winner's evaluated offer")
        expect(contract.locator("[name=number]")).to_have_value("600/KONTRAK/DPUPR/2026")
        contract.locator("[name=value]").fill("1185000000")
        contract.get_by_role("button", name="Record the contract").click()
        expect(boss.locator("#contract")).to_contain_text("600/KONTRAK/DPUPR/2026")

        public = new_page()
        public.goto(f"/tender/{code}/")
        results = public.locator("#results")
        expect(results.locator("#outcome")).to_contain_text("Winner determined: Cipta Mandiri")
        expect(results).to_contain_text(report_sha)
        expect(results).to_contain_text("Fails: Administrative")
        expect(results.locator("#objections")).to_contain_text("Koreksi sesuai harga satuan")
        expect(results.locator("#contract")).to_contain_text("Rp 1,185,000,000.00")
        expect(results).not_to_contain_text("Jaminan penawaran tidak dilampirkan")

    outcome = TenderOutcome.objects.get(tender=bidding.tender)
    assert outcome.report.sha256 == report_sha
    assert Contract.objects.get().value == 1185000000
