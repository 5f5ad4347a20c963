"""R-9.8, R-9.4 (and R-7.4): every bid receipt, opening report and award letter carries a signed
tree head of the audit log and the inclusion proof of the event that issued it — played as the
bidder who keeps a receipt and later catches the LPSE rewriting history, and as the person who
hands in a proof that was cut short, signed by a stranger, or edited."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection

from lpse.core import audit, log_proof, merkle, signing, transparency
from lpse.core.documents import pdf_log_proof, pdf_log_proof_check
from lpse.core.log_proof import ProofProblem, verify_proof
from lpse.core.models import AuditEvent, AuditHead, TreeHead
from lpse.evaluation.selectors import award_of, current_outcome
from lpse.evaluation.services import announcement, award
from lpse.evaluation.services import verdicts as evaluation
from tests.bid_fixtures import DURING_BIDDING, seal, submit
from tests.evaluation_fixtures import DETERMINING, EVALUATING, THREE, passes, qualify
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


# --- the documents ---------------------------------------------------------------------------


@pytest.fixture
def receipted(bidding, client):
    """A provider's accepted bid, and the provider signed in to fetch its receipt and proof."""
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
    client.force_login(bidding.provider)
    return bid


def _sidecar(client, bid) -> dict:
    response = client.get(f"/penawaran/{bid.pk}/bukti-log.json")
    assert response.status_code == 200, response.content
    return response.json()


def _key() -> str:
    return signing.public_key_pem()


def test_R_9_8_a_receipt_keeps_its_signed_json_and_gains_a_proof_of_its_acceptance(
    receipted, client
):
    bid = receipted
    assert client.get(f"/penawaran/{bid.pk}/tanda-terima.json").json() == bid.receipt
    proof = _sidecar(client, bid)
    check = verify_proof(proof, _key())
    assert check.action == "bid.submit" and check.seq == proof["event"]["seq"]
    # The event is this bid's acceptance, naming the envelope the receipt names.
    assert proof["event"]["object_id"] == str(bid.pk)
    assert proof["event"]["data"]["sha256"] == bid.receipt["sha256"]
    assert check.tree_size >= check.seq and check.tree_size <= AuditEvent.objects.count()
    # The head is one this LPSE keeps and publishes.
    assert proof["head"] in client.get("/transparansi/heads.json").json()["heads"]


def test_R_9_8_the_receipt_pdf_prints_and_carries_the_same_proof(receipted, client):
    response = client.get(f"/penawaran/{receipted.pk}/tanda-terima.pdf")
    pdf = response.content
    check = pdf_log_proof_check(pdf, _key())
    assert check.action == "bid.submit"
    proof = pdf_log_proof(pdf)
    printed = _text_of(pdf)
    for value in (proof["head"]["root_hash"], proof["leaf_hash"], *proof["inclusion"]):
        assert value in printed
    assert proof["head"]["signature"] in printed and str(proof["head"]["tree_size"]) in printed


def test_R_9_8_another_provider_gets_no_proof_of_a_bid_not_its_own(receipted, client, make_user):
    from lpse.accounts.roles import Role

    client.force_login(make_user(Role.PROVIDER))
    assert client.get(f"/penawaran/{receipted.pk}/bukti-log.json").status_code == 404


def _open(opened_fixture):
    bidding, _bids = opened_fixture
    return bidding


def test_R_9_8_the_opening_report_carries_the_proof_of_the_opening_that_recorded_it(opened, client):
    bidding = _open(opened)
    member = bidding.setup.members[0]
    client.force_login(member)
    code = bidding.tender.code
    response = client.get(f"/kelola/tender/{code}/pembukaan/berita-acara.pdf")
    assert response.status_code == 200
    pdf = response.content
    check = pdf_log_proof_check(pdf, _key())
    assert check.action == "opening.open"
    proof = pdf_log_proof(pdf)
    bidding.tender.refresh_from_db()
    stored = bidding.tender.opening.report
    # Stored with its proof at the opening: the download is the stored file, byte for byte,
    # and the SHA-256 the page shows is the download's.
    assert hashlib.sha256(pdf).hexdigest() == stored.sha256
    recorded = proof["event"]["data"]["report_sha256"]
    size = proof["document"]["size"]
    assert proof["document"] == {"size": size, "sha256": recorded, "recorded_as": "report_sha256"}
    # The report the log recorded is the start of the file; the appendix follows it.
    assert hashlib.sha256(pdf[:size]).hexdigest() == recorded and len(pdf) > size
    assert proof["head"]["root_hash"] in _text_of(pdf)


AFTER_OBJECTIONS = at(23, 10)


