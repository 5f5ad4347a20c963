#!/usr/bin/env python3
"""Check an LPSE transparency log from outside the server (R-9.8).

Needs Python 3.11 and the `cryptography` package, nothing of LPSE. Give it the LPSE's public key
(PEM, published on the site and in the operator guide), a tree head you kept earlier (the daily
e-mail, a receipt, the public feed), a newer head, and the consistency proof between them
(``/transparansi/bukti-konsistensi?first=M&second=N``):

    python3 verify_log.py --key lpse-key.pem --old head-old.json --new head-new.json \\
        --proof proof.json

It checks both heads' signatures, then that the newer tree extends the older one unchanged.
Exit 0 when it does; 1, with the reason, when history was cut or rewritten or a file is not what
it claims. The Merkle algorithms are RFC 9162 §2.1, written out here on purpose (the same ones as
``lpse.core.merkle``, which the project's tests compare with this file) so that this script can be
read and run on its own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
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


def checked_head(path: Path, key: Ed25519PublicKey) -> tuple[int, bytes, str]:
    """(tree size, root, timestamp) of a head signed by ``key``; NotValid otherwise."""
    try:
        head = json.loads(path.read_text())
        signature = base64.b64decode(head["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotValid(f"{path}: not a readable tree head ({exc})") from None
    if head.get("format") != TREE_HEAD_FORMAT:
        raise NotValid(f"{path}: not an LPSE tree head")
    body = {k: v for k, v in head.items() if k != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        key.verify(signature, canonical.encode())
    except InvalidSignature:
        raise NotValid(
            f"{path}: the signature does not match this key: the head was altered or is not "
            "this LPSE's (compare its key_fingerprint with the one the LPSE publishes)"
        ) from None
    try:
        return int(head["tree_size"]), bytes.fromhex(head["root_hash"]), str(head["timestamp"])
    except (KeyError, ValueError, TypeError):
        raise NotValid(f"{path}: the head names no tree size or root") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", type=Path, required=True, help="the LPSE's public key (PEM)")
    parser.add_argument("--old", type=Path, required=True, help="the head you kept earlier")
    parser.add_argument("--new", type=Path, required=True, help="a newer head")
    parser.add_argument("--proof", type=Path, required=True, help='{"consistency": [hex, …]}')
    args = parser.parse_args(argv)
    try:
        key = serialization.load_pem_public_key(args.key.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise NotValid(f"{args.key}: not an Ed25519 public key")
        old_size, old_root, old_at = checked_head(args.old, key)
        new_size, new_root, new_at = checked_head(args.new, key)
        try:
            proof = [bytes.fromhex(h) for h in json.loads(args.proof.read_text())["consistency"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NotValid(f"{args.proof}: not a readable consistency proof ({exc})") from None
    except (NotValid, OSError, ValueError) as exc:
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
