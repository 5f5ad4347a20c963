"""The audit log as a transparency log (R-9.8, R-9.4): a Merkle tree over the audit events, with
signed tree heads and proofs, so a rewrite or a cut of history shows against any head copied out
before it — even one made by someone who rewrote every row and recomputed the hash chain.

Leaf i is audit event seq i+1; its leaf input is the event's chain hash (32 bytes), which commits
to the event's content (``core.audit``). Format of a head, proofs and the offline check:
``docs/transparency-log.md``; the verifier that needs no server: ``tools/verify_log.py``.
"""

from __future__ import annotations

import threading

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
    """The Merkle leaf hashes of the first ``size`` events (all when None), in order, read from
    the database as it stands: what every *check* uses (``verify_against``), never a cache."""
    events = AuditEvent.objects.order_by("seq").values_list("hash", flat=True)
    if size is not None:
        events = events.filter(seq__lte=size)
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in events.iterator(chunk_size=5000)]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


class _LogTree:
    """The log's Merkle tree as this process last read it, so that signing a head and answering
    an inclusion proof — once per issued receipt or report — cost O(log n) hashes and one short
    query instead of reading and hashing the whole log (bench/log_proofs.py measures both).

    What is kept is safe to keep because the log only grows: a leaf never changes, and neither
    does a complete subtree (2^k leaves aligned on 2^k), whose roots are memoised from
    ``MEMO_FROM`` leaves up. Before use the cache is checked against the database: the chain hash
    of its last event must still be there, and that hash commits to every event before it (R-9.4).
    If it is not — a rolled-back transaction, a restore, a rewrite — the cache is dropped and the
    tree read again, exactly as without a cache. Checks never use it (``leaf_hashes``)."""

    MEMO_FROM = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._leaves = bytearray()  # 32 bytes per leaf: 32 MB for a million events
        self._count = 0
        self._last_hash = ""
        self._memo: dict[tuple[int, int], bytes] = {}

    def root(self, size: int) -> bytes:
        with self._lock:
            self._sync(size)
            return self._root(0, size) if size else merkle.root([])

    def inclusion(self, index: int, size: int) -> list[bytes]:
        with self._lock:
            self._sync(size)
            return self._path(index, 0, size)

    def _sync(self, size: int) -> None:
        if self._count:
            held = AuditEvent.objects.filter(seq=self._count).values_list("hash", flat=True)
            if held.first() != self._last_hash:
                self._reset()
        if size <= self._count:
            return
        rows = AuditEvent.objects.filter(seq__gt=self._count, seq__lte=size).order_by("seq")
        for seq, chain_hash in rows.values_list("seq", "hash").iterator(chunk_size=5000):
            if seq != self._count + 1:
                self._reset()
                raise LogProblem(
                    f"Event #{self._count + 1} is missing from the log (the next is #{seq}): no "
                    "head is signed over a broken log. Run `lpse audit verify`."
                )
            self._leaves += merkle.leaf_hash(bytes.fromhex(chain_hash))
            self._count, self._last_hash = seq, chain_hash
        if self._count < size:
            missing = self._count + 1
            self._reset()
            raise LogProblem(f"The log ends before event #{missing} of the {size} asked for.")

    def _leaf(self, index: int) -> bytes:
        return bytes(self._leaves[32 * index : 32 * index + 32])

    def _root(self, start: int, n: int) -> bytes:
        """MTH of the ``n`` leaves from ``start`` (RFC 9162 §2.1.1)."""
        if n == 1:
            return self._leaf(start)
        complete = n & (n - 1) == 0
        if complete and n >= self.MEMO_FROM and (start, n) in self._memo:
            return self._memo[(start, n)]
        k = _split(n)
        value = merkle.node_hash(self._root(start, k), self._root(start + k, n - k))
        if complete and n >= self.MEMO_FROM:
            self._memo[(start, n)] = value
        return value

    def _path(self, index: int, start: int, n: int) -> list[bytes]:
        """PATH(index, D[start:start+n]) (RFC 9162 §2.1.3.1)."""
        if n == 1:
            return []
        k = _split(n)
        if index < k:
            return [*self._path(index, start, k), self._root(start + k, n - k)]
        return [*self._path(index - k, start + k, n - k), self._root(start, k)]


_tree = _LogTree()


def tree_head_sign() -> dict:
    """Sign the head of the log as it stands and keep it (the daily job, and every receipt)."""
    with transaction.atomic():
        # The audit head row is locked by every append: the tree signed is the log at one moment.
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        size = head.seq if head is not None else 0
        root_hash = _tree.root(size).hex()
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


def log_size() -> int:
    """How many events the log holds, by its chain head."""
    head = AuditHead.objects.filter(id=1).first()
    return head.seq if head is not None else 0


def tree_root(size: int) -> bytes:
    """The Merkle root of the first ``size`` events, from this process's tree (``_LogTree``)."""
    return _tree.root(size)


def consistency(first: int, second: int) -> list[str]:
    """The proof that the log's first ``first`` events are the start of its first ``second``."""
    if not 0 < first <= second <= log_size():
        raise LogProblem(
            f"No proof from {first} to {second} events: the log has {log_size()} events; "
            "ask for 0 < first ≤ second ≤ that."
        )
    return [p.hex() for p in merkle.consistency_proof(first, leaf_hashes(second))]


def inclusion(seq: int, size: int) -> list[str]:
    """The proof that event ``seq`` is in the tree of the first ``size`` events."""
    if not 0 < seq <= size <= log_size():
        raise LogProblem(
            f"No proof for event {seq} in a tree of {size}: the log has {log_size()} events."
        )
    return [p.hex() for p in _tree.inclusion(seq - 1, size)]


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
