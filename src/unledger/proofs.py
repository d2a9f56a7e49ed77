"""Checkpoints and proofs of a ledger: the Merkle tree over its lines, kept
beside the ledger, and the proof files ``unledger prove`` writes.

The tree (:class:`unledger.merkle.Tree`) is built the first time a ledger is
asked for a root or a proof, from the log's lines after their chain is
checked (a line whose hash fails is never a leaf), and then kept with the
ledger: later appends only add their own lines, and proofs are answered from
memory.

Proof files are JSON objects (see ``docs/checkpoints.md``)::

    {"proof": "inclusion", "origin": ..., "size": N, "root": "<base64>",
     "index": I, "line": "<line I of the log, 0-based, without newline>",
     "hashes": ["<base64>", ...]}

    {"proof": "consistency", "origin": ..., "old_size": M, "old_root": ...,
     "new_size": N, "new_root": ..., "hashes": [...]}

``hashes`` is RFC 6962's ``PATH`` or ``PROOF`` in the order RFC 9162's
verification algorithms read it (leaf end first).
"""

from __future__ import annotations

import base64
import binascii
from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import attrs
import orjson

from .basis import Basis
from .checkpoint import Checkpoint
from .errors import IntegrityError, ProofError
from .log import GENESIS, check_line, verify_bytes
from .log.line import hash_of
from .merkle import HASH_SIZE, Tree, leaf_hash, verify_consistency, verify_inclusion

