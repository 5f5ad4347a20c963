"""R-9.8: the Merkle hashing and proofs of the transparency log are RFC 9162's, checked against
the RFC 6962 reference tree (the vectors every Certificate Transparency implementation shares),
and a proof that is cut, altered or for another tree is refused."""

from __future__ import annotations

import pytest

from lpse.core import merkle

# The reference leaves of RFC 6962's test data and the roots of their trees of 0 … 8 leaves.
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_R_9_8_the_roots_of_the_reference_tree_are_rfc_6962s():
    for size in range(len(ROOTS)):
        assert merkle.root(HASHES[:size]).hex() == ROOTS[size], size


def test_R_9_8_the_reference_inclusion_proof_of_the_first_leaf():
    assert [p.hex() for p in merkle.inclusion_proof(0, HASHES)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


@pytest.mark.parametrize("size", range(1, 40))
def test_R_9_8_every_inclusion_and_consistency_proof_verifies_in_trees_of_every_shape(size):
    leaves = [merkle.leaf_hash(bytes([i, i * 7 % 256])) for i in range(size)]
    top = merkle.root(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(index, leaves)
        assert merkle.verify_inclusion(leaves[index], index, size, proof, top)
        # the same proof does not put another leaf there, nor this leaf elsewhere
        other = leaves[(index + 1) % size]
        if size > 1:
            assert not merkle.verify_inclusion(other, index, size, proof, top)
            assert not merkle.verify_inclusion(leaves[index], (index + 1) % size, size, proof, top)
    for first in range(1, size + 1):
        proof = merkle.consistency_proof(first, leaves)
        old = merkle.root(leaves[:first])
        assert merkle.verify_consistency(first, size, old, top, proof), first


def test_R_9_8_a_cut_altered_or_foreign_consistency_proof_is_refused():
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(13)]
    old, new = merkle.root(leaves[:6]), merkle.root(leaves)
    proof = merkle.consistency_proof(6, leaves)
    assert merkle.verify_consistency(6, 13, old, new, proof)
    assert not merkle.verify_consistency(6, 13, old, new, proof[:-1])  # truncated proof
    altered = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert not merkle.verify_consistency(6, 13, old, new, altered)
    # A history rewritten at leaf 3: the new tree does not extend the old head.
    rewritten = [*leaves[:3], merkle.leaf_hash(b"forged"), *leaves[4:]]
    assert not merkle.verify_consistency(
        6, 13, old, merkle.root(rewritten), merkle.consistency_proof(6, rewritten)
    )
    # Shrinking is never consistent.
    assert not merkle.verify_consistency(13, 6, new, old, proof)


def test_R_9_8_the_standalone_verifier_decides_every_consistency_proof_as_the_server_does():
    """tools/verify_log.py carries its own copy of the check (it runs without LPSE): the copy
    must agree with lpse.core.merkle on proofs good and bad, in trees of every shape."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "verify_log.py"
    spec = importlib.util.spec_from_file_location("verify_log", path)
    standalone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(standalone)
    for size in range(1, 34):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(size)]
        top = merkle.root(leaves)
        for first in range(1, size + 1):
            proof = merkle.consistency_proof(first, leaves)
            old = merkle.root(leaves[:first])
            for candidate in (proof, proof[:-1], [*proof, top], [top, *proof[1:]]):
                args = (first, size, old, top, candidate)
                assert standalone.verify_consistency(*args) == merkle.verify_consistency(*args)
            assert standalone.verify_consistency(first, size, old, top, proof)
