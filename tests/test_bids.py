"""Sealed bids: submission before the deadline, replacement, receipts, k-of-n opening (R-8.3,
R-9.1, R-9.2, R-9.3, R-9.6, R-7.1)."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from lpse.bids import offline, receipts
from lpse.bids.models import Bid, OpenedBid, Upload
from lpse.bids.services import opening, submission
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from tests.bid_fixtures import AT_OPENING, DEADLINE, DURING_BIDDING, seal, signed, submit

pytestmark = pytest.mark.django_db


def unlock(bidding, members):
    for member in members:
        offline.unlock_share(
            member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
        )


# --- submission -----------------------------------------------------------------------------------


def test_R_9_1_a_bid_arrives_in_chunks_and_only_ciphertext_is_stored(bidding):
    data = seal(bidding.recipient, bidding.tender.code, documents={"teknis.pdf": b"RAHASIA" * 5000})
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, data, chunk=7000)
    assert isinstance(bid, Bid) and bid.state == Bid.State.ACTIVE
    stored = (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes()
    assert stored == data and b"RAHASIA" not in stored and b"1234567890" not in stored
    assert not list((Path(settings.MEDIA_ROOT) / "uploads").glob("*.part"))


def test_R_9_3_every_accepted_bid_gets_a_receipt_that_verifies_offline(bidding, tmp_path):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, data)
    receipt = bid.receipt
    import hashlib

    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt["md5"] == hashlib.md5(data).hexdigest() and receipt["size"] == len(data)
    assert receipt["tender"] == bidding.tender.code and receipt["provider"] == "Sinar Maros"
    assert receipt["received_at"].startswith("2026-07-08T02:00:00")  # 10:00 WITA, in UTC
    receipts.verify(receipt, receipts.public_key_pem())
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    (tmp_path / "key.pem").write_text(receipts.public_key_pem())
    call_command(
        "apendo",
        "verify-receipt",
        str(tmp_path / "r.json"),
        "--public-key",
        str(tmp_path / "key.pem"),
    )
    receipt["sha256"] = "0" * 64
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    with pytest.raises(CommandError, match="receipt NOT valid"):
        call_command(
            "apendo",
            "verify-receipt",
            str(tmp_path / "r.json"),
            "--public-key",
            str(tmp_path / "key.pem"),
        )


def test_R_8_3_a_later_bid_replaces_the_earlier_and_both_stay_in_the_audit_log(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        first = submit(
            bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code, "100")
        )
        second = submit(
            bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code, "90")
        )
    first.refresh_from_db()
    assert first.state == Bid.State.REPLACED and second.state == Bid.State.ACTIVE
    assert second.receipt["replaces"] == [first.pk]
    assert AuditEvent.objects.filter(action="bid.submit").count() == 2


def test_R_8_3_an_upload_one_second_after_the_deadline_is_refused(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False):
        assert submit(bidding.provider, bidding.tender, data).state == Bid.State.ACTIVE
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError, match="Bid submission closed on 15 Jul 2026 10:00 WITA"):
            submit(bidding.provider, bidding.tender, data)


def test_R_9_6_a_connection_cut_at_the_deadline_leaves_no_half_bid(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DEADLINE - timedelta(seconds=5), tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=0,
            stream=io.BytesIO(data[:100]),
            length=100,
        )
    with time_machine.travel(DEADLINE, tick=False):
        with pytest.raises(DomainError, match="closed"):
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=100,
                stream=io.BytesIO(data[100:]),
                length=len(data) - 100,
            )
    assert not Bid.objects.exists()
    assert Upload.objects.get().state == Upload.State.RECEIVING  # never a bid


def test_R_9_6_an_upload_resumes_from_the_servers_offset(bidding):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        # the connection breaks after 150 of the 400 bytes sent
        submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=0,
            stream=io.BytesIO(data[:150]),
            length=400,
        )
        upload.refresh_from_db()
        assert upload.offset == 150
        with pytest.raises(DomainError, match="at byte 150, not 400") as err:
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=400,
                stream=io.BytesIO(data[400:]),
                length=len(data) - 400,
            )
        assert err.value.code == "offset_mismatch"
        bid = submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=150,
            stream=io.BytesIO(data[150:]),
            length=len(data) - 150,
            signature=signed(bidding, data),
        )
    assert (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes() == data


def test_R_9_1_a_file_that_is_not_an_age_envelope_is_refused_and_not_kept(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="not in the age format"):
            submit(bidding.provider, bidding.tender, b"%PDF-1.7 a plaintext bid, by mistake")
    assert not Bid.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / "uploads").glob("*.part"))


def test_R_9_1_a_bid_of_provider_a_is_invisible_to_provider_b(bidding, client):
    from lpse.accounts.roles import Role
    from lpse.accounts.services import user_bootstrap

    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
        upload = submission.upload_start(actor=bidding.provider, tender=bidding.tender, length=500)
    rival = user_bootstrap(
        username="cv-rival", email="rival@test", roles={Role.PROVIDER}, password="x" * 12
    )
    with pytest.raises(DomainError, match="no such bid"):
        submission.bid_of(rival, bid.pk)
    with pytest.raises(DomainError, match="no such upload"):
        submission.upload_owned(rival, upload.id)
    client.force_login(rival)
    assert client.get(f"/penawaran/{bid.pk}/tanda-terima.json").status_code == 404
    assert client.get(f"/penawaran/unggah/{upload.id}/").status_code == 404


def test_R_8_3_only_registered_participants_bid(bidding, make_user):
    from lpse.accounts.roles import Role

    with time_machine.travel(DURING_BIDDING, tick=False), pytest.raises(DomainError):
        submission.upload_start(
            actor=make_user(Role.PROVIDER, username="bukan-peserta"),
            tender=bidding.tender,
            length=1000,
        )


# --- opening ---------------------------------------------------------------------------------------


def test_R_9_2_three_of_five_members_open_and_the_report_lists_the_offers(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(
            bidding.provider,
            bidding.tender,
            seal(bidding.recipient, bidding.tender.code, "987654321.25"),
        )
    members = bidding.setup.members
    with time_machine.travel(AT_OPENING, tick=False):
        unlock(bidding, members[:2])
        assert not OpenedBid.objects.exists()  # two of five: nothing opens
        unlock(bidding, members[2:3])
    [opened] = OpenedBid.objects.all()
    assert str(opened.total_price) == "987654321.25" and opened.validity_days == 60
    assert [d["name"] for d in opened.documents] == ["penawaran.pdf"]
    state = opening.opening_of(bidding.tender)
    assert state.state == "opened" and state.report is not None
    assert not state.unlocks.exclude(value="").exists()  # the shares are not kept
    assert AuditEvent.objects.filter(action="opening.unlock").count() == 3
    assert AuditEvent.objects.filter(action="opening.open").count() == 1


def test_R_9_2_nothing_opens_before_the_opening_stage(bidding):
    member = bidding.setup.members[0]
    with time_machine.travel(DEADLINE - timedelta(minutes=1), tick=False):
        with pytest.raises(DomainError, match="Bids can be opened from 15 Jul 2026 10:00 WITA"):
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )


def test_R_9_2_a_member_cannot_unlock_with_someone_elses_key_or_twice(bidding):
    from lpse.bids import keys

    first, second = bidding.setup.members[:2]
    with time_machine.travel(AT_OPENING, tick=False):
        # On the member's device: another member's key does not open this member's share...
        with pytest.raises(keys.TenderKeyError, match="does not unlock this share"):
            offline.unlock_share(
                member=first, tender=bidding.tender, identity=bidding.setup.identity_of(second)
            )
        # ...and on the server, a share opened by another member is not this member's.
        theirs = bidding.tender.bid_key.shares.get(member=second)
        text = keys.opened_share_text(theirs.sealed, bidding.setup.identity_of(second))
        with pytest.raises(DomainError, match=r"This is share \d, but yours is share \d"):
            opening.share_unlock(actor=first, tender=bidding.tender, share=text)
        unlock(bidding, [first])
        with pytest.raises(DomainError, match="already unlocked"):
            unlock(bidding, [first])


def test_R_9_2_the_age_cli_decrypts_a_bid_with_the_rebuilt_key(bidding, tmp_path):
    """Interoperability: the envelope is standard age; the rebuilt identity opens it with
    Debian's `age`."""
    import shutil

    if shutil.which("age") is None:
        pytest.skip("the age command (Debian package age) is not installed")
    from lpse.bids import keys

    data = seal(bidding.recipient, bidding.tender.code, "55000000")
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, data)
    shares = [
        keys.unseal_share(s.sealed, bidding.setup.identity_of(s.member))
        for s in bidding.tender.bid_key.shares.select_related("member")[:3]
    ]
    identity = keys.combine(
        shares,
        tender_code=bidding.tender.code,
        recipient=bidding.recipient,
        wrapped_identity=bidding.tender.bid_key.wrapped_identity,
    )
    (tmp_path / "tender.key").write_text(str(identity) + "\n")
    envelope_path = Path(settings.MEDIA_ROOT) / bid.envelope.storage_name
    result = subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "tender.key"), str(envelope_path)],
        capture_output=True,
        timeout=30,
        check=True,
    )
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as tar:
        offer = json.loads(tar.extractfile("offer.json").read())
    assert offer["total_price"] == "55000000" and offer["tender"] == bidding.tender.code


