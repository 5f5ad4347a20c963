"""Signed bids (R-9.7, R-7.1; issue 12), played as the attacker.

Every envelope must be signed with its company's own Ed25519 key, whose private half the server
never holds and whose public half two verifiers bound to the company
(tests/test_signing_key_binding.py). The attacker who takes over the provider's account — an
administrator who resets its password and signs in included — holds no such key: the server
refuses the bid. At the opening the signature is checked again, against the key bound when the
bid arrived (by the audit log), so a signature swapped in the database sends the bid to the
unopenable-file procedure (R-3.1) instead of being read as the company's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from lpse.accounts.models import PasswordLink
from lpse.accounts.roles import Role
from lpse.accounts.services import password_link_send, password_set_with_link
from lpse.bids import offline, receipts, signatures
from lpse.bids.models import Bid, OpenedBid, Upload
from lpse.bids.services import opening, submission, unopenable
from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.core.models import SentEmail
from lpse.providers import key_material
from lpse.providers.models import SigningKey
from lpse.providers.services import signing_keys
from tests.bid_fixtures import (
    AT_OPENING,
    DURING_BIDDING,
    EITHER_BIDDING,
    seal,
    sign_envelope,
    signed,
    signing_key_of,
    submit,
)
from tests.nontender_fixtures import offer_bidding, officer  # noqa: F401
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db

TAKEN_OVER = "Diambil-Alih-2026!"


def _open(bidding) -> None:
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.openers[: bidding.needed]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )


def _send(client, tender, data: bytes, signature: str | None):
    """The upload protocol as bid.js speaks it: create, then one PATCH with the signature."""
    created = client.post(
        f"/tender/{tender.code}/penawaran/unggah/",
        json.dumps({"length": len(data)}),
        content_type="application/json",
    )
    if created.status_code != 201:
        return created
    headers = {"Upload-Offset": "0"}
    if signature is not None:
        headers["Upload-Signature"] = signature
    return client.generic(
        "PATCH",
        created.json()["url"],
        data,
        content_type="application/offset+octet-stream",
        headers=headers,
    )


def _append(bidding, data: bytes, signature: str):
    upload = submission.upload_start(
        actor=bidding.provider, tender=bidding.tender, length=len(data)
    )
    return submission.upload_append(
        actor=bidding.provider,
        upload=upload,
        offset=0,
        stream=io.BytesIO(data),
        length=len(data),
        signature=signature,
    )


# --- the attack of issue 12 ----------------------------------------------------------------------


@EITHER_BIDDING
@pytest.mark.parametrize("proposes_own_key", [False, True], ids=["no-key", "own-proposed-key"])
def test_hijacked_account_cannot_bid(
    bidding, client, proposes_own_key, django_capture_on_commit_callbacks
):
    """R-9.7: an administrator resets the provider's password through the real service (with the
    server in hand, the one-time link is his to read), signs in as the provider and submits a
    bid: signed with a key of his own, also one he has just proposed for the company from its
    key page, and unsigned. Each is refused, no bid is made, and the company is told of the
    proposed key. Before R-9.7 the server accepted it as the provider's bid."""
    provider, tender = bidding.provider, bidding.tender
    company = provider.company
    with time_machine.travel(DURING_BIDDING, tick=False):
        token = password_link_send(user=provider, purpose=PasswordLink.Purpose.RESET)
        password_set_with_link(token=token, password=TAKEN_OVER)
        signed_in = client.post(
            "/akun/masuk/", {"username": provider.username, "password": TAKEN_OVER}
        )
        assert signed_in.status_code == 302 and client.get("/akun/").status_code == 200
        own = Ed25519PrivateKey.generate()
        if proposes_own_key:
            with django_capture_on_commit_callbacks(execute=True):
                proposed = client.post(
                    "/penyedia/kunci-tanda-tangan/",
                    {"public_key": signatures.public_key_of(own)},
                )
            assert proposed.status_code == 302
            assert SigningKey.objects.get(company=company, state="proposed")
            assert SentEmail.objects.filter(
                to=company.email, subject__contains="was proposed"
            ).exists()
        data = seal(bidding.recipient, tender.code, price="1.00")

        forged = _send(client, tender, data, sign_envelope(company, tender, data, own))
        assert forged.status_code == 403, forged.content
        assert forged.json()["code"] == "bad_signature"
        assert "does not verify with the key bound to Sinar Maros" in forged.json()["error"]

        unsigned = _send(client, tender, data, None)
        assert unsigned.status_code == 403 and unsigned.json()["code"] == "unsigned"
    assert not Bid.objects.exists()
    assert set(Upload.objects.values_list("state", flat=True)) == {Upload.State.REFUSED}
    assert not list(submission.part_path(Upload.objects.first()).parent.glob("*.part"))


