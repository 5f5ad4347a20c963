"""R-3.6: provider verification (annex 1.2) and schedule changes (annex 3.3) record when their
step started and ended, so the compliance report can judge them against the standard time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.core.models import StepTiming
from lpse.core.standard_times import Procedure
from lpse.providers.models import Verification, VerificationItem
from lpse.providers.services import registration as provider_services
from lpse.tenders.services.schedule_changes import (
    schedule_change_apply,
    schedule_change_refuse,
    schedule_change_request,
)
from tests.tender_fixtures import at
from tests.test_provider_registration import register
from tests.test_schedule_changes import later_bids

pytestmark = pytest.mark.django_db


def every_item_present():
    return [
        provider_services.CheckResult(item.pk, True)
        for item in VerificationItem.objects.filter(active=True)
    ]


def test_R_3_6_verification_is_timed_from_opening_the_file_to_the_decision(
    reference_data, make_user, client
):
    verifier = make_user(Role.VERIFIER)
    with time_machine.travel(at(0, 9), tick=False):
        company = register()
    client.force_login(verifier)
    with time_machine.travel(at(1, 10), tick=False):
        assert client.get(f"/verifikasi/{company.pk}/").status_code == 200
    with time_machine.travel(at(1, 10, 5), tick=False):
        client.get(f"/verifikasi/{company.pk}/")  # opening it again keeps the first start
    with time_machine.travel(at(1, 10, 22), tick=False):
        verification = provider_services.verification_decide(
            actor=verifier,
            company=company,
            checks=every_item_present(),
            outcome=Verification.Outcome.COMPLETE,
        )
    timing = StepTiming.objects.get(procedure=Procedure.PROVIDER_VERIFICATION)
    assert timing.step == "verify" and timing.subject_id == str(verification.pk)
    assert (timing.started_at, timing.ended_at) == (at(1, 10), at(1, 10, 22))
    assert timing.actor == verifier


def test_R_3_6_a_schedule_change_is_timed_from_the_request_to_the_decision(
    published_tender, agency_a, make_user
):
    admin = make_user(Role.APP_ADMIN)
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Adendum dokumen tender: waktu penyusunan penawaran diperpanjang.",
        )
    timing = StepTiming.objects.get(procedure=Procedure.SCHEDULE_CHANGE)
    assert (timing.step, timing.started_at, timing.ended_at) == ("apply", at(2, 10), None)
    with time_machine.travel(at(2, 10, 25), tick=False):
        schedule_change_apply(actor=admin, change=change)
    timing.refresh_from_db()
    assert timing.ended_at - timing.started_at == timedelta(minutes=25)
    assert timing.actor == admin

    # A refusal ends the step too.
    with time_machine.travel(at(2, 11), tick=False):
        refused = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender, days=1),
            reason="Perpanjangan lagi karena permintaan peserta.",
        )
    with time_machine.travel(at(2, 11, 40), tick=False):
        schedule_change_refuse(actor=admin, change=refused, note="Tidak ada dasar perubahan.")
    timing = StepTiming.objects.get(subject_id=str(refused.pk))
    assert timing.ended_at - timing.started_at == timedelta(minutes=40)
