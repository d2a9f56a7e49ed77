"""An RFC 6962 Merkle tree over the log's lines, its proofs and their checks.

The hash chain (:mod:`unledger.log`) shows that a log is intact to someone
who holds it whole. The Merkle tree beside it lets a reader check much less:
that one line belongs to a log of ``size`` lines with a given root (an
*inclusion proof*, about log2(size) hashes), and that a log of ``new`` lines
begins with the log of ``old`` lines an earlier root named (a *consistency
proof*). These are the proofs of Certificate Transparency (RFC 6962, kept in
RFC 9162), so any tool that checks those checks these.

Hashing, exactly as RFC 6962 section 2.1 with SHA-256:

- a leaf is ``SHA-256(0x00 || line)``, where ``line`` is a line of the log
  file **without its newline** (the bytes :func:`unledger.log.check_line`
  checks: a line is its leaf input plus ``\\n``);
- a node is ``SHA-256(0x01 || left || right)``;
- the root of ``n`` leaves splits them at the largest power of two below
  ``n``; the root of no leaves is ``SHA-256("")``.

:class:`Tree` keeps the hash of every complete, aligned subtree (the leaves,
then pairs of them, and so on), one contiguous buffer per level: about 64
bytes per line, so that roots and proofs for any size up to the tree's are
computed from memory in O(log^2 n) hashes without reading the log again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from .errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "leaf_hash",
    "node_hash",
    "Tree",
    "root_from_inclusion_proof",
    "verify_inclusion",
    "verify_consistency",
]

HASH_SIZE = 32
#: The root of the empty tree: SHA-256 of no bytes.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(line: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || line)`` (``line`` without its newline)."""
    return _sha256(b"\x00" + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """A Merkle tree that grows by appending leaves.

    ``levels[k]`` holds, 32 bytes each, the hashes of the complete subtrees
    of ``2**k`` leaves that start at multiples of ``2**k``; every other
    subtree hash the RFC 6962 algorithms need is combined from these.
    """

    __slots__ = ("_levels",)

    def __init__(self, lines: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(lines)

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    def extend(self, lines: Iterable[bytes]) -> None:
        """Append leaves for ``lines`` (each without its newline)."""
        sha = _sha256
        self.extend_hashes(b"".join([sha(b"\x00" + line).digest() for line in lines]))

    def append(self, line: bytes) -> None:
        """Append the leaf for one line."""
        self.extend_hashes(leaf_hash(line))

    def extend_hashes(self, leaf_hashes: bytes) -> None:
        """Append leaves given by their hashes, concatenated."""
        if len(leaf_hashes) % HASH_SIZE:
            raise ValueError("leaf hashes must be 32 bytes each")
        levels = self._levels
        levels[0] += leaf_hashes
        sha = _sha256
        k = 0
        while len(levels[k]) >= 2 * HASH_SIZE:
            below = levels[k]
            if k + 1 == len(levels):
                levels.append(bytearray())
            above = levels[k + 1]
            have, want = len(above) // HASH_SIZE, len(below) // (2 * HASH_SIZE)
            if have < want:
                pairs = bytes(below[2 * HASH_SIZE * have : 2 * HASH_SIZE * want])
                above += b"".join([sha(b"\x01" + pairs[j : j + 64]).digest() for j in range(0, len(pairs), 64)])
            k += 1

    def leaf(self, index: int) -> bytes:
        """The hash of leaf ``index`` (0-based)."""
        if not 0 <= index < self.size:
            raise ProofError(f"leaf {index} is outside a tree of {self.size} leaves")
        return bytes(self._levels[0][HASH_SIZE * index : HASH_SIZE * (index + 1)])

    def _hash(self, lo: int, n: int) -> bytes:
        """The hash of the ``n`` leaves from ``lo`` (a subtree RFC 6962 names)."""
        if n & (n - 1) == 0 and lo % n == 0:
            k = n.bit_length() - 1
            at = HASH_SIZE * (lo >> k)
            return bytes(self._levels[k][at : at + HASH_SIZE])
        k = _split(n)
        return node_hash(self._hash(lo, k), self._hash(lo + k, n - k))

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if size.__class__ is not int or not 0 <= size <= self.size:
            raise ProofError(f"size {size!r} is not between 0 and the tree's {self.size} leaves")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all of them)."""
        n = self._size(size)
        return EMPTY_ROOT if n == 0 else self._hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 ``PATH(index, D[size])``: the hashes that lead from leaf
        ``index`` to the root of the first ``size`` leaves."""
        n = self._size(size)
        if index.__class__ is not int or not 0 <= index < n:
            raise ProofError(f"leaf {index!r} is not in a tree of {n} leaves")
        proof: list[bytes] = []
        lo = 0
        while n > 1:
            k = _split(n)
            if index < k:
                proof.append(self._hash(lo + k, n - k))
                n = k
            else:
                proof.append(self._hash(lo, k))
                lo, index, n = lo + k, index - k, n - k
        proof.reverse()
        return proof

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """RFC 6962 ``PROOF(old, D[new])``: the hashes that show the first
        ``old`` leaves are the start of the first ``new`` (default: all)."""
        n = self._size(new)
        if old.__class__ is not int or not 0 <= old <= n:
            raise ProofError(f"old size {old!r} is not between 0 and the new size {n}")
        if old in (0, n):
            return []
        proof: list[bytes] = []
        lo, m, complete = 0, old, True
        while m != n:
            k = _split(n)
            if m <= k:
                proof.append(self._hash(lo + k, n - k))
                n = k
            else:
                proof.append(self._hash(lo, k))
                lo, m, n, complete = lo + k, m - k, n - k, False
        if not complete:
            proof.append(self._hash(lo, n))
        proof.reverse()
        return proof


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a 32-byte hash")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from the leaf hash ``leaf`` at
    ``index`` in a tree of ``size`` leaves (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        _check_hash(p, "a proof hash")
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that leaf hash ``leaf`` is leaf ``index`` of the tree of
    ``size`` leaves whose root is ``root``; raise :class:`ProofError` if not."""
    _check_hash(root, "the root")
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(f"the inclusion proof of leaf {index} does not lead to the root of the tree of {size} leaves")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree of ``new`` leaves with root ``new_root`` begins
    with the tree of ``old`` leaves with root ``old_root`` (RFC 9162 section
    2.1.4.2); raise :class:`ProofError` if not."""
    _check_hash(old_root, "the old root")
    _check_hash(new_root, "the new root")
    for p in proof:
        _check_hash(p, "a proof hash")
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {new} leaves cannot extend one of {old}")
    if old == new or old == 0:
        if proof:
            raise ProofError("the consistency proof should be empty")
        if old == new and old_root != new_root:
            raise ProofError(f"two trees of {old} leaves with different roots")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, bytes(old_root))
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"the consistency proof does not lead to the old root (of {old} leaves)")
    if sr != new_root:
        raise ProofError(f"the consistency proof does not lead to the new root (of {new} leaves)")
