"""Log proofs (R-9.8, R-9.4): what a bid receipt, an opening report or an award letter carries to
show that the audit event which issued it is in the log — a signed tree head that includes the
event, the event itself, its leaf and the RFC 9162 inclusion proof. Whoever keeps one can later
prove a rewrite or a cut of the log (``lpse audit verify --against``), and checks it with
nothing of the server (``tools/verify_log.py --log-proof``). Format ``lpse-log-proof-v1``:
``docs/transparency-log.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import models

from lpse.core import merkle, transparency
from lpse.core.models import AuditEvent
from lpse.core.signing import SignatureInvalid, fingerprint, public_key_pem, verify_json
from lpse.core.transparency import TREE_HEAD_FORMAT, LogProblem

PROOF_FORMAT = "lpse-log-proof-v1"
_HEX64 = frozenset("0123456789abcdef")


class ProofProblem(LogProblem):
    """A proof that does not hold. ``reason``: not_a_proof, unknown_head, truncated_proof,
    overlong_proof or leaf_mismatch; the message says which and what to do."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ProofCheck:
    seq: int
    action: str
    leaf_index: int
    tree_size: int
    root_hash: str
    key_fingerprint: str
    signed_at: str

    @property
    def summary(self) -> str:
        return (
            f"proof valid: event #{self.seq} ({self.action}) is leaf {self.leaf_index} of the "
            f"tree of {self.tree_size} events, head signed by key {self.key_fingerprint} at "
            f"{self.signed_at}"
        )


def event_body(event: AuditEvent) -> dict:
    """The event's content exactly as ``core.audit`` hashes it into the chain."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "prev": event.prev_hash,
    }


def _event_hash(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_of(*, action: str, obj: models.Model) -> AuditEvent | None:
    """The first event ``action`` recorded on ``obj``: the one that issued it."""
    return (
        AuditEvent.objects.filter(
            action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("seq")
        .first()
    )


def _head_including(seq: int) -> dict:
    """The current signed head: the newest one kept when it already covers the whole log (so a
    quiet log is not signed again for every download), else a new one."""
    size = transparency.log_size()
    newest = transparency.latest_head()
    if (
        newest is not None
        and newest.tree_size == size >= seq
        and newest.root_hash == transparency.tree_root(size).hex()
    ):
        return newest.signed
    return transparency.tree_head_sign()


def proof_for(event: AuditEvent, *, document: dict | None = None) -> dict:
    """The log proof of ``event`` (JSON-serialisable), with a head signed now if the log grew
    since the last one. ``document`` ({"size", "sha256", "recorded_as"}) names the bytes a PDF
    carries the proof for (``core.documents``)."""
    body = event_body(event)
    if _event_hash(body) != event.hash:
        raise LogProblem(
            f"Event #{event.seq} ({event.action}) was changed after it was written: no proof is "
            "given for it. Run `lpse audit verify` and tell the LPSE's auditors."
        )
    head = _head_including(event.seq)
    proof = {
        "format": PROOF_FORMAT,
        "event": body,
        "event_hash": event.hash,
        "leaf_index": event.seq - 1,
        "leaf_hash": merkle.leaf_hash(bytes.fromhex(event.hash)).hex(),
        "inclusion": transparency.inclusion(event.seq, head["tree_size"]),
        "head": head,
    }
    if document is not None:
        proof["document"] = document
    # Checked before it leaves: a proof that does not hold would accuse the LPSE of a rewrite it
    # did not make, or be taken for one that hides a rewrite it did.
    try:
        verify_proof(proof, public_key_pem())
    except ProofProblem as exc:
        raise LogProblem(
            f"The log no longer matches its own head of {head['tree_size']} events ({exc}). "
            "Run `lpse audit verify --against` with that head."
        ) from None
    return proof


def proof_of(*, action: str, obj: models.Model) -> dict | None:
    """The proof of the event ``action`` that issued ``obj``, or None when the log has none."""
    event = event_of(action=action, obj=obj)
    return proof_for(event) if event is not None else None


def inclusion_path_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) has (RFC 9162 §2.1.3.1)."""
    length = 0
    while size > 1:
        k = 1 << ((size - 1).bit_length() - 1)
        index, size = (index, k) if index < k else (index - k, size - k)
        length += 1
    return length