def test_R_7_1_the_cli_encrypts_a_bid_that_the_opening_reads(bidding, tmp_path):
    document = tmp_path / "surat-penawaran.pdf"
    document.write_bytes(b"%PDF-1.4 surat penawaran")
    out = tmp_path / "bid.age"
    call_command(
        "apendo",
        "encrypt",
        "--recipient",
        bidding.recipient,
        "--tender",
        bidding.tender.code,
        "--price",
        "777000000",
        "--validity",
        "90",
        "--document",
        str(document),
        "-o",
        str(out),
    )
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(bidding.provider, bidding.tender, out.read_bytes(), chunk=1000)
    with time_machine.travel(AT_OPENING, tick=False):
        unlock(bidding, bidding.setup.members[:3])
    opened = OpenedBid.objects.get()
    assert str(opened.total_price) == "777000000.00" and opened.validity_days == 90
    assert opened.documents[0]["name"] == "surat-penawaran.pdf"


def test_R_9_6_two_requests_never_write_the_same_upload_at_once(bidding):
    """A retry that arrives while the server still reads the earlier, half-dead request is told
    to resume later instead of interleaving bytes into the same file."""
    import fcntl

    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        lock_path = submission.part_path(upload).with_suffix(".lock")
        with open(lock_path, "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # the earlier request is still writing
            with pytest.raises(DomainError, match="Another request is still sending") as err:
                submission.upload_append(
                    actor=bidding.provider,
                    upload=upload,
                    offset=0,
                    stream=io.BytesIO(data),
                    length=len(data),
                )
            assert err.value.code == "offset_mismatch"
        bid = submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=0,
            stream=io.BytesIO(data),
            length=len(data),
            signature=signed(bidding, data),
        )
    assert isinstance(bid, Bid) and not lock_path.exists()


