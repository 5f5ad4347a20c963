"""R-9.1, R-7.1: an envelope armoured as text (``age -a``, "-----BEGIN AGE ENCRYPTED FILE-----")
is a bid like a binary one — accepted at upload, kept byte for byte as received (the receipt's
SHA-256 is over what the provider sent, which the provider can hash again), and opened at the
ceremony — whether Debian's `age` binary or pyrage made it. A cut, damaged or foreign armour is
refused at upload, saying why."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pyrage
import pytest
import time_machine
from django.conf import settings
from pyrage import passphrase, x25519

from lpse.bids import envelope
from lpse.bids.models import OpenedBid
from lpse.core.errors import DomainError
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as tender_services
from tests.bid_fixtures import DURING_BIDDING, submit
from tests.evaluation_fixtures import provider
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db

AGE_PRICE, PYRAGE_PRICE = "1111000000", "1222000000"


def _packed(tender_code: str, price: str, folder: Path) -> bytes:
    document = folder / "surat-penawaran.pdf"
    document.write_bytes(b"%PDF-1.4 surat penawaran")
    offer = envelope.Offer(
        tender=tender_code, total_price=Decimal(price), validity_days=60, declarations=["integrity"]
    )
    return envelope.pack(offer, [document])


def _age_cli_armoured(plain: bytes, recipient: str, folder: Path) -> bytes:
    (folder / "bid.tar").write_bytes(plain)
    subprocess.run(
        ["age", "-a", "-r", recipient, "-o", str(folder / "bid.age"), str(folder / "bid.tar")],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return (folder / "bid.age").read_bytes()


def _pyrage_armoured(plain: bytes, recipient: str) -> bytes:
    return pyrage.encrypt(plain, [x25519.Recipient.from_str(recipient)], armored=True)


def _send(bidding, user, data: bytes):
    with time_machine.travel(DURING_BIDDING, tick=False):
        return submit(user, bidding.tender, data, chunk=1000)  # in pieces, as the page sends


@pytest.fixture
def bidding(bidding, tmp_path):
    """tests/bid_fixtures.py's tender once two more providers sent armoured envelopes (one by
    `age -a` when Debian's age is installed, one by pyrage). Overriding ``bidding`` here makes
    the ``opened`` fixture open these bids with its own."""
    code, recipient = bidding.tender.code, bidding.recipient
    users = [provider("Armor Cipta", "044444444444000"), provider("Teks Karya", "055555555555000")]
    with time_machine.travel(at(0, 9), tick=False):
        for user in users:
            tender_services.pact_sign(actor=user, tender=bidding.tender)
            participation.participation_register(actor=user, tender=bidding.tender)
    sent = {}
    if shutil.which("age") is not None:
        data = _age_cli_armoured(_packed(code, AGE_PRICE, tmp_path), recipient, tmp_path)
        sent["age"] = (data, _send(bidding, users[0], data))
    data = _pyrage_armoured(_packed(code, PYRAGE_PRICE, tmp_path), recipient)
    sent["pyrage"] = (data, _send(bidding, users[1], data))
    bidding.armoured = sent
    return bidding


def _made_by(bidding, tool: str):
    if tool not in bidding.armoured:
        pytest.skip("the age command (Debian package age) is not installed")
    return bidding.armoured[tool]


@pytest.mark.parametrize("tool", ["age", "pyrage"])
def test_R_9_1_an_armoured_envelope_is_accepted_and_kept_exactly_as_received(bidding, tool):
    data, bid = _made_by(bidding, tool)
    assert data.startswith(envelope.ARMOR_BEGIN)
    stored = (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes()
    assert stored == data
    assert bid.receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert bid.receipt["size"] == len(data)


@pytest.mark.parametrize(("tool", "price"), [("age", AGE_PRICE), ("pyrage", PYRAGE_PRICE)])
def test_R_9_1_an_armoured_envelope_opens_at_the_ceremony(opened, tool, price):
    bidding, _bids = opened
    _data, bid = _made_by(bidding, tool)
    result = OpenedBid.objects.get(bid=bid)
    assert result.problem == "", result.problem_message
    assert result.total_price == Decimal(price)
    assert [d["name"] for d in result.documents] == ["surat-penawaran.pdf"]


def _refused(bidding, data: bytes, match: str):
    with pytest.raises(DomainError, match=match):
        _send(bidding, bidding.provider, data)


def test_R_9_1_a_cut_or_damaged_armour_is_refused_at_upload_saying_why(bidding, tmp_path):
    plain = _packed(bidding.tender.code, "1000000", tmp_path)
    good = _pyrage_armoured(plain, bidding.recipient)
    _refused(bidding, good[: len(good) // 2], "no closing line .* it is truncated")
    # age (pyrage) reads armour only from the first byte: refused here, not at the opening.
    _refused(bidding, b"\n" + good, "not in the age format")
    lines = good.split(b"\n")
    lines[1] = b"!" * len(lines[1])  # the first base64 line, where the header is
    _refused(bidding, b"\n".join(lines), "a line of its armour is not base64")
    junk = base64.encodebytes(b"not an age file at all " * 8).replace(b"\n", b"")
    text = b"\n".join(junk[i : i + 64] for i in range(0, len(junk), 64))
    foreign = envelope.ARMOR_BEGIN + b"\n" + text + b"\n" + envelope.ARMOR_END + b"\n"
    _refused(bidding, foreign, "does not hold an age file")
    armoured_passphrase = passphrase.encrypt(plain, "kata sandi", armored=True)
    _refused(bidding, armoured_passphrase, "not encrypted to a tender key")


def test_R_3_4_an_armoured_passphrase_sealed_key_is_still_recognised_as_a_credential():
    """The helpdesk and escalation uploads refuse a sealed opening key; armoured, it is one too."""
    from lpse.core.credentials import find_credentials

    sealed = passphrase.encrypt(b"AGE-SECRET-KEY-1" + b"Q" * 58, "kata sandi", armored=True)
    assert sealed.startswith(envelope.ARMOR_BEGIN)
    assert "an opening key sealed with a passphrase" in find_credentials(sealed)