def _is_hex64(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _fields(proof) -> tuple[dict, dict, int, list[str]]:
    if not isinstance(proof, dict) or proof.get("format") != PROOF_FORMAT:
        raise ProofProblem(
            "not_a_proof",
            "This is not an LPSE log proof (its format is not lpse-log-proof-v1): give a "
            "receipt's bukti-log.json, or a receipt or report PDF that carries one.",
        )
    head, event, index, path = (
        proof.get("head"),
        proof.get("event"),
        proof.get("leaf_index"),
        proof.get("inclusion"),
    )
    if (
        not isinstance(head, dict)
        or not isinstance(event, dict)
        or not isinstance(event.get("seq"), int)
        or not isinstance(index, int)
        or not isinstance(path, list)
        or not all(_is_hex64(p) for p in path)
        or not _is_hex64(proof.get("event_hash"))
        or not _is_hex64(proof.get("leaf_hash"))
    ):
        raise ProofProblem(
            "not_a_proof",
            "The log proof is incomplete: it needs head, event, event_hash, leaf_index, "
            "leaf_hash and inclusion (64-hex hashes). Download it again.",
        )
    return head, event, index, path


def _checked_head(head: dict, public_pem: str) -> tuple[int, str]:
    def unknown(why: str) -> ProofProblem:
        return ProofProblem(
            "unknown_head",
            f"Unknown head: the head in the proof (tree size {head.get('tree_size')}, root "
            f"{str(head.get('root_hash'))[:16]}…) is not one signed by the key "
            f"{fingerprint(public_pem)}{why}. Fetch {head.get('log', 'the LPSE')}/transparansi/"
            "heads.json and compare its key_fingerprint and heads with this one; keep this file.",
        )

    if head.get("format") != TREE_HEAD_FORMAT:
        raise unknown(" (it is not an lpse-tree-head-v1)")
    try:
        verify_json(head, public_pem)
    except SignatureInvalid as exc:
        raise unknown(f": {exc}") from None
    size, root_hash = head.get("tree_size"), head.get("root_hash")
    if not isinstance(size, int) or not isinstance(root_hash, str) or not _is_hex64(root_hash):
        raise ProofProblem("not_a_proof", "The head in the proof names no tree size or root.")
    return size, root_hash


def verify_proof(proof, public_key_pem: str) -> ProofCheck:
    """Check a log proof with the LPSE's public key alone (no database): the head is signed by
    it, the event hashes to the leaf, and the leaf with the inclusion proof leads to the head's
    root. Raises ProofProblem saying which part fails."""
    head, event, index, path = _fields(proof)
    size, root_hash = _checked_head(head, public_key_pem)
    seq = event["seq"]
    computed = _event_hash(event)
    if computed != proof["event_hash"]:
        raise ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: event #{seq} as written in the proof hashes to {computed[:16]}…, "
            f"not to its event_hash {proof['event_hash'][:16]}…: the event was changed after "
            "the proof was issued.",
        )
    leaf = merkle.leaf_hash(bytes.fromhex(proof["event_hash"]))
    if leaf.hex() != proof["leaf_hash"] or index != seq - 1 or not 0 <= index < size:
        raise ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: leaf {index} with hash {proof['leaf_hash'][:16]}… is not event "
            f"#{seq} (leaf {seq - 1}) of the tree of {size} events the head signs.",
        )
    expected = inclusion_path_length(index, size)
    ask_again = (
        f"Download the proof again (the receipt's bukti-log.json, or "
        f"/transparansi/bukti-inklusi?seq={seq}&size={size})."
    )
    if len(path) < expected:
        raise ProofProblem(
            "truncated_proof",
            f"Truncated proof: leaf {index} of a tree of {size} events needs {expected} "
            f"inclusion hashes, the proof gives {len(path)}. {ask_again}",
        )
    if len(path) > expected:
        raise ProofProblem(
            "overlong_proof",
            f"Overlong proof: leaf {index} of a tree of {size} events needs {expected} "
            f"inclusion hashes, the proof gives {len(path)}. {ask_again}",
        )
    if not merkle.verify_inclusion(
        leaf, index, size, [bytes.fromhex(p) for p in path], bytes.fromhex(root_hash)
    ):
        raise ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: event #{seq} (leaf {index}) and the {expected} proof hashes do not "
            f"lead to the root {root_hash[:16]}… of the signed head: the event or a proof hash "
            "was changed, or the proof belongs to another log.",
        )
    _check_document(proof.get("document"), event)
    return ProofCheck(
        seq=seq,
        action=str(event.get("action")),
        leaf_index=index,
        tree_size=size,
        root_hash=root_hash,
        key_fingerprint=fingerprint(public_key_pem),
        signed_at=str(head.get("timestamp")),
    )