def test_R_9_6_a_bid_that_fails_to_commit_leaves_no_orphan_file_and_can_be_finished(
    bidding, monkeypatch
):
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )

        def broken_sign(fields):
            raise RuntimeError("signing key unreadable")

        monkeypatch.setattr(receipts, "sign", broken_sign)
        with pytest.raises(RuntimeError):
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=0,
                stream=io.BytesIO(data),
                length=len(data),
                signature=signed(bidding, data),
            )
        assert not Bid.objects.exists()
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        assert not (Path(settings.MEDIA_ROOT) / "blobs" / digest[:2] / digest).exists()
        monkeypatch.undo()
        upload.refresh_from_db()
        bid = submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=len(data),
            stream=io.BytesIO(b""),
            length=0,
            signature=signed(bidding, data),
        )
    assert isinstance(bid, Bid) and bid.receipt["size"] == len(data)


def test_R_9_6_a_refusal_at_the_deadline_is_recorded(bidding):
    """The last byte landed after the deadline: refused, and the refusal recorded."""
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DEADLINE - timedelta(seconds=2), tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
    submission.part_path(upload).write_bytes(data)
    with (
        time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError),
    ):
        submission._accept(upload, hashes=None, arrived_at=DEADLINE + timedelta(seconds=1))
    upload.refresh_from_db()
    assert upload.state == Upload.State.REFUSED and upload.error == "after the deadline"
    assert not Bid.objects.exists() and not submission.part_path(upload).exists()


