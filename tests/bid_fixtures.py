"""Fixtures for sealed bids: a tender of a five-member committee that opens 3-of-5, a verified
provider registered for it, and helpers to seal and submit envelopes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from lpse.bids import envelope
from lpse.bids.services import submission
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from tests.tender_fixtures import PREPARED_AT, at, draft_tender, make_agency_setup, publish

DURING_BIDDING = at(2, 10)  # Wednesday 8 July 2026 10:00 WITA
DEADLINE = at(9, 10)  # Wednesday 15 July 2026 10:00 WITA
AT_OPENING = at(9, 10, 30)


@dataclass
class BiddingTender:
    tender: object
    setup: object
    provider: object

    @property
    def recipient(self) -> str:
        return self.tender.bid_key.recipient


@pytest.fixture
def five_member_agency(make_user):
    return make_agency_setup(make_user, "RSUD", size=5)


@pytest.fixture
def bidding(five_member_agency, verified_provider):
    from lpse.catalog.models import BusinessSubField  # noqa: F401  (reference data loaded)

    setup = five_member_agency
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(setup)
        tender.opening_threshold = 3
        tender.save(update_fields=["opening_threshold"])
        tender = publish(setup, tender)
    with time_machine.travel(at(0, 9), tick=False):
        services.pact_sign(actor=verified_provider, tender=tender)
        participation.participation_register(actor=verified_provider, tender=tender)
    tender.refresh_from_db()
    return BiddingTender(tender=tender, setup=setup, provider=verified_provider)


def seal(
    recipient: str,
    tender_code: str,
    price: str = "1234567890.50",
    *,
    documents: dict[str, bytes] | None = None,
) -> bytes:
    """An envelope as the browser or `lpse apendo encrypt` makes it."""
    import tarfile

    import pyrage
    from pyrage import x25519

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        offer = envelope.Offer(
            tender=tender_code,
            total_price=Decimal(price),
            validity_days=60,
            declarations=["integrity"],
        ).to_json()
        for name, data in [
            ("offer.json", offer),
            *[(f"documents/{n}", d) for n, d in (documents or {"penawaran.pdf": b"%PDF"}).items()],
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return pyrage.encrypt(buffer.getvalue(), [x25519.Recipient.from_str(recipient)])


def submit(provider, tender, data: bytes, *, chunk: int | None = None):
    """Upload ``data`` in chunks through the service, as the page does; returns the bid."""
    upload = submission.upload_start(actor=provider, tender=tender, length=len(data))
    offset = 0
    result = upload
    step = chunk or len(data)
    while offset < len(data):
        piece = data[offset : offset + step]
        result = submission.upload_append(
            actor=provider,
            upload=upload,
            offset=offset,
            stream=io.BytesIO(piece),
            length=len(piece),
        )
        offset += len(piece)
    return result
