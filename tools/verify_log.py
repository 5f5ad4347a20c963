#!/usr/bin/env python3
"""Check an LPSE transparency log from outside the server (R-9.8).

Needs Python 3.11 and the `cryptography` package, nothing of LPSE. Give it the LPSE's public key
(PEM, published on the site and in the operator guide), a tree head you kept earlier (the daily
e-mail, a receipt, the public feed), a newer head, and the consistency proof between them
(``/transparansi/bukti-konsistensi?first=M&second=N``):

    python3 verify_log.py --key lpse-key.pem --old head-old.json --new head-new.json \\
        --proof proof.json

It checks both heads' signatures, then that the newer tree extends the older one unchanged.

Or give it a log proof — a receipt's ``bukti-log.json``, or a receipt, opening report or award
letter PDF, which carries one — and the heads the LPSE publishes (``/transparansi/heads.json``)
or a head you kept:

    python3 verify_log.py --key lpse-key.pem --log-proof berita-acara.pdf --heads heads.json

It checks that the head in the proof is signed by the key and is one of those heads, that the
event hashes to its leaf and the inclusion proof leads from that leaf to the head's root, and,
for a PDF, that the bytes before the appendix are the document the event recorded.

Exit 0 when all holds; 1, with the reason, when history was cut or rewritten, a proof is
truncated, a head is unknown, a leaf does not match, or a file is not what it claims. The Merkle
algorithms are RFC 9162 §2.1, written out here on purpose (the same ones as ``lpse.core.merkle``,
which the project's tests compare with this file) so that this script can be read and run on its
own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TREE_HEAD_FORMAT = "lpse-tree-head-v1"


class NotValid(Exception):
    pass


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def _signed_head(head: object, label: str, key: Ed25519PublicKey) -> tuple[int, bytes, str]:
    """(tree size, root, timestamp) of a head signed by ``key``; NotValid otherwise."""
    if not isinstance(head, dict):
        raise NotValid(f"{label}: not a readable tree head")
    try:
        signature = base64.b64decode(head["signature"])
    except (ValueError, KeyError, TypeError) as exc:
        raise NotValid(f"{label}: not a readable tree head ({exc})") from None
    if head.get("format") != TREE_HEAD_FORMAT:
        raise NotValid(f"{label}: not an LPSE tree head")
    body = {k: v for k, v in head.items() if k != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        key.verify(signature, canonical.encode())
    except InvalidSignature:
        raise NotValid(
            f"{label}: the signature does not match this key: the head was altered or is not "
            "this LPSE's (compare its key_fingerprint with the one the LPSE publishes)"
        ) from None
    try:
        return int(head["tree_size"]), bytes.fromhex(head["root_hash"]), str(head["timestamp"])
    except (KeyError, ValueError, TypeError):
        raise NotValid(f"{label}: the head names no tree size or root") from None


def checked_head(path: Path, key: Ed25519PublicKey) -> tuple[int, bytes, str]:
    try:
        head = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise NotValid(f"{path}: not a readable tree head ({exc})") from None
    return _signed_head(head, str(path), key)


# --- log proofs (lpse-log-proof-v1) ----------------------------------------------------------

PROOF_FORMAT = "lpse-log-proof-v1"
# How core/pdf.py attaches the proof to a PDF's appendix (an uncompressed embedded file).
ATTACHMENT = re.compile(
    rb"/Type /EmbeddedFile /Subtype /application#2Fjson /Length (\d+) >>\nstream\n"
)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def path_length(index: int, size: int) -> int:
    """How many hashes the inclusion proof of leaf ``index`` in a tree of ``size`` has."""
    length = 0
    while size > 1:
        k = 1 << ((size - 1).bit_length() - 1)
        index, size = (index, k) if index < k else (index - k, size - k)
        length += 1
    return length


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def read_proof(path: Path) -> tuple[dict, bytes | None]:
    """The proof in a JSON file, or attached to a PDF (then the PDF's bytes too)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotValid(f"{path}: cannot read ({exc.strerror})") from None
    pdf = data if data.startswith(b"%PDF") else None
    if pdf is not None:
        found = list(ATTACHMENT.finditer(pdf))
        if not found:
            raise NotValid(f"{path}: this PDF carries no log proof (no lpse-log-proof.json)")
        data = pdf[found[-1].end() : found[-1].end() + int(found[-1][1])]
    try:
        proof = json.loads(data)
    except ValueError as exc:
        raise NotValid(f"{path}: not a readable log proof ({exc})") from None
    if not isinstance(proof, dict) or proof.get("format") != PROOF_FORMAT:
        raise NotValid(f"{path}: not an LPSE log proof (its format is not {PROOF_FORMAT})")
    return proof, pdf


def published(path: Path) -> list[dict]:
    """The heads in the public feed ({"heads": [...]}), or the one head in a head file."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise NotValid(f"{path}: not a readable head or heads feed ({exc})") from None
    heads = data.get("heads") if isinstance(data, dict) and "heads" in data else [data]
    if not isinstance(heads, list):
        raise NotValid(f"{path}: not a heads feed")
    return [h for h in heads if isinstance(h, dict)]


def check_log_proof(
    proof: dict, pdf: bytes | None, key: Ed25519PublicKey, heads: list[dict]
) -> str:
    """What the proof shows, or NotValid naming what fails: the same checks, in the same order,
    as ``lpse.core.log_proof.verify_proof``."""
    try:
        event, index, path = proof["event"], proof["leaf_index"], proof["inclusion"]
        event_hash, given_leaf, seq = proof["event_hash"], proof["leaf_hash"], event["seq"]
        hashes = [bytes.fromhex(h) for h in path]
        head = proof["head"]
    except (KeyError, TypeError, ValueError) as exc:
        raise NotValid(f"the log proof is incomplete ({exc}): download it again") from None
    log = head.get("log", "the LPSE") if isinstance(head, dict) else "the LPSE"
    try:
        size, root, at = _signed_head(head, "the head in the proof", key)
    except NotValid as exc:
        raise NotValid(
            f"unknown head: {exc}. It is not signed by the key {fingerprint(key)}: fetch "
            f"{log}/transparansi/heads.json and compare"
        ) from None
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(canonical.encode()).hexdigest() != event_hash:
        raise NotValid(
            f"leaf mismatch: event #{seq} as written in the proof does not hash to its "
            "event_hash: the event was changed after the proof was issued"
        )
    leaf = leaf_hash(bytes.fromhex(event_hash))
    if leaf.hex() != given_leaf or index != seq - 1 or not 0 <= index < size:
        raise NotValid(f"leaf mismatch: leaf {index} is not event #{seq} of this tree")
    expected = path_length(index, size)
    if len(hashes) != expected:
        raise NotValid(
            f"{'truncated' if len(hashes) < expected else 'overlong'} proof: leaf {index} of a "
            f"tree of {size} events needs {expected} inclusion hashes, the proof gives "
            f"{len(hashes)}: download it again"
        )
    if not verify_inclusion(leaf, index, size, hashes, root):
        raise NotValid(
            f"leaf mismatch: event #{seq} (leaf {index}) and the proof hashes do not lead to "
            "the root of the signed head: the event or a proof hash was changed"
        )
    said = [
        f"proof valid: event #{seq} ({event.get('action')}) is leaf {index} of tree size "
        f"{size}, head signed by fingerprint {fingerprint(key)} at {at}"
    ]
    said += _document(proof.get("document"), event, pdf)
    said.append(_among(size, root, heads, log))
    return "\n".join(said)


def _document(document: object, event: dict, pdf: bytes | None) -> list[str]:
    if not isinstance(document, dict):
        return []
    recorded_as, sha256, size = (
        document.get("recorded_as"),
        document.get("sha256"),
        document.get("size"),
    )
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    if recorded_as and data.get(recorded_as) != sha256:
        raise NotValid(f"leaf mismatch: the event does not record the document's SHA-256 {sha256}")
    if pdf is None:
        return []
    if not isinstance(size, int) or hashlib.sha256(pdf[:size]).hexdigest() != sha256:
        raise NotValid(
            "leaf mismatch: the PDF's bytes before its appendix are not the document the proof "
            "names: the document was changed"
        )
    return [
        f"bytes 1-{size} of the PDF are the document "
        + (f"the event recorded as {recorded_as}" if recorded_as else f"with SHA-256 {sha256}"),
        "the pages after them are the LPSE's proof appendix: the whole file's own signature "
        "is checked with its .sig on /verifikasi-dokumen/",
    ]


def _among(size: int, root: bytes, heads: list[dict], log: str) -> str:
    sizes = []
    for head in heads:
        sizes.append(head.get("tree_size"))
        if head.get("tree_size") == size and head.get("root_hash") == root.hex():
            return f"the head is one of the {len(heads)} published heads you gave"
    known = [s for s in sizes if isinstance(s, int)]
    span = f" (tree sizes {min(known)}-{max(known)})" if known else ""
    raise NotValid(
        f"unknown head: the head in the proof (tree size {size}, root {root.hex()[:16]}...) is "
        f"not among the {len(heads)} heads you gave{span}. Fetch {log}/transparansi/heads.json "
        "again and compare; for a head older than the feed reaches, ask for a consistency proof "
        f"(/transparansi/bukti-konsistensi?first={size}&second=N) and check it with --old/--new/"
        "--proof. A head the LPSE signed and no longer lists was taken back: keep this file."
    )


def _key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise NotValid(f"{path}: not a readable public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise NotValid(f"{path}: not an Ed25519 public key")
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", type=Path, required=True, help="the LPSE's public key (PEM)")
    parser.add_argument("--old", type=Path, help="the head you kept earlier")
    parser.add_argument("--new", type=Path, help="a newer head")
    parser.add_argument("--proof", type=Path, help='{"consistency": [hex, …]}')
    parser.add_argument(
        "--log-proof",
        type=Path,
        help="a log proof: a receipt's bukti-log.json, or a receipt or report PDF",
    )
    parser.add_argument(
        "--heads",
        type=Path,
        help="with --log-proof: the published heads (/transparansi/heads.json) or a head you kept",
    )
    args = parser.parse_args(argv)
    if args.log_proof is not None:
        if args.heads is None:
            parser.error("--log-proof needs --heads (heads.json, or a head file you kept)")
        return _log_proof_main(args)
    if None in (args.old, args.new, args.proof):
        parser.error("give --old, --new and --proof (or --log-proof with --heads)")
    return _consistency_main(args)


def _log_proof_main(args: argparse.Namespace) -> int:
    try:
        key = _key(args.key)
        proof, pdf = read_proof(args.log_proof)
        print(check_log_proof(proof, pdf, key, published(args.heads)))
    except NotValid as exc:
        print(f"NOT VALID: {exc}")
        return 1
    return 0


def _consistency_main(args: argparse.Namespace) -> int:
    try:
        key = _key(args.key)
        old_size, old_root, old_at = checked_head(args.old, key)
        new_size, new_root, new_at = checked_head(args.new, key)
        try:
            proof = [bytes.fromhex(h) for h in json.loads(args.proof.read_text())["consistency"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotValid(f"{args.proof}: not a readable consistency proof ({exc})") from None
    except NotValid as exc:
        print(f"NOT VALID: {exc}")
        return 1
    if new_size < old_size:
        print(f"NOT consistent: the newer head has {new_size} events, fewer than {old_size}: cut")
        return 1
    if not verify_consistency(old_size, new_size, old_root, new_root, proof):
        print(
            f"NOT consistent: the log of {new_at} ({new_size} events) does not extend the one of "
            f"{old_at} ({old_size} events) unchanged — history was rewritten or cut, or the proof "
            "is not for these two heads"
        )
        return 1
    print(f"consistent: {new_size} events at {new_at} extend the {old_size} of {old_at} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
