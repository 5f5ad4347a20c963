"""R-7.2: every document carries MD5 (compatibility) and SHA-256 (real). The opening's workers
take a document's SHA-256 only, so the committee does not wait for its MD5 (issue 19); the MD5
follows from the stored bytes (``core.storage.complete_md5``, the ``complete-md5`` job). Both
file stores; a blob whose bytes no longer match gets no MD5; a missing one stops nothing."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile

import pytest
import time_machine

from lpse.bids.models import OpenedBid
from lpse.celery import app
from lpse.core import storage
from lpse.core.hashing import RunningFingerprint
from lpse.core.models import Blob
from tests.bid_fixtures import AT_OPENING
from tests.test_opening_pool import three_bids, unlock  # noqa: F401 — a fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True)


def _stored_without_md5(data: bytes) -> Blob:
    """A blob kept as the opening's workers keep a document: SHA-256 and size only."""
    running = RunningFingerprint(md5=False)
    running.update(data)
    fd, path = tempfile.mkstemp(dir=storage.scratch_dir())
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return storage.store_hashed_file(path, running.result())


def _stored_bytes(blob: Blob) -> bytes:
    with storage.open_stored(blob.sha256) as f:
        return f.read()


def test_R_7_2_opened_documents_get_their_md5_after_the_opening(three_bids, settings):
    settings.LPSE_OPENING_WORKERS = 2
    with time_machine.travel(AT_OPENING, tick=False):
        unlock(three_bids, three_bids.setup.members[:3])
    names = [d["sha256"] for o in OpenedBid.objects.all() for d in o.documents]
    assert len(names) == 4  # one bid has two documents; the damaged one opened none
    documents = Blob.objects.filter(sha256__in=names)
    # Left for after the ceremony: nothing else about them is missing.
    assert {b.md5 for b in documents} == {""}
    assert all(b.size > 0 for b in documents)

    assert storage.complete_md5() == len(set(names))

    for blob in Blob.objects.filter(sha256__in=names):
        assert blob.md5 == hashlib.md5(_stored_bytes(blob)).hexdigest()
    assert not storage.blobs_awaiting_md5().exists()
    assert storage.complete_md5() == 0  # nothing left: the next run does nothing


def test_md5_is_taken_from_either_store(file_store):
    data = os.urandom(3 * 1024 * 1024 + 5)
    blob = _stored_without_md5(data)
    assert blob.md5 == ""
    assert storage.complete_md5() == 1
    blob.refresh_from_db()
    assert blob.md5 == hashlib.md5(data).hexdigest()


def test_bytes_that_no_longer_match_their_sha256_get_no_md5(settings, caplog):
    blob = _stored_without_md5(b"the document as sealed")
    path = storage.local_blob_path(blob.sha256)
    path.chmod(0o644)
    path.write_bytes(b"the document as an attacker left it")
    with caplog.at_level(logging.ERROR, logger="lpse.core.storage.pending_md5"):
        assert storage.complete_md5() == 0
    blob.refresh_from_db()
    # An MD5 of other bytes would vouch for them: none is written, and the mismatch is named.
    assert blob.md5 == ""
    assert "no longer matches its SHA-256" in caplog.text


def test_a_blob_missing_from_the_store_does_not_hold_up_the_others(caplog):
    missing = _stored_without_md5(b"gone from the disk")
    kept = _stored_without_md5(b"still there")
    storage.local_blob_path(missing.sha256).unlink()
    with caplog.at_level(logging.ERROR, logger="lpse.core.storage.pending_md5"):
        assert storage.complete_md5() == 1
    kept.refresh_from_db()
    assert kept.md5 == hashlib.md5(b"still there").hexdigest()
    assert "is not in the store" in caplog.text


def test_the_md5_job_is_scheduled_once_for_the_installation():
    from lpse.celery import INSTALLATION_SCHEDULE

    app.loader.import_default_modules()
    entry = INSTALLATION_SCHEDULE["complete-md5"]
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].apply().get() == 0  # runs, finds nothing to do


def test_the_same_bytes_stored_again_with_their_md5_fill_the_empty_one():
    data = b"a document opened first, uploaded again later"
    first = _stored_without_md5(data)
    assert first.md5 == ""
    again = storage.store_bytes(data)  # an upload takes the MD5 as it writes
    assert again.pk == first.pk
    assert again.md5 == hashlib.md5(data).hexdigest()
    first.refresh_from_db()
    assert first.md5 == again.md5