@EITHER_BIDDING
def test_hijacked_account_of_a_company_with_no_bound_key_is_refused_before_any_byte(
    bidding, client
):
    """With no key bound to the company there is nothing a signature could verify with; the
    key the attacker proposes is not bound by proposing it."""
    provider, tender = bidding.provider, bidding.tender
    SigningKey.objects.filter(company=provider.company).delete()
    with time_machine.travel(DURING_BIDDING, tick=False):
        token = password_link_send(user=provider, purpose=PasswordLink.Purpose.RESET)
        password_set_with_link(token=token, password=TAKEN_OVER)
        client.post("/akun/masuk/", {"username": provider.username, "password": TAKEN_OVER})
        own = Ed25519PrivateKey.generate()
        client.post("/penyedia/kunci-tanda-tangan/", {"public_key": signatures.public_key_of(own)})
        data = seal(bidding.recipient, tender.code, price="1.00")
        refused = _send(client, tender, data, sign_envelope(provider.company, tender, data, own))
    assert refused.status_code == 403 and refused.json()["code"] == "no_signing_key"
    assert "no signing key bound by the LPSE verifier" in refused.json()["error"]
    assert not Upload.objects.exists() and not Bid.objects.exists()


# --- signatures that do not fit the envelope -----------------------------------------------------


def test_R_9_7_a_signature_over_another_envelope_is_refused(bidding):
    data = seal(bidding.recipient, bidding.tender.code, price="1000")
    other = seal(bidding.recipient, bidding.tender.code, price="999")
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="does not verify") as err:
            _append(bidding, data, signed(bidding, other))
    assert err.value.code == "bad_signature"
    upload = Upload.objects.get()
    assert upload.state == Upload.State.REFUSED and "does not verify" in upload.error
    assert not Bid.objects.exists() and not submission.part_path(upload).exists()


def test_R_9_7_a_signature_made_for_another_tender_is_refused(bidding):
    """The same envelope bytes, signed by the right key, but for tender 2026000999: the message
    names the tender, so the signature cannot be replayed on another."""
    data = seal(bidding.recipient, bidding.tender.code)
    company = bidding.provider.company
    elsewhere = signatures.sign(
        signing_key_of(company),
        tender_code="2026000999",
        npwp=company.npwp,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match=f"for tender {bidding.tender.code}") as err:
            _append(bidding, data, elsewhere)
    assert err.value.code == "bad_signature" and not Bid.objects.exists()