@pytest.fixture
def awarded(opened, django_capture_on_commit_callbacks):
    """Beta Karya wins, nobody objects, and the PPK issues the award letter (SPPBJ)."""
    bidding, bids = opened
    member = bidding.setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name in bids:
            passes(member, bids[name], *THREE)
    qualify(member, bids["Beta Karya"])
    with time_machine.travel(DETERMINING, tick=False):
        evaluation.winner_determine(actor=member, tender=bidding.tender)
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(15, 10), tick=False):
            announcement.outcome_announce(actor=member, tender=bidding.tender)
        with time_machine.travel(AFTER_OBJECTIONS, tick=False):
            award.award_issue(
                actor=bidding.tender.package.ppk, tender=bidding.tender, number="027/SPPBJ/2026"
            )
    return bidding


def test_R_9_8_the_award_letter_carries_the_proof_of_its_award_event(awarded, client):
    client.force_login(awarded.tender.package.ppk)
    response = client.get(f"/tender/{awarded.tender.code}/sppbj.pdf")
    assert response.status_code == 200, response.status_code
    pdf = b"".join(response) if response.streaming else response.content
    check = pdf_log_proof_check(pdf, _key())
    assert check.action == "award.issue"
    letter = award_of(current_outcome(awarded.tender))
    assert hashlib.sha256(pdf).hexdigest() == letter.document.sha256  # served as stored
    proof = pdf_log_proof(pdf)
    assert proof["document"]["sha256"] == proof["event"]["data"]["sha256"]
    # still holds: what is served is signed as a whole.
    sig = client.get(response["Link"][1 : response["Link"].index(">")]).json()
    assert sig["sha256"] == hashlib.sha256(pdf).hexdigest()


# --- bad proofs: each refused with its own message ---------------------------------------------


def test_R_9_8_a_truncated_proof_is_refused_saying_how_many_hashes_are_missing(receipted, client):
    proof = _sidecar(client, receipted)
    assert len(proof["inclusion"]) >= 2
    cut = {**proof, "inclusion": proof["inclusion"][:-1]}
    expected = len(proof["inclusion"])
    with pytest.raises(
        ProofProblem,
        match=rf"Truncated proof: .* needs {expected} inclusion hashes, the proof gives {expected - 1}",
    ) as refused:
        verify_proof(cut, _key())
    assert refused.value.reason == "truncated_proof"


def test_R_9_8_a_proof_under_a_head_this_lpse_did_not_sign_is_an_unknown_head(receipted, client):
    proof = _sidecar(client, receipted)
    stranger = Ed25519PrivateKey.generate()
    head = {k: v for k, v in proof["head"].items() if k != "signature"}
    head["signature"] = base64.b64encode(stranger.sign(signing.canonical(head))).decode()
    with pytest.raises(
        ProofProblem, match=r"Unknown head: .* not one signed by the key"
    ) as refused:
        verify_proof({**proof, "head": head}, _key())
    assert refused.value.reason == "unknown_head"
    assert "transparansi/heads.json" in str(refused.value)
    edited = {**proof["head"], "tree_size": proof["head"]["tree_size"] + 1}
    with pytest.raises(ProofProblem, match="Unknown head") as refused:
        verify_proof({**proof, "head": edited}, _key())
    assert refused.value.reason == "unknown_head"


