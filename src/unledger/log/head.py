"""The head record: a small file beside the log (``<log>.head``) naming the
last acknowledged line (its seq, the log's size up to it, and its hash).

An append writes it after the log's own fsync and before it returns, so
everything an append acknowledged is covered by it; it is not fsynced on
its own (:mod:`unledger.log.headfile`): after a power loss it may lag the
log, never lead it. A reader serves the lines it covers and no others; so a
log that is shorter than its head record, or whose covered last line has
another hash, was damaged (lines removed, a tail rewritten), which a crash
cannot do. Lines after the covered ones are a write in progress, an append
cut before its head record, or lines whose head record a power loss lost.

The file holds two fixed-size slots; a write goes to the slot that does not
hold the newest record, so a write torn by a crash leaves the other intact.
Each slot carries a CRC-32 of its text (it catches damage, not forgery: a
person who can write the directory can delete or rewrite it, and the log
then opens with its integrity limited to the chain, as a copied log does).
"""

from __future__ import annotations

import os
import re
import zlib
from typing import Final, NamedTuple

from ..errors import IntegrityError
from .line import GENESIS

__all__ = ["Head", "EMPTY_HEAD", "parse_head", "head_slot", "SLOT", "newest_slot", "check_head"]

SLOT: Final = 256
_TEXT: Final = re.compile(rb"unledger-head 1 ([0-9]{20}) ([0-9]{20}) ([0-9a-f]{64}) ([0-9a-f]{8})")


class Head(NamedTuple):
    """The last acknowledged line: its seq, the log's size up to its end, its hash."""

    seq: int
    size: int
    hash: str


EMPTY_HEAD: Final = Head(0, 0, GENESIS)


def head_slot(head: Head) -> bytes:
    """One slot's bytes for ``head``."""
    text = b"unledger-head 1 %020d %020d %s" % (head.seq, head.size, head.hash.encode("ascii"))
    text += b" %08x" % zlib.crc32(text)
    return text.ljust(SLOT - 1) + b"\n"


def _read_slot(raw: bytes) -> Head | None:
    match = _TEXT.match(raw)
    if match is None:
        return None
    text = raw[: match.start(4) - 1]
    if zlib.crc32(text) != int(match.group(4), 16):
        return None
    return Head(int(match.group(1)), int(match.group(2)), match.group(3).decode("ascii"))


def newest_slot(raw: bytes) -> tuple[Head | None, int]:
    """The newest valid record in ``raw`` (the file's bytes) and the index of
    the slot a new record should go to (the other one)."""
    slots = [_read_slot(raw[i * SLOT : (i + 1) * SLOT]) for i in range(2)]
    valid = [(h.seq, i, h) for i, h in enumerate(slots) if h is not None]
    if not valid:
        return None, 0
    _, index, head = max(valid)
    return head, 1 - index


def parse_head(raw: bytes, path: str) -> Head:
    """The newest record of a head file's bytes; :class:`IntegrityError` when
    neither slot holds one."""
    head, _ = newest_slot(raw)
    if head is None:
        raise IntegrityError(f"its head record {os.path.basename(path)}.head is damaged: neither slot is readable", path=path)
    return head


def check_head(head: Head | None, count: int, last_hash: str, path: str | None) -> None:
    """Raise :class:`IntegrityError` unless the log read (``count`` lines,
    the last with hash ``last_hash``) is what the head record ``head``
    acknowledges (``None``: a log without head record, nothing to check)."""
    if head is None or (count == head.seq and last_hash == head.hash):
        return
    if count < head.seq:
        reason = (
            f"is missing: the log holds {count} whole lines but its head record acknowledges {head.seq}; "
            "acknowledged lines were removed"
        )
        line = count + 1
    elif count > head.seq:
        reason = f"is one of more lines than the head record acknowledges ({head.seq}) where it says the log ends: the log was rewritten"
        line = head.seq + 1
    else:
        reason = "is not the line the head record acknowledged (another hash): the log's tail was rewritten"
        line = count
    raise IntegrityError(reason, line=line, path=path)