__all__ = [
    "Basis",
    "InclusionProof",
    "ConsistencyProof",
    "ledger_tree",
    "basis_of",
    "check_extends",
    "checkpoint_of",
    "prove_inclusion",
    "prove_consistency",
    "read_proof",
]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, what: str) -> bytes:
    try:
        raw = base64.b64decode(str(value).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ProofError(f"the proof's {what} is not valid base64") from None
    if len(raw) != HASH_SIZE:
        raise ProofError(f"the proof's {what} is not a 32-byte hash")
    return raw


# -- the tree of a ledger --------------------------------------------------------------


class _Cached:
    __slots__ = ("tree", "offset", "head", "roots", "starts")

    def __init__(self) -> None:
        self.tree = Tree()
        self.starts = array("Q")  # where each line starts in the log file, 8 bytes a line
        self.roots: dict[int, str] = {}  # base64 roots by size, for answers' bases
        self.offset = 0  # bytes of the log the tree covers
        self.head = GENESIS


def _read_from(ledger: Any, offset: int) -> bytes:
    path = ledger.path
    if path is None:
        return ledger._log.all_bytes()[offset:]  # type: ignore[no-any-return]
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read()


def ledger_tree(ledger: Any) -> Tree:
    """The Merkle tree of ``ledger``'s lines up to its last record, built on
    first use and kept with the ledger (each later call adds only the lines
    appended since). The lines are checked against the hash chain and must
    end at the ledger's head: :class:`IntegrityError` otherwise."""
    cached: _Cached | None = ledger.__dict__.get("_merkle")
    if cached is None:
        cached = ledger.__dict__["_merkle"] = _Cached()
    need = ledger.seq - cached.tree.size
    if need > 0:
        path = _path(ledger)
        data = _read_from(ledger, cached.offset)
        parts = data.split(b"\n", need)
        lines = parts[:need]
        if len(parts) <= need:  # fewer than ``need`` complete lines
            raise IntegrityError(f"the log file now holds fewer than the {ledger.seq} lines this ledger read", path=path)
        first = cached.tree.size + 1
        try:
            if first == 1:  # the whole chain, checked as verify() checks it (in parallel when large)
                head, _ = verify_bytes(data[: len(data) - len(parts[-1])], path=path)
            else:
                head = _verify_from(lines, cached.head, first, path)
        except IntegrityError as exc:
            raise IntegrityError(f"changed since this ledger read it: {exc.reason}", line=exc.line, path=path) from None
        if head != ledger.head:
            raise IntegrityError(f"the log file no longer ends its first {ledger.seq} lines at this ledger's head", path=path)
        cached.tree.extend(lines)
        cached.starts.extend(accumulate((len(line) + 1 for line in lines[:-1]), initial=cached.offset))
        cached.offset += sum(map(len, lines)) + len(lines)
        cached.head = head
    return cached.tree


def _verify_from(lines: list[bytes], prev: str, first: int, path: str | None) -> str:
    """The chain check of :func:`unledger.log.verify_lines`, from line ``first`` after ``prev``."""
    for number, line in enumerate(lines, first):
        reason = check_line(line, prev, number)
        if reason is not None:
            raise IntegrityError(reason, line=number, path=path)
        prev = hash_of(line).decode("ascii")
    return prev


def checkpoint_of(ledger: Any, origin: str, extensions: Sequence[str] = ()) -> Checkpoint:
    """The (unsigned) checkpoint of ``ledger`` as it stands."""
    tree = ledger_tree(ledger)
    return Checkpoint(origin, tree.size, tree.root(), tuple(extensions))


def check_extends(lines: Sequence[bytes], checkpoint: Checkpoint, *, path: str | None = None) -> Tree:
    """Check that ``lines`` (a log's lines whose chain was checked) begin
    with the ``checkpoint.size`` lines ``checkpoint`` names; return the tree
    of those lines. Raises :class:`IntegrityError` saying whether the log was
    cut short or its first lines differ."""
    tree = Tree(lines[: checkpoint.size])
    _require_extends(tree, len(lines), checkpoint, path)
    return tree


def _require_extends(tree: Tree, count: int, checkpoint: Checkpoint, path: str | None) -> None:
    """Refuse unless a log of ``count`` lines, whose first lines ``tree``
    holds, extends ``checkpoint``."""
    if count < checkpoint.size:
        raise IntegrityError(
            f"truncated: the log has {count} lines, fewer than the {checkpoint.size} of the checkpoint of {checkpoint.origin}",
            path=path,
        )
    root = tree.root(checkpoint.size)
    if root != checkpoint.root:
        raise IntegrityError(
            f"rewritten: the log's first {checkpoint.size} lines do not hash to the root of the checkpoint of "
            f"{checkpoint.origin} (root {root.hex()}, checkpoint {checkpoint.root.hex()}): "
            "lines the checkpoint covers were changed, removed or reordered",
            path=path,
        )


def _path(ledger: Any) -> str | None:
    return str(ledger.path) if ledger.path else None


# -- answers carry their basis ------------------------------------------------------------


def basis_of(ledger: Any, size: int, head: str) -> Basis:
    """The :class:`Basis` of an answer from the first ``size`` lines."""
    cached: _Cached | None = ledger.__dict__.get("_merkle")
    if cached is None or cached.tree.size < size:
        return Basis(size, head)
    root = cached.roots.get(size)
    if root is None:
        if len(cached.roots) > 64:
            cached.roots.clear()
        root = cached.roots[size] = _b64(cached.tree.root(size))
    return Basis(size, head, root)


# -- proofs --------------------------------------------------------------------------


@attrs.frozen
class InclusionProof:
    """Line ``index`` (0-based: seq - 1) of the log of ``size`` lines with
    root ``root``, and the hashes that lead from it to that root."""

    origin: str
    size: int
    root: bytes
    index: int
    line: bytes
    hashes: tuple[bytes, ...]

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "proof": "inclusion",
                "origin": self.origin,
                "size": self.size,
                "root": _b64(self.root),
                "index": self.index,
                "line": self.line.decode("utf-8"),
                "hashes": [_b64(h) for h in self.hashes],
            },
            option=orjson.OPT_INDENT_2,
        ).decode() + "\n"

    def verify(self, checkpoint: Checkpoint) -> None:
        """Check this proof against ``checkpoint`` (whose signature the
        caller checked); raise :class:`ProofError` if it fails."""
        if (self.origin, self.size) != (checkpoint.origin, checkpoint.size):
            raise ProofError(
                f"the proof is for {self.origin} at size {self.size}, the checkpoint for {checkpoint.origin} at size {checkpoint.size}"
            )
        verify_inclusion(self.index, self.size, leaf_hash(self.line), self.hashes, checkpoint.root)