def test_R_9_8_a_proof_whose_leaf_was_changed_is_a_leaf_mismatch(receipted, client):
    proof = _sidecar(client, receipted)
    event = {**proof["event"], "data": {**proof["event"]["data"], "sha256": "0" * 64}}
    with pytest.raises(ProofProblem, match=r"Leaf mismatch: event #.* hashes to") as refused:
        verify_proof({**proof, "event": event}, _key())
    assert refused.value.reason == "leaf_mismatch"
    # Made consistent inside the proof (event, event hash and leaf recomputed): the leaf no
    # longer leads to the signed root.
    recomputed = hashlib.sha256(
        json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    forged = {
        **proof,
        "event": event,
        "event_hash": recomputed,
        "leaf_hash": merkle.leaf_hash(bytes.fromhex(recomputed)).hex(),
    }
    with pytest.raises(ProofProblem, match="do not lead to the root") as refused:
        verify_proof(forged, _key())
    assert refused.value.reason == "leaf_mismatch"


def test_R_9_8_a_report_whose_pages_were_changed_or_added_to_is_refused(opened, client):
    bidding = _open(opened)
    client.force_login(bidding.setup.members[0])
    pdf = client.get(f"/kelola/tender/{bidding.tender.code}/pembukaan/berita-acara.pdf").content
    size = pdf_log_proof(pdf)["document"]["size"]
    changed = pdf[:100] + bytes([pdf[100] ^ 1]) + pdf[101:]
    with pytest.raises(ProofProblem, match=f"the first {size} bytes of this PDF are not"):
        pdf_log_proof_check(changed, _key())
    # A forger's incremental update after the genuine appendix (readers show its pages).
    added = pdf + b"1 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    with pytest.raises(ProofProblem, match="holds more, or other, than the LPSE's proof appendix"):
        pdf_log_proof_check(added, _key())


def test_R_9_4_a_report_whose_issuing_event_was_edited_fails_its_proof(opened, client):
    """An event edited in the database after the report was issued: the proof the report
    carries names the event as it was, and the log no longer holds that event — the server's
    check says the log does not extend the proof."""
    bidding = _open(opened)
    event = AuditEvent.objects.get(action="opening.open")
    AuditEvent.objects.filter(pk=event.pk).update(data={**event.data, "bids": 99})
    client.force_login(bidding.setup.members[0])
    pdf = client.get(f"/kelola/tender/{bidding.tender.code}/pembukaan/berita-acara.pdf").content
    proof = pdf_log_proof(pdf)
    assert proof["event"]["data"]["bids"] != 99  # the proof keeps the event as issued
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / "report.pdf"
    path.write_bytes(pdf)
    with pytest.raises(CommandError):
        call_command("audit", "verify-proof", str(path), stdout=StringIO(), stderr=StringIO())


# --- the server's commands -----------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def _kept(tmp_path: Path, name: str, content) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return str(path)


def test_R_9_8_lpse_audit_verify_proof_says_valid_truncated_unknown_or_mismatch(
    receipted, client, tmp_path
):
    proof = _sidecar(client, receipted)
    said = _command("verify-proof", _kept(tmp_path, "ok.json", proof))
    assert f"proof valid: event #{proof['event']['seq']} (bid.submit) is leaf" in said
    assert f"head signed by key {signing.fingerprint()}" in said
    pdf = client.get(f"/penawaran/{receipted.pk}/tanda-terima.pdf").content
    assert "proof valid" in _command("verify-proof", _kept(tmp_path, "r.pdf", pdf))
    cut = {**proof, "inclusion": proof["inclusion"][:-1]}
    with pytest.raises(CommandError, match="NOT valid: Truncated proof"):
        _command("verify-proof", _kept(tmp_path, "cut.json", cut))
    tampered = {**proof, "leaf_index": proof["leaf_index"] + 1}
    with pytest.raises(CommandError, match="NOT valid: Leaf mismatch"):
        _command("verify-proof", _kept(tmp_path, "leaf.json", tampered))
    # Signed by this key, but the LPSE no longer lists it: a head taken back.
    TreeHead.objects.all().delete()
    with pytest.raises(
        CommandError, match=r"Unknown head: .* not among the heads it has published"
    ):
        _command("verify-proof", _kept(tmp_path, "taken-back.json", proof))


def _rewrite_with_recomputed_chain(seq: int, data: dict) -> None:
    """The attacker who holds the database: one event changed, every hash after it and the
    chain's head recomputed, the heads it signed deleted (so ``lpse audit verify`` passes)."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.data = data
        event.prev_hash = prev
        event.hash = audit._hash_of(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            data=event.data, prev_hash=event.prev_hash, hash=event.hash
        )
        prev = event.hash
    AuditHead.objects.filter(id=1).update(hash=prev)
    TreeHead.objects.all().delete()


def test_R_9_8_a_bidder_holding_a_receipt_detects_a_rewrite_made_after_it(
    receipted, client, tmp_path
):
    """The head inside a receipt's proof is a head copied out: the log rewritten afterwards —
    even with the chain recomputed and the heads re-signed — fails against it."""
    proof = _sidecar(client, receipted)
    head_file = _kept(tmp_path, "head-from-receipt.json", proof["head"])
    proof_file = _kept(tmp_path, "bukti-log.json", proof)
    assert "extends the head you hold" in _command("verify", "--against", head_file)

    _rewrite_with_recomputed_chain(proof["event"]["seq"], {"sha256": "f" * 64})
    transparency.tree_head_sign()  # the LPSE signs a head over the rewritten log
    assert "audit chain OK" in _command("verify")  # the chain alone is fooled
    with pytest.raises(CommandError, match=r"Rewritten: the first .* events no longer hash"):
        _command("verify", "--against", head_file)
    with pytest.raises(CommandError, match="Rewritten"):
        _command("verify", "--against", proof_file)  # the proof file itself will do
    with pytest.raises(CommandError, match="log BROKE since: Rewritten"):
        _command("verify-proof", proof_file)


def test_R_9_8_a_bidder_holding_a_receipt_detects_events_cut_after_it(receipted, client, tmp_path):
    proof = _sidecar(client, receipted)
    keep = proof["event"]["seq"] - 1  # the bid's acceptance and everything after it removed
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s", [keep])
    AuditHead.objects.filter(id=1).update(seq=keep, hash=AuditEvent.objects.get(seq=keep).hash)
    TreeHead.objects.all().delete()
    assert "audit chain OK" in _command("verify")
    proof_file = _kept(tmp_path, "bukti-log.json", proof)
    with pytest.raises(CommandError, match=f"Truncated: the log has {keep} events"):
        _command("verify", "--against", proof_file)


# --- the standalone verifier ---------------------------------------------------------------


def _standalone(tmp_path: Path, proof_file: str, heads) -> subprocess.CompletedProcess:
    key = _kept(tmp_path, "key.pem", signing.public_key_pem().encode())
    feed = _kept(tmp_path, "heads.json", heads)
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "verify_log.py"),
            *("--key", key, "--log-proof", proof_file, "--heads", feed),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": ""},  # it needs nothing of LPSE
    )


def test_R_9_8_the_standalone_verifier_checks_receipt_and_report_proofs_against_the_feed(
    opened, client, tmp_path
):
    bidding = _open(opened)
    client.force_login(bidding.setup.members[0])
    pdf = client.get(f"/kelola/tender/{bidding.tender.code}/pembukaan/berita-acara.pdf").content
    feed = client.get("/transparansi/heads.json").json()
    ok = _standalone(tmp_path, _kept(tmp_path, "berita-acara.pdf", pdf), feed)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "proof valid: event #" in ok.stdout and "(opening.open)" in ok.stdout
    assert f"signed by fingerprint {signing.fingerprint()}" in ok.stdout
    assert "the event recorded as report_sha256" in ok.stdout

    proof = pdf_log_proof(pdf)
    cut = {**proof, "inclusion": proof["inclusion"][:-1]}
    bad = _standalone(tmp_path, _kept(tmp_path, "cut.json", cut), feed)
    assert bad.returncode == 1 and "truncated proof" in bad.stdout
    assert f"needs {len(proof['inclusion'])} inclusion hashes" in bad.stdout
    unknown = _standalone(tmp_path, _kept(tmp_path, "p.json", proof), {"heads": []})
    assert unknown.returncode == 1 and "unknown head" in unknown.stdout
    assert "transparansi/heads.json" in unknown.stdout
    changed = pdf[:100] + bytes([pdf[100] ^ 1]) + pdf[101:]
    mismatch = _standalone(tmp_path, _kept(tmp_path, "changed.pdf", changed), feed)
    assert mismatch.returncode == 1 and "leaf mismatch" in mismatch.stdout


def test_R_9_8_the_standalone_inclusion_check_decides_as_the_server_does():
    """tools/verify_log.py carries its own copy of the inclusion check and of the proof length."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("verify_log", ROOT / "tools" / "verify_log.py")
    standalone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(standalone)
    for size in range(1, 34):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(size)]
        top = merkle.root(leaves)
        for index in range(size):
            path = merkle.inclusion_proof(index, leaves)
            assert standalone.path_length(index, size) == len(path)
            assert log_proof.inclusion_path_length(index, size) == len(path)
            for candidate in (path, path[:-1], [*path, top]):
                args = (leaves[index], index, size, candidate, top)
                assert standalone.verify_inclusion(*args) == merkle.verify_inclusion(*args)