def _check_document(document, event: dict) -> None:
    """A PDF's proof names the bytes it covers; when the event recorded their SHA-256, the two
    must agree (the file's own bytes are compared by ``core.documents``)."""
    if not isinstance(document, dict) or not document.get("recorded_as"):
        return
    recorded_as = document["recorded_as"]
    data = event.get("data")
    if not isinstance(data, dict):
        data = {}
    if data.get(recorded_as) != document.get("sha256"):
        raise ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: event #{event['seq']} records {recorded_as} = "
            f"{str(data.get(recorded_as))[:16]}…, not the document's SHA-256 "
            f"{str(document.get('sha256'))[:16]}….",
        )


def proof_lines(proof: dict, *, site: str) -> list[str]:
    """The proof as printed in a PDF's appendix, in Indonesian like the documents themselves;
    a line starting with "# " is a heading."""
    event, head = proof["event"], proof["head"]
    base = head.get("log", "")
    lines = [
        f"# LAMPIRAN: BUKTI LOG TRANSPARANSI ({PROOF_FORMAT})",
        f"Peristiwa yang menerbitkan dokumen ini tercatat dalam log audit {site}; kepala log di",
        "bawah ini ditandatangani dan diterbitkan, sehingga perubahan atau pemotongan riwayat",
        "sesudahnya dapat dibuktikan oleh siapa pun yang menyimpan dokumen ini (R-9.8).",
        "",
    ]
    document = proof.get("document")
    if isinstance(document, dict):
        covered = f"Bita 1-{document.get('size')} berkas ini adalah dokumen"
        if document.get("recorded_as"):
            lines.append(
                f"{covered} yang dicatat peristiwa #{event['seq']} sebagai "
                f"{document['recorded_as']}:"
            )
        else:
            lines.append(f"{covered}, SHA-256:")
        lines += [f"  {document.get('sha256')}", ""]
    lines += [
        "# Peristiwa audit",
        f"Nomor #{event['seq']}: {event['action']} {event['object_type']}:{event['object_id']}",
        f"Waktu (UTC): {event['at']}",
        f"Hash peristiwa (masukan daun):  {proof['event_hash']}",
        f"Indeks daun: {proof['leaf_index']}",
        f"Hash daun:                      {proof['leaf_hash']}",
        "",
        "# Kepala log bertanda tangan",
        f"Ukuran pohon: {head['tree_size']} peristiwa    Waktu: {head.get('timestamp')}",
        f"Hash akar:                      {head['root_hash']}",
        f"Sidik jari kunci:               {head.get('key_fingerprint')}",
        "Tanda tangan kepala (Ed25519, base64):",
        f"  {head.get('signature')}",
        "",
        f"# Bukti inklusi RFC 9162: {len(proof['inclusion'])} hash, dari daun ke akar",
        *[f"{i:3d}. {h}" for i, h in enumerate(proof["inclusion"], start=1)],
        "",
        "# Cara memeriksa",
        "Bukti yang sama terlampir di PDF ini sebagai berkas lpse-log-proof.json. Di server:",
        "  lpse audit verify-proof <berkas.pdf>",
        f"Di luar server, dengan kunci publik dan heads.json dari {base}/transparansi/ :",
        "  python3 verify_log.py --key kunci-lpse.pem --log-proof <berkas.pdf> --heads heads.json",
        "Simpan kepala log ini: `lpse audit verify --against` dengannya membuktikan perubahan",
        "riwayat yang dibuat sesudah dokumen ini diterbitkan.",
    ]
    return lines
