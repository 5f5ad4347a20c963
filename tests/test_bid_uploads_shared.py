"""Bid uploads and openings with the blobs in a shared object store (issue 19, R-9.11, R-9.6,
R-9.1, R-9.2): the chunks are objects in the bucket recorded with the offset, so consecutive
chunks may reach different nodes; the store down mid-upload or at acceptance loses nothing and
accepts nothing half. SeaweedFS is real; "down" is SIGKILL, and it comes back on fresh ports."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from lpse.bids import arrival, offline
from lpse.bids.models import Bid, OpenedBid, Upload, UploadChunk
from lpse.bids.services import shared_upload, submission
from lpse.core import storage
from lpse.core.errors import DomainError
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, signed, submit

pytestmark = pytest.mark.django_db


def _objects(server, bucket: str, prefix: str = "") -> list[str]:
    answer = server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in answer.get("Contents", [])]


def _blobs_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _append(bidding, upload, offset: int, data: bytes, *, whole: bytes):
    return submission.upload_append(
        actor=bidding.provider,
        upload=upload,
        offset=offset,
        stream=io.BytesIO(data),
        length=len(data),
        signature=signed(bidding, whole),
    )


def test_R_9_11_a_chunked_bid_is_accepted_and_opened_on_either_store(file_store, settings, bidding):
    """The same bid flow on the data folder and on a bucket; with a bucket no byte of it
    lands in the data folder and no chunk outlives the acceptance."""
    data = seal(
        bidding.recipient, bidding.tender.code, "555000.00", documents={"a.pdf": b"A" * 9000}
    )
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, data, chunk=4000)
    assert isinstance(bid, Bid) and bid.receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert bid.receipt["md5"] == hashlib.md5(data).hexdigest()
    with storage.open_stored(bid.envelope.sha256) as f:
        assert f.read() == data
    assert not UploadChunk.objects.exists()
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
    [opened] = OpenedBid.objects.all()
    assert str(opened.total_price) == "555000.00" and not opened.problem
    if file_store == "s3":
        assert _blobs_in(Path(settings.DATA_DIR) / "media") == []


def test_R_9_11_two_requests_at_one_offset_count_once(s3_store, s3_bucket, bidding):
    """A retry racing its own earlier request (through another node): the request that records
    its chunk first wins; the other's object is removed and it is told to resume."""
    data = seal(bidding.recipient, bidding.tender.code)
    half = len(data) // 2
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )

        class Racing(io.BytesIO):
            """Its first read lets the other request (at the same offset) go through."""

            raced = False

            def read(self, size=-1):
                if not self.raced:
                    self.raced = True
                    _append(bidding, upload, 0, data[:half], whole=data)
                return super().read(size)

        with pytest.raises(DomainError) as lost:
            _append_stream = Racing(data[:half])
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=0,
                stream=_append_stream,
                length=half,
            )
        assert lost.value.code == "offset_mismatch"
        assert [c.offset for c in UploadChunk.objects.filter(upload=upload)] == [0]
        assert len(_objects(s3_store, s3_bucket, f"lpse/uploads/{upload.pk}/")) == 1
        upload.refresh_from_db()
        bid = _append(bidding, upload, half, data[half:], whole=data)
    assert bid.receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert _objects(s3_store, s3_bucket, "lpse/uploads/") == []


# ``own_store`` (a SeaweedFS this test may kill): tests/fault_fixtures.py.


def test_R_9_11_the_store_down_mid_upload_asks_to_resume_and_keeps_what_was_in(own_store, bidding):
    data = seal(bidding.recipient, bidding.tender.code, documents={"b.pdf": b"B" * 20000})
    third = len(data) // 3
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        _append(bidding, upload, 0, data[:third], whole=data)
        own_store.server.kill()
        with pytest.raises(DomainError) as down:
            _append(bidding, upload, third, data[third : 2 * third], whole=data)
        assert down.value.code == "storage" and f"from byte {third}" in str(down.value)
        upload = submission.upload_owned(bidding.provider, upload.pk)
        assert upload.offset == third and upload.state == Upload.State.RECEIVING
        own_store.restart()
        _append(bidding, upload, third, data[third : 2 * third], whole=data)
        bid = _append(bidding, upload, 2 * third, data[2 * third :], whole=data)
    assert bid.receipt["sha256"] == hashlib.sha256(data).hexdigest()
    with storage.open_stored(bid.envelope.sha256) as f:
        assert f.read() == data


def test_R_9_11_the_store_down_at_acceptance_accepts_nothing_and_the_bid_finishes_later(
    own_store, bidding, monkeypatch
):
    """All bytes are in when the store dies: no bid without its envelope stored; once the
    store is back, the request that finishes the upload is judged by the last byte's arrival."""
    data = seal(bidding.recipient, bidding.tender.code)
    real_compose = shared_upload.compose

    def store_dies_first(upload):
        own_store.server.kill()
        return real_compose(upload)

    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        monkeypatch.setattr(shared_upload, "compose", store_dies_first)
        with pytest.raises(DomainError) as down:
            _append(bidding, upload, 0, data, whole=data)
        monkeypatch.undo()
    assert down.value.code == "storage" and "not accepted yet" in str(down.value)
    assert not Bid.objects.exists()
    upload.refresh_from_db()
    assert upload.state == Upload.State.RECEIVING and upload.offset == len(data)
    assert UploadChunk.objects.filter(upload=upload).count() == 1  # the bytes are kept
    own_store.restart()
    with time_machine.travel(DURING_BIDDING + timedelta(minutes=5), tick=False):
        bid = _append(bidding, upload, len(data), b"", whole=data)
    assert bid.submitted_at == DURING_BIDDING  # when the last byte arrived
    assert not UploadChunk.objects.exists()


def test_R_9_11_a_refused_envelope_leaves_no_chunk_in_the_store(s3_store, s3_bucket, bidding):
    data = b"not an age envelope at all" * 100
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        with pytest.raises(DomainError):
            _append(bidding, upload, 0, data, whole=data)
    upload.refresh_from_db()
    assert upload.state == Upload.State.REFUSED
    assert _objects(s3_store, s3_bucket, "lpse/uploads/") == []
    assert not Bid.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database clock is PostgreSQL's")
def test_R_9_11_with_the_database_clock_a_node_whose_clock_is_off_does_not_move_the_deadline(
    settings,
):
    """A node 30 seconds fast: with LPSE_DEADLINE_CLOCK=database the arrival is the
    database's time, not the node's; with the node's clock it would be 30 seconds late."""
    real = datetime.now(UTC)
    with time_machine.travel(real + timedelta(seconds=30), tick=True):
        settings.LPSE_DEADLINE_CLOCK = "node"
        node_says = arrival.now()
        settings.LPSE_DEADLINE_CLOCK = "database"
        database_says = arrival.now()
    assert node_says - database_says > timedelta(seconds=20)
    assert abs(database_says - real) < timedelta(seconds=20)