def test_R_9_7_a_signature_made_for_another_company_is_refused(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    company = bidding.provider.company
    another = signatures.sign(
        signing_key_of(company),
        tender_code=bidding.tender.code,
        npwp="099999999999000",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="does not verify"):
            _append(bidding, data, another)
    assert not Bid.objects.exists()


def test_R_9_7_an_unsigned_bid_is_refused_and_garbage_is_not_a_signature(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="The bid is not signed") as err:
            _append(bidding, data, "")
        assert err.value.code == "unsigned"
        with pytest.raises(DomainError, match="not readable") as err:
            _append(bidding, data, "not-base64!!")
        assert err.value.code == "bad_signature"
        with pytest.raises(DomainError, match="has 3 bytes"):
            _append(bidding, data, base64.b64encode(b"abc").decode())
    assert not Bid.objects.exists()


def test_R_9_7_a_key_that_is_only_proposed_signs_nothing(bidding, make_user):
    """The company's own new key counts once two verifiers bound it, not when proposed."""
    newer = Ed25519PrivateKey.generate()
    signing_keys.signing_key_propose(
        actor=bidding.provider, public_key=signatures.public_key_of(newer)
    )
    data = seal(bidding.recipient, bidding.tender.code)
    company = bidding.provider.company
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="does not verify"):
            _append(bidding, data, sign_envelope(company, bidding.tender, data, newer))


# --- what an accepted bid carries ----------------------------------------------------------------


def test_R_9_7_the_bid_and_its_receipt_carry_the_signature_and_the_key_fingerprint(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, data)
    key = SigningKey.objects.get(company=bidding.provider.company, state="bound")
    assert bid.signing_key == key and bid.signature == signed(bidding, data)
    assert bid.receipt["provider_key_fingerprint"] == key.fingerprint
    assert bid.receipt["provider_signature"] == bid.signature
    receipts.verify(bid.receipt, receipts.public_key_pem())  # signed by LPSE with the rest
    # Anyone holding the receipt and the company's public key checks the signature offline.
    signatures.verify(
        public_key=key.public_key,
        signature=bid.receipt["provider_signature"],
        tender_code=bid.receipt["tender"],
        npwp=bid.receipt["provider_npwp"],
        sha256=bid.receipt["sha256"],
        size=bid.receipt["size"],
    )
    from lpse.core.models import AuditEvent

    event = AuditEvent.objects.get(action="bid.submit", object_id=str(bid.pk))
    assert event.data["signing_key"] == key.fingerprint


def test_R_9_7_the_signed_message_is_canonical_ascii():
    text = signatures.message(
        tender_code="2026000001", npwp="012345678901000", sha256="ab" * 32, size=184320
    )
    assert text == (
        b"lpse-bid-signature-v1\n"
        b"tender: 2026000001\n"
        b"provider-npwp: 012345678901000\n"
        b"envelope-sha256: " + b"ab" * 32 + b"\n"
        b"envelope-size: 184320\n"
    )
    for bad in ({"tender_code": "2026\n000001"}, {"npwp": "01.234"}, {"sha256": "AB" * 32}):
        fields = {"tender_code": "X", "npwp": "1", "sha256": "ab" * 32, "size": 1, **bad}
        with pytest.raises(ValueError):
            signatures.message(**fields)


# --- the opening checks it again -----------------------------------------------------------------


def _genuine_bid(bidding) -> Bid:
    with time_machine.travel(DURING_BIDDING, tick=False):
        return submit(
            bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code, "700")
        )


def _attacker_key_row(company, private: Ed25519PrivateKey, *, at_) -> SigningKey:
    """A key row of the attacker's, written straight into the database as if it had been bound
    to the company before the deadline."""
    public = signatures.public_key_of(private)
    return SigningKey.objects.create(
        company=company,
        state=SigningKey.State.REVOKED,
        public_key=public,
        fingerprint=key_material.fingerprint(key_material.public_key_bytes(public)),
        proposed_by=company.user,
        proposed_at=at_,
        bound_at=at_,
        revoked_at=AT_OPENING,
    )


