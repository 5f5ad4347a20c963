"""The audit log as a transparency log (R-9.8, R-9.4): a Merkle tree over the audit events, with
signed tree heads and proofs, so a rewrite or a cut of history shows against any head copied out
before it — even one made by someone who rewrote every row and recomputed the hash chain.

Leaf i is audit event seq i+1; its leaf input is the event's chain hash (32 bytes), which commits
to the event's content (``core.audit``). Format of a head, proofs and the offline check:
``docs/transparency-log.md``; the verifier that needs no server: ``tools/verify_log.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lpse.core import merkle
from lpse.core.audit import verify_chain
from lpse.core.models import AuditEvent, AuditHead, TreeHead
from lpse.core.signing import SignatureInvalid, fingerprint, public_key_pem, sign_json, verify_json

TREE_HEAD_FORMAT = "lpse-tree-head-v1"


class LogProblem(Exception):
    """The log does not hold against what was given; the message says what and what to do."""


def leaf_hashes(size: int | None = None) -> list[bytes]:
    """The Merkle leaf hashes of the first ``size`` events (all when None), in order."""
    events = AuditEvent.objects.order_by("seq").values_list("hash", flat=True)
    if size is not None:
        events = events.filter(seq__lte=size)
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in events.iterator(chunk_size=5000)]


def tree_head_sign() -> dict:
    """Sign the head of the log as it stands and keep it (the daily job, and every receipt)."""
    with transaction.atomic():
        # The audit head row is locked by every append: the tree signed is the log at one moment.
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        size = head.seq if head is not None else 0
        root_hash = merkle.root(leaf_hashes(size)).hex()
        now = timezone.now()
        signed = sign_json(
            {
                "format": TREE_HEAD_FORMAT,
                "log": settings.LPSE_BASE_URL,
                "tree_size": size,
                "root_hash": root_hash,
                "timestamp": now.isoformat(timespec="seconds"),
                "key_fingerprint": fingerprint(),
            }
        )
        TreeHead.objects.create(tree_size=size, root_hash=root_hash, signed_at=now, signed=signed)
    return signed


def latest_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-tree_size", "-signed_at").first()


def _log_size() -> int:
    head = AuditHead.objects.filter(id=1).first()
    return head.seq if head is not None else 0


def consistency(first: int, second: int) -> list[str]:
    """The proof that the log's first ``first`` events are the start of its first ``second``."""
    if not 0 < first <= second <= _log_size():
        raise LogProblem(
            f"No proof from {first} to {second} events: the log has {_log_size()} events; "
            "ask for 0 < first ≤ second ≤ that."
        )
    return [p.hex() for p in merkle.consistency_proof(first, leaf_hashes(second))]


def inclusion(seq: int, size: int) -> list[str]:
    """The proof that event ``seq`` is in the tree of the first ``size`` events."""
    if not 0 < seq <= size <= _log_size():
        raise LogProblem(
            f"No proof for event {seq} in a tree of {size}: the log has {_log_size()} events."
        )
    return [p.hex() for p in merkle.inclusion_proof(seq - 1, leaf_hashes(size))]


def check_head(held: dict) -> tuple[int, str]:
    """A head someone holds, checked as this LPSE's: (tree size, root hash)."""
    if not isinstance(held, dict) or held.get("format") != TREE_HEAD_FORMAT:
        raise LogProblem("This is not an LPSE tree head (its format is not lpse-tree-head-v1).")
    try:
        verify_json(held, public_key_pem())
    except SignatureInvalid as exc:
        raise LogProblem(
            f"Unknown head: {exc}. Compare its key_fingerprint with this LPSE's ({fingerprint()})."
        ) from None
    size, root_hash = held.get("tree_size"), held.get("root_hash")
    if not isinstance(size, int) or not isinstance(root_hash, str):
        raise LogProblem("The head names no tree size or root hash.")
    return size, root_hash


def verify_against(held: dict) -> str:
    """R-9.8: the log as it stands holds against a head copied out earlier. Raises LogProblem
    naming what was done to history; returns what was checked."""
    size, root_hash = check_head(held)
    chain = verify_chain()
    if not chain.ok:
        raise LogProblem(f"The hash chain breaks: {chain.problem}.")
    if chain.events < size:
        raise LogProblem(
            f"Truncated: the log has {chain.events} events, the head you hold "
            f"({held.get('timestamp')}) has {size}. Events were removed from the end."
        )
    if merkle.root(leaf_hashes(size)).hex() != root_hash:
        raise LogProblem(
            f"Rewritten: the first {size} events no longer hash to the root of the head you hold "
            f"({held.get('timestamp')}). History was changed after that head was published."
        )
    return (
        f"The log ({chain.events} events) extends the head you hold ({size} events, "
        f"{held.get('timestamp')}) unchanged."
    )
