"""What is inside a decrypted bid (R-3.1, R-8.4): documents read in place from a bid held in
memory, or streamed from the temporary file of a large one, byte for byte the sealed ones; an
archive cut inside a document refused as unreadable, never kept as a shorter document."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from pyrage import x25519

from lpse.bids import envelope, opening_worker

TENDER = "2026000001"


@pytest.fixture(params=["in memory", "temporary file"])
def where(request, monkeypatch):
    if request.param == "temporary file":
        monkeypatch.setattr(envelope, "IN_MEMORY_BYTES", 0)
    return request.param


def _sealed(tmp_path, plain: bytes, identity) -> os.PathLike:
    (tmp_path / "bid.tar").write_bytes(plain)
    sealed = tmp_path / "bid.age"
    envelope.encrypt_file(tmp_path / "bid.tar", sealed, str(identity.to_public()))
    return sealed


def _packed(tmp_path, documents: dict[str, bytes]) -> bytes:
    paths = []
    for name, data in documents.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    offer = envelope.Offer(
        tender=TENDER, total_price=Decimal("1000"), validity_days=30, declarations=[]
    )
    return envelope.pack(offer, paths)


def test_R_8_4_every_document_comes_out_as_it_was_sealed(tmp_path, where):
    identity = x25519.Identity.generate()
    documents = {"penawaran.pdf": os.urandom(3 * 1024 * 1024 + 17), "harga.xlsx": b"x" * 10}
    sealed = _sealed(tmp_path, _packed(tmp_path, documents), identity)
    held = None
    with envelope.opened(sealed, identity, tender_code=TENDER) as bid:
        read = {}
        for name, stream in bid.documents():
            parts = []
            while chunk := stream.read(1024 * 1024):
                parts.append(bytes(chunk))
            read[name] = b"".join(parts)
            held = stream  # a stream still referenced when the block ends
    assert read == documents
    assert held is not None


def test_R_8_4_the_worker_fingerprints_what_it_writes(tmp_path, where):
    identity = x25519.Identity.generate()
    data = os.urandom(2 * 1024 * 1024)
    sealed = _sealed(tmp_path, _packed(tmp_path, {"penawaran.pdf": data}), identity)
    result = opening_worker.decrypt(
        opening_worker.Job(str(sealed), str(identity), TENDER, str(tmp_path))
    )
    [(name, path, fingerprint)] = result.documents
    assert name == "penawaran.pdf"
    with open(path, "rb") as written:
        assert written.read() == data
    assert fingerprint.size == len(data)
    result.discard()


def test_R_3_1_an_archive_cut_inside_a_document_is_unreadable_not_a_shorter_document(
    tmp_path, where
):
    identity = x25519.Identity.generate()
    whole = _packed(tmp_path, {"penawaran.pdf": os.urandom(1024 * 1024)})
    cut = whole[: len(whole) // 2]  # the document's header says 1 MiB; half of it is there
    sealed = _sealed(tmp_path, cut, identity)
    result = opening_worker.decrypt(
        opening_worker.Job(str(sealed), str(identity), TENDER, str(tmp_path))
    )
    assert result.problem is not None and result.problem[0] == "bad_archive"
    assert result.documents == []
    assert [p.name for p in tmp_path.glob("opened-*")] == []
