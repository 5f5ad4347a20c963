"""The OCDS publisher follows the audit log (R-9.5, issue 18): a run looks only at the tenders
that audited writes since the last run concern; ``--full`` looks at every one (a repair)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from lpse.accounts.roles import Role
from lpse.demo.generate import generate_tenders
from lpse.portal.models import OCDSPublisherState, OCDSRelease
from lpse.portal.ocds import store
from lpse.tenders.models import Tender
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from tests.tender_fixtures import PREPARED_AT, at
from tests.test_schedule_changes import later_bids

pytestmark = pytest.mark.django_db


@pytest.fixture
def looked_at(monkeypatch) -> list[str]:
    """The codes of the tenders each run builds releases for (the real builder still runs)."""
    codes: list[str] = []
    real = store._publish_tender

    def recording(tender, state):
        codes.append(tender.code)
        return real(tender, state)

    monkeypatch.setattr(store, "_publish_tender", recording)
    return codes


@pytest.fixture
def many(published_tender, agency_a) -> Tender:
    """The service-made tender among five generated ones, all published by a first run."""
    generate_tenders(
        5,
        ppk=agency_a.ppk,
        committee=agency_a.committee,
        seed=3,
        start=PREPARED_AT - timedelta(days=1),
    )
    assert store.releases_publish() == 12  # planning and tender for each of the six
    return published_tender


def test_R_9_5_a_run_with_nothing_new_looks_at_no_tender_and_writes_nothing(many, looked_at):
    releases = OCDSRelease.objects.count()
    assert store.releases_publish() == 0
    assert looked_at == []
    assert OCDSRelease.objects.count() == releases
    state = OCDSPublisherState.objects.get()
    assert state.audit_seq > 0 and state.last_run_at is not None


def test_R_9_5_a_schedule_change_is_picked_up_and_only_its_tender_looked_at(
    many, looked_at, agency_a, make_user
):
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=many,
            new_schedule=later_bids(many),
            reason="Adendum: waktu penyusunan penawaran diperpanjang.",
        )
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
        assert store.releases_publish() == 1
    assert looked_at == [many.code]
    last = OCDSRelease.objects.filter(ocid__endswith=many.code, kind="tender").latest("seq")
    assert last.tags == ["tenderAmendment"]
    looked_at.clear()
    assert store.releases_publish() == 0 and looked_at == []  # caught up


def test_R_9_5_the_full_run_looks_at_every_tender_and_publishes_what_bypassed_the_log(
    many, looked_at, agency_a
):
    # A bulk load (the generator writes rows without services): only the full run sees it.
    Tender.objects.filter(pk=many.pk).update(qualification_requirements="SBU kecil, KBLI 41011")
    assert store.releases_publish() == 0 and looked_at == []
    call_command("ocds_publish", "--full", stdout=(out := StringIO()))
    assert len(looked_at) == 6 and many.code in looked_at
    assert out.getvalue().strip() == "1 new releases"
    last = OCDSRelease.objects.filter(ocid__endswith=many.code, kind="tender").latest("seq")
    assert last.data["tender"]["eligibilityCriteria"] == "SBU kecil, KBLI 41011"
