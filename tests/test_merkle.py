"""The Merkle tree, its proofs and their checks (unledger.merkle).

Known answers: the test vectors every RFC 6962 implementation shares, as
published in transparency-dev/merkle (the successor of
certificate-transparency-go's merkle package): leaf inputs and roots in
``testonly/constants.go``, inclusion and consistency proofs in
``proof/verify_test.go``. Then properties: for random logs and sizes every
proof verifies, and a single flipped bit in a proof, a root or a line makes
it fail. (A flipped bit in a *size* is caught one layer up, where the size
is part of the signed checkpoint: see test_checkpoint.py.)
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unledger.errors import ProofError
from unledger.merkle import (
    EMPTY_ROOT,
    Tree,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

# transparency-dev/merkle testonly/constants.go: LeafInputs() and RootHashes().
LEAVES = [h(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
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
# transparency-dev/merkle proof/verify_test.go: inclusionProofs (leaf is 1-based there).
INCLUSION = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
# transparency-dev/merkle proof/verify_test.go: consistencyProofs.
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


def test_hashing_is_rfc_6962() -> None:
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == h(ROOTS[0])
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest() == h(ROOTS[1])
    assert node_hash(leaf_hash(b""), leaf_hash(b"\x00")) == h(ROOTS[2])


def test_roots_of_the_reference_leaves_for_every_size() -> None:
    tree = Tree(LEAVES)
    assert [tree.root(n).hex() for n in range(9)] == ROOTS
    # Grown one leaf at a time, the tree gives the same roots.
    grown = Tree()
    for n, leaf in enumerate(LEAVES, 1):
        grown.append(leaf)
        assert grown.root().hex() == ROOTS[n]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_reference_inclusion_proofs(leaf: int, size: int, proof: list[str]) -> None:
    tree = Tree(LEAVES)
    assert [p.hex() for p in tree.inclusion_proof(leaf - 1, size)] == proof
    verify_inclusion(leaf - 1, size, leaf_hash(LEAVES[leaf - 1]), [h(p) for p in proof], h(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    tree = Tree(LEAVES)
    assert [p.hex() for p in tree.consistency_proof(old, new)] == proof
    verify_consistency(old, new, h(ROOTS[old]), h(ROOTS[new]), [h(p) for p in proof])


def test_degenerate_cases() -> None:
    tree = Tree(LEAVES)
    assert tree.inclusion_proof(0, 1) == [] and tree.consistency_proof(0, 8) == [] and tree.consistency_proof(8, 8) == []
    verify_inclusion(0, 1, leaf_hash(b""), [], h(ROOTS[1]))
    verify_consistency(0, 8, EMPTY_ROOT, h(ROOTS[8]), [])
    verify_consistency(8, 8, h(ROOTS[8]), h(ROOTS[8]), [])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(8, 8, h(ROOTS[8]), h(ROOTS[7]), [])
    with pytest.raises(ProofError, match="cannot extend"):
        verify_consistency(8, 7, h(ROOTS[8]), h(ROOTS[7]), [])
    with pytest.raises(ProofError, match="not in a tree"):
        root_from_inclusion_proof(8, 8, leaf_hash(b""), [])
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(1, 2, h(ROOTS[1]), h(ROOTS[2]), [])
    with pytest.raises(ProofError):
        tree.inclusion_proof(0, 9)
    with pytest.raises(ProofError):
        tree.consistency_proof(5, 4)


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


lines = st.lists(st.binary(max_size=24), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(lines, st.data())
def test_every_inclusion_proof_verifies_and_every_flipped_bit_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = Tree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = tree.root(size)
    proof = tree.inclusion_proof(index, size)
    assert tree.root(size) == Tree(leaves[:size]).root()
    verify_inclusion(index, size, leaf_hash(leaves[index]), proof, root)
    for i in range(len(proof)):
        for bit in range(256):
            bad = list(proof)
            bad[i] = _flip(proof[i], bit)
            with pytest.raises(ProofError):
                verify_inclusion(index, size, leaf_hash(leaves[index]), bad, root)
    for bit in range(256):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf_hash(leaves[index]), proof, _flip(root, bit))
    line = leaves[index] or b"\x00"  # an empty line has no bit to flip: a changed line
    for bit in range(8 * len(line)):
        changed = _flip(line, bit) if leaves[index] else line
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf_hash(changed), proof, root)
    # The proof of another leaf, a shorter or a longer proof: all refused.
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(leaves[index]), proof + [root], root)
    if proof:
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf_hash(leaves[index]), proof[:-1], root)


@settings(max_examples=60, deadline=None)
@given(lines, st.data())
def test_every_consistency_proof_verifies_and_every_flipped_bit_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = Tree(leaves)
    new = data.draw(st.integers(1, len(leaves)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    proof = tree.consistency_proof(old, new)
    old_root, new_root = tree.root(old), tree.root(new)
    verify_consistency(old, new, old_root, new_root, proof)
    for i in range(len(proof)):
        for bit in range(256):
            bad = list(proof)
            bad[i] = _flip(proof[i], bit)
            with pytest.raises(ProofError):
                verify_consistency(old, new, old_root, new_root, bad)
    for bit in range(256):
        with pytest.raises(ProofError):
            verify_consistency(old, new, _flip(old_root, bit), new_root, proof)
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, _flip(new_root, bit), proof)
    # A changed line among the old ones changes both roots: the old root no longer matches.
    changed = list(leaves)
    changed[data.draw(st.integers(0, old - 1), label="changed line")] += b"!"
    other = Tree(changed)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, other.root(new), other.consistency_proof(old, new))


@settings(max_examples=30, deadline=None)
@given(lines, st.integers(1, 40))
def test_growing_in_steps_gives_the_tree_built_at_once(leaves: list[bytes], step: int) -> None:
    grown = Tree()
    for start in range(0, len(leaves), step):
        grown.extend(leaves[start : start + step])
    whole = Tree(leaves)
    assert [grown.root(n) for n in range(len(leaves) + 1)] == [whole.root(n) for n in range(len(leaves) + 1)]