@EITHER_BIDDING
def test_R_9_7_the_opening_catches_a_signature_row_swapped_in_the_database(bidding, make_user):
    """The attacker writes the database: a key row of his own, "bound" before the deadline, and
    the bid's signature and key swapped to it (his signature over the same envelope). The
    receipt still names the company's key: the opening refuses the bid before decrypting it,
    and the unopenable-file procedure (R-3.1) takes it with the same diagnosis."""
    bid = _genuine_bid(bidding)
    attacker = Ed25519PrivateKey.generate()
    row = _attacker_key_row(bid.company, attacker, at_=at(0, 8))
    swapped = sign_envelope(bid.company, bid.tender, _stored(bid), attacker)
    Bid.objects.filter(pk=bid.pk).update(signing_key=row, signature=swapped)

    _open(bidding)

    opened = OpenedBid.objects.get(bid=bid)
    assert opened.total_price is None and opened.problem == "bad_signature"
    assert opened.problem_message.startswith("signature does not verify")
    with time_machine.travel(AT_OPENING, tick=False):
        case = unopenable.case_request(
            actor=bidding.openers[0], opened_bid=opened, note="Tanda tangan berbeda"
        )
        case = unopenable.case_attempt(
            actor=make_user(Role.APP_ADMIN), case=case, resolved=False, result="Tidak dibuka."
        )
    assert case.attempt_result.startswith("signature does not verify")


@EITHER_BIDDING
def test_R_9_7_the_opening_catches_a_key_row_rewritten_in_the_database(bidding):
    """The attacker rewrites the public key of the company's bound key row to his own and
    re-signs: the key row no longer hashes to the fingerprint the receipt names."""
    bid = _genuine_bid(bidding)
    attacker = Ed25519PrivateKey.generate()
    SigningKey.objects.filter(pk=bid.signing_key_id).update(
        public_key=signatures.public_key_of(attacker)
    )
    Bid.objects.filter(pk=bid.pk).update(
        signature=sign_envelope(bid.company, bid.tender, _stored(bid), attacker)
    )
    assert opening.diagnose(Bid.objects.get(pk=bid.pk))[0] == "bad_signature"
    _open(bidding)
    assert OpenedBid.objects.get(bid=bid).problem == "bad_signature"


@EITHER_BIDDING
def test_R_9_7_a_forged_receipt_naming_a_key_never_bound_in_the_log_is_refused(bidding):
    """The attacker holds the database *and* the receipt-signing key (the server's secrets): he
    swaps the envelope for one of his, signs it with his own key, writes a key row "bound" before
    the deadline, and forges a receipt that names it all. Every row agrees; the audit log does
    not — no binding of that key precedes the bid — so the bid is refused, unread."""
    bid = _genuine_bid(bidding)
    attacker = Ed25519PrivateKey.generate()
    row = _attacker_key_row(bid.company, attacker, at_=at(0, 8))
    forged = seal(bidding.recipient, bidding.tender.code, price="1.00")
    from lpse.core.storage import store_bytes

    blob = store_bytes(forged)
    signature = sign_envelope(bid.company, bid.tender, forged, attacker)
    receipt = receipts.sign(
        {
            **{k: v for k, v in bid.receipt.items() if k not in ("signature", "format")},
            "md5": blob.md5,
            "sha256": blob.sha256,
            "size": blob.size,
            "provider_key_fingerprint": row.fingerprint,
            "provider_signature": signature,
        }
    )
    Bid.objects.filter(pk=bid.pk).update(
        envelope=blob, receipt=receipt, signing_key=row, signature=signature
    )
    # Even a binding event appended now comes after the bid's own event in the log.
    audit.record(
        actor=None,
        action="signing_key.bind",
        obj=row,
        data={"company": bid.company_id, "fingerprint": row.fingerprint, "revoked": []},
    )

    _open(bidding)

    opened = OpenedBid.objects.get(bid=bid)
    assert opened.total_price is None and opened.problem == "bad_signature"
    assert "was not bound to the company when the bid arrived" in opened.problem_message