@attrs.frozen
class ConsistencyProof:
    """The hashes that show the log of ``new_size`` lines begins with the
    log of ``old_size`` lines."""

    origin: str
    old_size: int
    old_root: bytes
    new_size: int
    new_root: bytes
    hashes: tuple[bytes, ...]

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "proof": "consistency",
                "origin": self.origin,
                "old_size": self.old_size,
                "old_root": _b64(self.old_root),
                "new_size": self.new_size,
                "new_root": _b64(self.new_root),
                "hashes": [_b64(h) for h in self.hashes],
            },
            option=orjson.OPT_INDENT_2,
        ).decode() + "\n"

    def verify(self, old: Checkpoint, new: Checkpoint) -> None:
        """Check that ``new`` extends ``old`` (both signatures checked by the
        caller); raise :class:`ProofError` if it does not."""
        if old.origin != new.origin:
            raise ProofError(f"the checkpoints name two logs: {old.origin} and {new.origin}")
        if (self.origin, self.old_size, self.new_size) != (old.origin, old.size, new.size):
            raise ProofError(
                f"the proof is for {self.origin} from size {self.old_size} to {self.new_size}, "
                f"the checkpoints for {old.origin} from {old.size} to {new.size}"
            )
        verify_consistency(old.size, new.size, old.root, new.root, self.hashes)


def read_proof(data: str | bytes) -> InclusionProof | ConsistencyProof:
    """Read a proof file written by :meth:`InclusionProof.to_json` or
    :meth:`ConsistencyProof.to_json`."""
    try:
        obj = orjson.loads(data)
        kind = obj["proof"]
        hashes = tuple(_unb64(h, "hash") for h in obj["hashes"])
        if kind == "inclusion":
            index, size = obj["index"], obj["size"]
            if not (isinstance(index, int) and isinstance(size, int)):
                raise ProofError("the proof's index and size must be whole numbers")
            return InclusionProof(
                str(obj["origin"]), size, _unb64(obj["root"], "root"), index, str(obj["line"]).encode("utf-8"), hashes
            )
        if kind == "consistency":
            old, new = obj["old_size"], obj["new_size"]
            if not (isinstance(old, int) and isinstance(new, int)):
                raise ProofError("the proof's sizes must be whole numbers")
            return ConsistencyProof(
                str(obj["origin"]), old, _unb64(obj["old_root"], "old root"), new, _unb64(obj["new_root"], "new root"), hashes
            )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise ProofError("not a proof file: a JSON object with 'proof', 'hashes' and the fields of its kind") from None
    raise ProofError(f"unknown kind of proof {kind!r}: expected 'inclusion' or 'consistency'")


def prove_inclusion(ledger: Any, event_id: str, checkpoint: Checkpoint) -> InclusionProof:
    """The proof that the line recording ``event_id`` belongs to the log
    ``checkpoint`` names (which ``ledger`` must extend)."""
    record = ledger.record(event_id)
    tree = ledger_tree(ledger)
    _require_extends(tree, tree.size, checkpoint, _path(ledger))
    if record.seq > checkpoint.size:
        raise ProofError(f"event {event_id} is on line {record.seq}, after the checkpoint's {checkpoint.size} lines")
    index = record.seq - 1
    line = _line(ledger, index)
    if leaf_hash(line) != tree.leaf(index):
        raise IntegrityError("changed since this ledger read it", line=record.seq, path=_path(ledger))
    hashes = tuple(tree.inclusion_proof(index, checkpoint.size))
    return InclusionProof(checkpoint.origin, checkpoint.size, checkpoint.root, index, line, hashes)


def _line(ledger: Any, index: int) -> bytes:
    """Line ``index`` (0-based) of the log, read alone: the tree knows where it starts."""
    cached: _Cached = ledger.__dict__["_merkle"]
    start = cached.starts[index]
    end = cached.starts[index + 1] if index + 1 < len(cached.starts) else cached.offset
    if ledger.path is None:
        return ledger._log.all_lines()[index]  # type: ignore[no-any-return]
    with open(ledger.path, "rb") as f:
        f.seek(start)
        return f.read(end - start - 1)


def prove_consistency(ledger: Any, old: Checkpoint, new: Checkpoint) -> ConsistencyProof:
    """The proof that the log ``new`` names extends the one ``old`` names;
    ``ledger`` must extend both."""
    if old.origin != new.origin:
        raise ProofError(f"the checkpoints name two logs: {old.origin} and {new.origin}")
    if old.size > new.size:
        raise ProofError(f"the old checkpoint (size {old.size}) is larger than the new one (size {new.size})")
    tree = ledger_tree(ledger)
    _require_extends(tree, tree.size, old, _path(ledger))
    _require_extends(tree, tree.size, new, _path(ledger))
    hashes = tuple(tree.consistency_proof(old.size, new.size))
    return ConsistencyProof(old.origin, old.size, old.root, new.size, new.root, hashes)
