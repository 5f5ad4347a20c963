"""Fixtures for sealed bids: a tender of a five-member committee that opens 3-of-5, a verified
provider registered for it with a bound signing key (R-9.7), and helpers to seal, sign and
submit envelopes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lpse.bids import envelope, signatures
from lpse.bids.services import submission
from lpse.core import audit
from lpse.providers import key_material
from lpse.providers.models import SigningKey
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from tests.tender_fixtures import PREPARED_AT, at, draft_tender, make_agency_setup, publish

DURING_BIDDING = at(2, 10)  # Wednesday 8 July 2026 10:00 WITA
DEADLINE = at(9, 10)  # Wednesday 15 July 2026 10:00 WITA
AT_OPENING = at(9, 10, 30)


@dataclass
class BiddingTender:
    """A tender taking bids, or the backing tender of a non-tender procurement taking offers
    (``tests.nontender_fixtures.offer_bidding``): the bid trust tests run on both."""

    tender: object
    setup: object  # what knows each opener's identity (``identity_of``)
    provider: object
    openers: list = None  # who unlocks: the committee members, or the procurement officer
    needed: int = 3  # how many of them open the bids

    @property
    def recipient(self) -> str:
        return self.tender.bid_key.recipient


# --- the provider's signing key (R-9.7) ----------------------------------------------------------


def fixture_signing_key(npwp: str) -> Ed25519PrivateKey:
    """A company's test signing key, derived from its NPWP: every helper that signs for the
    company gets the same key without passing it around. (A real key is random and never
    leaves the provider's device.)"""
    seed = hashlib.sha256(b"lpse-test-signing-key|" + npwp.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key_of(company) -> Ed25519PrivateKey:
    return fixture_signing_key(company.npwp)


def bind_signing_key(company, private_key: Ed25519PrivateKey | None = None, *, at=PREPARED_AT):
    """The company's key bound as two verifiers would bind it, written directly (the binding
    procedure has its own tests: tests/test_signing_key_binding.py). ``at``: when it was bound,
    before the fixed July 2026 schedule of the tender fixtures."""
    public = signatures.public_key_of(private_key or signing_key_of(company))
    key = SigningKey.objects.create(
        company=company,
        state=SigningKey.State.BOUND,
        public_key=public,
        fingerprint=key_material.fingerprint(key_material.public_key_bytes(public)),
        proposed_by=company.user,
        proposed_at=at,
        bound_at=at,
    )
    # The opening reads "bound when the bid arrived" from the audit log, as the service writes it.
    audit.record(
        actor=None,
        action="signing_key.bind",
        obj=key,
        data={"company": company.pk, "fingerprint": key.fingerprint, "revoked": []},
    )
    return key


def sign_envelope(company, tender, data: bytes, private_key: Ed25519PrivateKey | None = None):
    """The signature the company's browser (or ``lpse apendo sign``) sends with an envelope."""
    return signatures.sign(
        private_key or signing_key_of(company),
        tender_code=tender.code,
        npwp=company.npwp,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def signed(bidding, data: bytes) -> str:
    """``sign_envelope`` for the ``bidding`` fixture's provider and tender."""
    return sign_envelope(bidding.provider.company, bidding.tender, data)


@pytest.fixture
def five_member_agency(make_user):
    return make_agency_setup(make_user, "RSUD", size=5)


@pytest.fixture
def bidding(request):
    """A tender taking bids; with ``EITHER_BIDDING`` the test runs once more on a non-tender
    procurement's sealed offer (R-8.6), whose module imports ``offer_bidding`` and ``officer``
    from tests.nontender_fixtures."""
    kind = getattr(request, "param", "tender")
    return request.getfixturevalue("tender_bidding" if kind == "tender" else "offer_bidding")


# The same attack on a tender's bid and on a non-tender offer: one test, two runs, no copy.
EITHER_BIDDING = pytest.mark.parametrize("bidding", ["tender", "non-tender offer"], indirect=True)


@pytest.fixture
def tender_bidding(five_member_agency, verified_provider):
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
    bind_signing_key(verified_provider.company)
    tender.refresh_from_db()
    return BiddingTender(
        tender=tender, setup=setup, provider=verified_provider, openers=setup.members, needed=3
    )


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
    """Upload ``data`` in chunks through the service, as the page does, signed with the
    company's key (bound first if the company has none, as for the extra bidders of the
    evaluation fixtures); returns the bid."""
    company = provider.company
    if not SigningKey.objects.filter(company=company, state=SigningKey.State.BOUND).exists():
        bind_signing_key(company)
    signature = sign_envelope(company, tender, data)
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
            signature=signature,  # the server reads it with the last byte
        )
        offset += len(piece)
    return result