def test_R_8_3_the_deadline_is_judged_when_the_last_byte_arrived_not_when_acceptance_ran(
    bidding, monkeypatch
):
    """Under a deadline rush the acceptance can run seconds after the last byte landed: a bid
    whose bytes were all in before the deadline is accepted, and its receipt says when they
    arrived. Here the first acceptance fails (an unreadable signing key) a second before the
    deadline and the browser finishes the upload two seconds after it."""
    data = seal(bidding.recipient, bidding.tender.code)
    arrived = DEADLINE - timedelta(seconds=1)
    with time_machine.travel(arrived, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        monkeypatch.setattr(receipts, "sign", lambda fields: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=0,
                stream=io.BytesIO(data),
                length=len(data),
                signature=signed(bidding, data),
            )
        monkeypatch.undo()
    with time_machine.travel(DEADLINE + timedelta(seconds=2), tick=False):
        upload.refresh_from_db()
        with pytest.raises(DomainError, match="closed"):  # but no new byte is taken now
            submission.upload_append(
                actor=bidding.provider, upload=upload, offset=10, stream=io.BytesIO(b"x")
            )
        bid = submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=len(data),
            stream=io.BytesIO(b""),
            signature=signed(bidding, data),
        )
    assert bid.submitted_at == arrived
    assert datetime.fromisoformat(bid.receipt["received_at"]) == arrived


def test_R_9_6_a_chunk_refused_at_the_deadline_is_answered_with_the_reason(bidding, client):
    """The refused body is read before the answer, so the browser sees "closed", not a reset."""
    data = seal(bidding.recipient, bidding.tender.code)
    client.force_login(bidding.provider)
    with time_machine.travel(DEADLINE - timedelta(seconds=5), tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        client.force_login(bidding.provider)
        response = client.generic(
            "PATCH",
            f"/penawaran/unggah/{upload.id}/",
            data,
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": "0"},
        )
    assert response.status_code in (403, 409, 410, 422) and response.json()["code"] == "closed"


def test_R_9_6_a_chunked_upload_is_hashed_as_it_arrives_and_again_only_when_needed(
    bidding, monkeypatch
):
    """The hashes follow the chunks in the process that receives them, so accepting a large
    bid does not read it again; a chunk received elsewhere (another worker, a restart) leaves
    no running hash, and the acceptance hashes the file instead. Both give the same receipt."""
    import hashlib

    data = seal(bidding.recipient, bidding.tender.code, documents={"rab.pdf": b"x" * 300_000})
    half = len(data) // 2

    def upload_in_two(lose_running_hashes: bool):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        submission.upload_append(
            actor=bidding.provider, upload=upload, offset=0, stream=io.BytesIO(data[:half])
        )
        if lose_running_hashes:
            submission._running_hashes.drop(upload.pk)
        upload.refresh_from_db()
        return submission.upload_append(
            actor=bidding.provider,
            upload=upload,
            offset=half,
            stream=io.BytesIO(data[half:]),
            signature=signed(bidding, data),
        )

    read_again = []
    real = submission._hash_file
    monkeypatch.setattr(submission, "_hash_file", lambda path: read_again.append(1) or real(path))
    with time_machine.travel(DURING_BIDDING, tick=False):
        first = upload_in_two(lose_running_hashes=False)
        assert read_again == []
        second = upload_in_two(lose_running_hashes=True)
        assert read_again == [1]
    expected = hashlib.sha256(data).hexdigest()
    assert first.receipt["sha256"] == second.receipt["sha256"] == expected


def test_R_9_6_part_files_of_uploads_left_incomplete_at_the_deadline_are_removed(bidding):
    """An upload that stopped half-way can never become a bid once the deadline passed: an hour
    later its part file goes and the upload says why. One whose bytes were all in before the
    deadline keeps its file (it can still be accepted), and so does any upload of a tender still
    taking bids."""
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DEADLINE - timedelta(minutes=5), tick=False):
        half = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        submission.upload_append(
            actor=bidding.provider, upload=half, offset=0, stream=io.BytesIO(data[:100])
        )
        whole = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        submission.part_path(whole).write_bytes(data)
        Upload.objects.filter(pk=whole.pk).update(offset=len(data))
    assert submission.abandoned_uploads_clean(now=DEADLINE + timedelta(minutes=30)) == 0
    assert submission.abandoned_uploads_clean(now=DEADLINE + timedelta(hours=2)) == 1
    half.refresh_from_db()
    assert half.state == Upload.State.REFUSED and half.error == "incomplete at the deadline"
    assert not submission.part_path(half).exists()
    assert submission.part_path(whole).exists()
    assert Upload.objects.get(pk=whole.pk).state == Upload.State.RECEIVING