def test_R_9_7_a_key_replaced_after_the_bid_still_verifies_it_at_the_opening(bidding, make_user):
    """A company that binds a new key (a lost laptop) keeps its earlier bids: they verify with
    the key bound when they arrived."""
    bid = _genuine_bid(bidding)
    first, second = (
        make_user(Role.VERIFIER, "verifikator-a"),
        make_user(Role.VERIFIER, "verifikator-b"),
    )
    with time_machine.travel(at(3, 9), tick=False):
        newer = signing_keys.signing_key_propose(
            actor=bidding.provider,
            public_key=signatures.public_key_of(Ed25519PrivateKey.generate()),
        )
        newer = signing_keys.signing_key_check(
            actor=first, key=newer, fingerprint=newer.fingerprint, checked_identity=True
        )
        signing_keys.signing_key_bind(actor=second, key=newer)
    bid.signing_key.refresh_from_db()
    assert bid.signing_key.state == SigningKey.State.REVOKED
    _open(bidding)
    opened = OpenedBid.objects.get(bid=bid)
    assert opened.problem == "" and str(opened.total_price) == "700.00"


def _stored(bid: Bid) -> bytes:
    from pathlib import Path

    from django.conf import settings

    return (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes()


# --- offline: lpse apendo signing-keygen and sign ------------------------------------------------


def test_R_9_7_apendo_makes_a_key_offline_and_signs_an_envelope_the_server_accepts(
    bidding, make_user, tmp_path
):
    """The provider without a browser key: `lpse apendo signing-keygen` writes the export file
    (the same the key page makes), the public key it prints is proposed and bound, and
    `lpse apendo sign` makes the signature file whose signature the server accepts."""
    company = bidding.provider.company
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("kuda baterai staples benar\n")
    key_file = tmp_path / "kunci.age"
    out = io.StringIO()
    call_command(
        "apendo", "signing-keygen", "--company", company.name, "--npwp", company.npwp,
        "--passphrase-file", str(passphrase), "-o", str(key_file), stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    exported = signatures.key_from_export(key_file.read_bytes(), "kuda baterai staples benar")
    assert exported.npwp == company.npwp and exported.public_key in printed
    assert (
        key_material.grouped(key_material.fingerprint(base64.b64decode(exported.public_key)))
        in printed
    )
    assert b"PRIVATE" not in key_file.read_bytes() and key_file.stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="exists"):
        call_command(
            "apendo", "signing-keygen", "--company", "x", "--npwp", company.npwp,
            "--passphrase-file", str(passphrase), "-o", str(key_file),
        )  # fmt: skip

    first, second = (
        make_user(Role.VERIFIER, "verifikator-a"),
        make_user(Role.VERIFIER, "verifikator-b"),
    )
    with time_machine.travel(at(1, 9), tick=False):
        key = signing_keys.signing_key_propose(
            actor=bidding.provider, public_key=exported.public_key
        )
        key = signing_keys.signing_key_check(
            actor=first, key=key, fingerprint=key.fingerprint_display, checked_identity=True
        )
        signing_keys.signing_key_bind(actor=second, key=key)

    envelope_file = tmp_path / "bid.age"
    envelope_file.write_bytes(seal(bidding.recipient, bidding.tender.code, "800"))
    call_command(
        "apendo", "sign", "--key", str(key_file), "--passphrase-file", str(passphrase),
        "--tender", bidding.tender.code, str(envelope_file), stdout=io.StringIO(),
    )  # fmt: skip
    sig = json.loads((tmp_path / "bid.age.sig").read_text())
    data = envelope_file.read_bytes()
    assert (sig["sha256"], sig["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
    assert sig["provider_npwp"] == company.npwp and sig["public_key"] == exported.public_key
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = _append(bidding, data, sig["signature"])
    assert isinstance(bid, Bid) and bid.signing_key == key

    wrong = tmp_path / "salah.txt"
    wrong.write_text("bukan kata sandinya\n")
    with pytest.raises(CommandError, match="passphrase is wrong"):
        call_command(
            "apendo", "sign", "--key", str(key_file), "--passphrase-file", str(wrong),
            "--tender", bidding.tender.code, str(envelope_file),
        )  # fmt: skip
