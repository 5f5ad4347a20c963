"""The server's Shamir port combines what browsers split, and the other way round (R-9.9).

A tender's key is split in a committee member's browser by the ``shamir-secret-sharing`` package
(in ``static/vendor/lpse-crypto.min.js``) and combined on the server at the opening by
``lpse.bids.shamir``. These tests hold the two to each other: vectors the JS package made
(``tests/data/shamir_vectors.json``, from ``js/make-shamir-vectors.mjs``), a live round trip
through ``node`` in both directions, the field itself, and the refusals of bad input.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lpse.bids import shamir
from lpse.bids.shamir import ShamirError

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "js"
VECTORS = json.loads((Path(__file__).parent / "data" / "shamir_vectors.json").read_text())
JS_SOURCE = JS / "node_modules" / "shamir-secret-sharing" / "src" / "index.ts"


VECTOR_CASES = [
    pytest.param(case, id=f"k{case['k']}-n{case['n']}-{len(case['secret']) // 2}B")
    for case in VECTORS["cases"]
]


def subsets(case, rng):
    """Every k-subset, each in shuffled order; where there are too many (2 of 255), 300 of them."""
    shares = [bytes.fromhex(s) for s in case["shares"]]
    k, n = case["k"], len(shares)
    if math.comb(n, k) <= 300:
        chosen = list(itertools.combinations(range(n), k))
    else:
        chosen = [rng.sample(range(n), k) for _ in range(300)]
    for indexes in chosen:
        picked = [shares[i] for i in indexes]
        rng.shuffle(picked)
        yield picked


# --- (a) vectors made by the JavaScript package --------------------------------------------------


def test_R_9_9_the_vectors_come_from_the_package_the_browser_bundles():
    lock = json.loads((JS / "package-lock.json").read_text())
    bundled = lock["packages"]["node_modules/shamir-secret-sharing"]["version"]
    assert VECTORS["library"] == f"shamir-secret-sharing {bundled}"
    shapes = {(c["k"], c["n"]) for c in VECTORS["cases"]}
    assert {(2, 2), (2, 3), (4, 7), (7, 7)} <= shapes
    assert {16, 32} <= {len(c["secret"]) // 2 for c in VECTORS["cases"]}


@pytest.mark.parametrize("case", VECTOR_CASES)
def test_R_9_9_every_k_of_the_browsers_shares_rebuilds_the_secret_on_the_server(case):
    secret = bytes.fromhex(case["secret"])
    for share in case["shares"]:
        # The layout the port relies on: the y bytes, then one x byte in 1..255.
        assert len(share) // 2 == len(secret) + 1
        assert bytes.fromhex(share)[-1] != 0
    rng = random.Random(case["secret"])
    for picked in subsets(case, rng):
        assert shamir.combine(picked) == secret


# --- (b) the port on its own ---------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(2, 2), (2, 3), (3, 5), (4, 7), (7, 7), (2, 255), (255, 255)])
def test_R_9_9_any_k_of_n_python_shares_rebuild_the_secret(k, n):
    secret = os.urandom(32)
    shares = shamir.split(secret, n, k)
    assert len(shares) == n
    assert all(len(s) == 33 for s in shares)
    assert len({s[-1] for s in shares}) == n  # distinct x coordinates
    rng = random.Random(n * 1000 + k)
    for _ in range(20 if k < 10 else 2):  # a 255-share combine takes a while in Python
        assert shamir.combine(rng.sample(shares, k)) == secret
    assert shamir.combine(shares) == secret  # more than k is fine too


@pytest.mark.parametrize(("k", "n"), [(3, 5), (4, 7), (7, 7)])
def test_R_9_9_fewer_than_k_shares_do_not_give_the_secret(k, n):
    # 32 random bytes: a lucky match has probability 2**-256, so this cannot flake.
    secret = os.urandom(32)
    shares = shamir.split(secret, n, k)
    for picked in itertools.combinations(shares, k - 1):
        assert shamir.combine(list(picked)) != secret


def test_R_9_9_the_field_is_gf256_with_the_aes_polynomial_as_the_package_says():
    """Every product from the tables equals the field's definition (carry-less multiplication
    reduced by x^8 + x^4 + x^3 + x + 1), and division undoes it."""
    for a in range(256):
        for b in range(256):
            product = shamir.mul(a, b)
            assert product == shamir._gf_mul_slow(a, b)
            if b:
                assert shamir.div(product, b) == a


# --- (c) live, against the package in js/node_modules --------------------------------------------


def node_or_skip() -> str:
    """The node binary, when js/node_modules is installed; else skip, or fail under CI (which
    runs scripts/build-js before the tests, so a missing install there is a broken pipeline)."""
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "node is not installed (apt-get install nodejs npm), then run scripts/build-js"
    elif not (JS / "node_modules" / "shamir-secret-sharing").is_dir():
        reason = "run scripts/build-js"
    if reason is None:
        return node
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the live JS cross-test cannot run: {reason}")
    pytest.skip(reason)


def run_js(requests: list[dict]) -> list[dict]:
    result = subprocess.run(
        [node_or_skip(), "shamir-cli.mjs"],
        cwd=JS,
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_R_9_9_live_shares_split_by_the_js_package_combine_in_python():
    rng = random.Random()
    cases = [
        (os.urandom(length), *kn) for length in (1, 16, 32, 74) for kn in ((2, 3), (4, 7), (5, 9))
    ]
    answers = run_js([{"split": {"secret": s.hex(), "n": n, "k": k}} for s, k, n in cases])
    for (secret, k, _n), answer in zip(cases, answers, strict=True):
        shares = [bytes.fromhex(h) for h in answer["shares"]]
        assert shamir.combine(rng.sample(shares, k)) == secret


def test_R_9_9_live_shares_split_in_python_combine_in_the_js_package():
    rng = random.Random()
    cases = [
        (os.urandom(length), *kn) for length in (1, 16, 32, 74) for kn in ((2, 2), (3, 5), (7, 7))
    ]
    picked = [rng.sample(shamir.split(s, n, k), k) for s, k, n in cases]
    answers = run_js([{"combine": [share.hex() for share in p]} for p in picked])
    assert [bytes.fromhex(a["secret"]) for a in answers] == [s for s, _k, _n in cases]


def test_R_9_9_the_port_uses_the_packages_own_log_and_exp_tables():
    node_or_skip()  # the package's TypeScript source is in js/node_modules
    source = JS_SOURCE.read_text()

    def table(name: str) -> bytes:
        body = re.search(name + r"[^=]*= new Uint8Array\(\[(.*?)\]\)", source, re.S)
        assert body, f"{name} not found in {JS_SOURCE}"
        return bytes(int(h, 16) for h in re.findall(r"0x[0-9a-fA-F]{2}", body.group(1)))

    assert table("LOG_TABLE") == shamir.LOG_TABLE
    assert table("EXP_TABLE") == shamir.EXP_TABLE


# --- (d) bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "n", "k", "message"),
    [
        (b"", 3, 2, "non-empty"),
        ("text", 3, 2, "non-empty bytes"),
        (b"s", 1, 1, "between 2 and 255"),
        (b"s", 256, 2, "between 2 and 255"),
        (b"s", 3, 1, "between 2 and 255"),
        (b"s", 3, 4, "cannot be more than n"),
        (b"s", 3.0, 2, "whole number"),
        (b"s", True, 2, "whole number"),
    ],
)
def test_R_9_9_split_refuses_what_the_js_package_refuses(secret, n, k, message):
    with pytest.raises(ShamirError, match=message):
        shamir.split(secret, n, k)


def test_R_9_9_combine_refuses_shares_that_cannot_belong_together():
    shares = shamir.split(b"rahasia-32-bytes-wrapping-key!!!", 3, 2)
    other = shamir.split(b"lain", 3, 2)
    with pytest.raises(ShamirError, match="at least 2 shares"):
        shamir.combine([shares[0]])
    with pytest.raises(ShamirError, match="at least 2 shares"):
        shamir.combine([])
    with pytest.raises(ShamirError, match="different lengths"):
        shamir.combine([shares[0], other[1]])
    # The same share twice would divide by zero (x_i ^ x_j = 0) without the check.
    with pytest.raises(ShamirError, match="same x"):
        shamir.combine([shares[0], shares[0]])
    with pytest.raises(ShamirError, match="at least 2 bytes"):
        shamir.combine([b"\x01", b"\x02"])
    with pytest.raises(ShamirError, match="x = 0"):
        shamir.combine([shares[0], shares[1][:-1] + b"\x00"])
    with pytest.raises(ShamirError, match="must be bytes"):
        shamir.combine([shares[0], shares[1].hex()])
    with pytest.raises(ShamirError, match="at most 255"):
        shamir.combine([shares[0]] * 256)