# --- the cached tree -----------------------------------------------------------------------


def test_R_9_8_heads_and_proofs_from_the_cached_tree_equal_the_log_read_afresh(make_user):
    """The tree kept between proofs (``transparency._LogTree``) must sign what the database
    holds, also after a rewrite or a cut, when the cache is dropped."""
    from lpse.accounts.roles import Role

    admin = make_user(Role.APP_ADMIN)
    for i in range(150):
        audit.record(actor=admin, action="test.event", data={"i": i})

    def afresh(size: int) -> str:
        return merkle.root(transparency.leaf_hashes(size)).hex()

    head = transparency.tree_head_sign()
    assert head["root_hash"] == afresh(head["tree_size"])
    for seq in (1, 64, 65, 129, head["tree_size"]):
        verify_proof(log_proof.proof_for(AuditEvent.objects.get(seq=seq)), _key())
    _rewrite_with_recomputed_chain(70, {"i": -1})
    rewritten = transparency.tree_head_sign()
    assert rewritten["root_hash"] == afresh(rewritten["tree_size"]) != head["root_hash"]
    keep = 100
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s", [keep])
    AuditHead.objects.filter(id=1).update(seq=keep, hash=AuditEvent.objects.get(seq=keep).hash)
    cut = transparency.tree_head_sign()
    assert cut["tree_size"] == keep and cut["root_hash"] == afresh(keep)


def _text_of(pdf: bytes) -> str:
    """What the appendix prints (its content streams are not compressed)."""
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)
