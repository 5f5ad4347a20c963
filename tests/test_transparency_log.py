"""R-9.8: the audit log as a transparency log, played as the attacker who holds the database and
rewrites history carefully — the two rewrites the hash chain alone lets through (R-9.4): cutting
the last events and moving the head back, and changing an event and recomputing every hash after
it. Both pass ``lpse audit verify``; both are caught by a tree head copied out before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lpse.accounts.roles import Role
from lpse.core import audit, signing, transparency
from lpse.core.models import AuditEvent, AuditHead, TreeHead

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def history(make_user):
    admin = make_user(Role.APP_ADMIN)
    for i in range(9):
        audit.record(actor=admin, action="test.event", data={"i": i})
    return admin


def _held_head(tmp_path: Path) -> Path:
    """An auditor's copy of today's head (the daily e-mail, the public feed)."""
    path = tmp_path / "head.json"
    path.write_text(json.dumps(transparency.tree_head_sign()))
    return path


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def _truncate(keep: int) -> None:
    """Delete every event after ``keep``, move the chain's head back, drop the newer heads."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s", [keep])
    last = AuditEvent.objects.get(seq=keep)
    AuditHead.objects.filter(id=1).update(seq=keep, hash=last.hash)
    TreeHead.objects.all().delete()


def _rewrite_with_recomputed_chain(seq: int, data: dict) -> None:
    """Change one event and recompute its hash and every hash after it, and the head."""
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


def test_R_9_8_truncation_passes_the_chain_check_but_not_a_head_copied_out_before(
    history, tmp_path
):
    held = _held_head(tmp_path)
    _truncate(keep=6)
    assert "audit chain OK: 6 events" in _verify()  # the chain alone is fooled
    with pytest.raises(CommandError, match="Truncated: the log has 6 events, the head you hold"):
        _verify("--against", str(held))


def test_R_9_8_a_rewrite_with_a_recomputed_chain_passes_the_chain_check_but_not_a_held_head(
    history, tmp_path
):
    held = _held_head(tmp_path)
    _rewrite_with_recomputed_chain(4, {"i": 999})
    assert "audit chain OK" in _verify()  # the chain alone is fooled
    size = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=f"Rewritten: the first {size} events no longer hash"):
        _verify("--against", str(held))


def test_R_9_8_a_log_that_grew_honestly_extends_every_earlier_head(history, tmp_path):
    held = _held_head(tmp_path)
    size = AuditEvent.objects.count()
    audit.record(actor=history, action="test.later", data={})
    assert f"extends the head you hold ({size} events" in _verify("--against", str(held))


def test_R_9_8_a_head_not_signed_by_this_lpse_or_edited_is_refused(history, tmp_path):
    held = json.loads(_held_head(tmp_path).read_text())
    edited = {**held, "tree_size": 3}
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    with pytest.raises(CommandError, match="Unknown head: the signature does not match"):
        _verify("--against", str(tmp_path / "edited.json"))
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(CommandError, match="cannot read the head"):
        _verify("--against", str(tmp_path / "junk.json"))


def test_R_9_8_proofs_asked_beyond_the_log_are_refused_with_the_log_size(history):
    size = AuditEvent.objects.count()
    with pytest.raises(transparency.LogProblem, match=f"the log has {size} events"):
        transparency.consistency(3, size + 3)
    with pytest.raises(transparency.LogProblem, match=f"the log has {size} events"):
        transparency.inclusion(size + 1, size)


def _standalone(
    tmp_path: Path, old: dict, new: dict, proof: list[str]
) -> subprocess.CompletedProcess:
    (tmp_path / "key.pem").write_text(signing.public_key_pem())
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    (tmp_path / "proof.json").write_text(json.dumps({"consistency": proof}))
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "verify_log.py"),
            "--key",
            str(tmp_path / "key.pem"),
            "--old",
            str(tmp_path / "old.json"),
            "--new",
            str(tmp_path / "new.json"),
            "--proof",
            str(tmp_path / "proof.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": ""},  # it needs nothing of LPSE
    )


def test_R_9_8_the_standalone_verifier_accepts_an_honest_log_and_names_a_rewrite(history, tmp_path):
    old = transparency.tree_head_sign()
    for i in range(4):
        audit.record(actor=history, action="test.later", data={"i": i})
    new = transparency.tree_head_sign()
    proof = transparency.consistency(old["tree_size"], new["tree_size"])
    ok = _standalone(tmp_path, old, new, proof)
    assert ok.returncode == 0, ok.stderr
    assert "consistent" in ok.stdout

    # The server rewrites event 2 and signs a new head over the rewritten log (it holds the key).
    _rewrite_with_recomputed_chain(2, {"i": -1})
    forged = transparency.tree_head_sign()
    forged_proof = transparency.consistency(old["tree_size"], forged["tree_size"])
    bad = _standalone(tmp_path, old, forged, forged_proof)
    assert bad.returncode == 1
    assert "NOT consistent" in bad.stdout

    cut = _standalone(tmp_path, old, new, proof[:-1])  # a truncated proof
    assert cut.returncode == 1 and "NOT consistent" in cut.stdout
    stranger = {**new, "root_hash": "00" * 32}  # an unknown head
    unknown = _standalone(tmp_path, old, stranger, proof)
    assert unknown.returncode == 1 and "signature" in unknown.stdout


def test_R_9_8_the_daily_job_signs_a_head_and_mails_it_to_lkpp_and_the_auditors(
    history, make_user, django_capture_on_commit_callbacks
):
    from lpse.core.models import SentEmail
    from lpse.portal.tasks import publish_tree_head

    monitor, auditor = make_user(Role.LKPP_MONITOR), make_user(Role.AUDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        size = publish_tree_head.apply().get()
    assert size == AuditEvent.objects.count()
    head = TreeHead.objects.get()
    assert head.tree_size == size
    mail = SentEmail.objects.get(subject__contains="transparency log head")
    assert set(mail.to.split(", ")) == {monitor.email, auditor.email}
    assert head.root_hash in mail.body and head.signed["signature"] in mail.body


def test_R_9_8_heads_and_proofs_are_public_and_the_proofs_verify(history, client):
    from lpse.core import merkle

    old = transparency.tree_head_sign()
    audit.record(actor=history, action="test.later", data={})
    new = transparency.tree_head_sign()
    page = client.get("/transparansi/").content.decode()  # no sign-in
    assert signing.fingerprint() in page and new["root_hash"] in page
    feed = client.get("/transparansi/heads.json").json()
    assert feed["heads"][0] == new and old in feed["heads"]
    assert new["root_hash"] in client.get("/transparansi/heads.atom").content.decode()
    proof = client.get(
        "/transparansi/bukti-konsistensi",
        {"first": old["tree_size"], "second": new["tree_size"]},
    ).json()["consistency"]
    assert merkle.verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        [bytes.fromhex(p) for p in proof],
    )
    last = AuditEvent.objects.order_by("-seq").first()
    inclusion = client.get(
        "/transparansi/bukti-inklusi", {"seq": last.seq, "size": new["tree_size"]}
    ).json()["inclusion"]
    assert merkle.verify_inclusion(
        merkle.leaf_hash(bytes.fromhex(last.hash)),
        last.seq - 1,
        new["tree_size"],
        [bytes.fromhex(p) for p in inclusion],
        bytes.fromhex(new["root_hash"]),
    )
    refused = client.get("/transparansi/bukti-konsistensi", {"first": "x"})
    assert refused.status_code == 400 and "whole numbers" in refused.json()["error"]
