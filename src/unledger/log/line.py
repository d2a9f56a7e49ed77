"""The line format: what one stored line is, and the only code that slices it.

One line per event, UTF-8, ``\\n``-terminated::

    {"prev":"<64 hex>","seq":N[,"more":K],"recorded":"<UTC>","kind":...,<event>,"hash":"<64 hex>"}

``hash`` is the SHA-256 of the line's bytes with the trailing
``,"hash":"…"}`` replaced by ``}``: the *canonical serialization* is the line
itself, so anyone can re-check a log with ``sha256`` and a text editor.
``prev`` is the hash of the line before (64 zeros for the first line), so a
line that is edited, inserted, deleted or moved breaks the chain at the first
place it happened. The last line's hash is the log's *head*.

A batch of n > 1 events is n lines written together; every line but the
last carries ``"more":K`` right after ``seq`` (K = lines of the batch still
to come), so a reader can tell a finished batch from one whose write was cut.

A line is also *canonical*: exactly the bytes ``orjson`` writes for the
object it parses to. That one comparison refuses duplicate keys, spaces,
escapes a writer would not produce and numbers that do not round-trip, so
the object unledger reads is the text a person sees.

Everything else in unledger reads a line through the accessors below
(:func:`prev_of`, :func:`hash_of`, :func:`hashed_part`...): no other module
knows an offset.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import orjson

from ..errors import IntegrityError
from ..events.base import Event
from .encode import to_dict

__all__ = [
    "GENESIS",
    "GENESIS_BYTES",
    "Record",
    "encode_line",
    "encode_batch",
    "check_line",
    "frame_ok",
    "chained_digest",
    "scan_frames",
    "prev_of",
    "hash_of",
    "hash_before",
    "HASH_TAIL",
    "hashed_part",
    "digest_of",
    "parse_line",
    "whole_batches",
    "unfinished_batch",
]

#: The ``prev`` of the first line.
GENESIS: Final = "0" * 64
GENESIS_BYTES: Final = GENESIS.encode("ascii")

_PREFIX: Final = b'{"prev":"'
_PREV_END: Final = len(_PREFIX) + 64  # where '","seq":' starts
_HASH_TAG: Final = b',"hash":"'
_SUFFIX_LEN: Final = len(_HASH_TAG) + 64 + len(b'"}')
_SHORTEST: Final = _PREV_END + _SUFFIX_LEN
_MORE: Final = re.compile(rb'\{"prev":"[0-9a-f]{64}","seq":\d+,"more":[1-9]')
_TIMESTAMP: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


@attrs.frozen
class Record:
    """An event as the log recorded it: its position, time and hashes."""

    seq: int
    recorded: str
    event: Event
    hash: str
    prev: str

    @property
    def id(self) -> str:
        assert self.event.id is not None
        return self.event.id

    @property
    def kind(self) -> str:
        return self.event.kind


# -- accessors -----------------------------------------------------------------------


def prev_of(line: bytes) -> bytes:
    """The ``prev`` hash a line names (its 64 hex digits)."""
    return line[len(_PREFIX) : _PREV_END]


def hash_of(line: bytes) -> bytes:
    """The ``hash`` a line records for itself."""
    return line[-66:-2]


#: The bytes at the end of a stored line that hold its hash: the hash,
#: ``"}`` and the newline.
HASH_TAIL: Final = 64 + len(b'"}\n')


def hash_before(data: bytes, offset: int) -> bytes:
    """The hash of the line of ``data`` that ends (with its newline) at
    ``offset``; ``data`` needs only the :data:`HASH_TAIL` bytes before it."""
    return hash_of(data[offset - HASH_TAIL : offset - 1])


def hashed_part(line: bytes) -> bytes:
    """The bytes a line's hash covers: the line without its hash field."""
    return line[:-_SUFFIX_LEN] + b"}"


def digest_of(line: bytes) -> bytes:
    """The SHA-256 of :func:`hashed_part`, as 64 hex digits."""
    h = hashlib.sha256(line[:-_SUFFIX_LEN])
    h.update(b"}")
    return h.hexdigest().encode("ascii")


def frame(prev: bytes, seq: int) -> bytes:
    """How the ``seq``-th line after a line whose hash is ``prev`` starts."""
    return b'%s%s","seq":%d,' % (_PREFIX, prev, seq)


def frame_ok(line: bytes, prev: bytes, seq: int) -> bool:
    """Whether ``line`` (no newline) is the ``seq``-th line after ``prev`` and
    its hash matches its content: one hash and two byte comparisons."""
    return (
        len(line) >= _SHORTEST
        and line.startswith(frame(prev, seq))
        and line.endswith(b'%s%s"}' % (_HASH_TAG, digest_of(line)))
    )


_sha256 = hashlib.sha256


def chained_digest(line: bytes, prev: bytes, seq: int) -> str | None:
    """:func:`frame_ok` returning the line's hash (hex) when it holds,
    ``None`` when it does not: one hash and two byte comparisons."""
    if len(line) < _SHORTEST or not line.startswith(b'%s%s","seq":%d,' % (_PREFIX, prev, seq)):
        return None
    h = _sha256(line[:-_SUFFIX_LEN])
    h.update(b"}")
    digest = h.hexdigest()
    return digest if line.endswith(b'%s%s"}' % (_HASH_TAG, digest.encode("ascii"))) else None


def scan_frames(lines: list[bytes], prev: bytes, first: int) -> tuple[bytes, int | None]:
    """:func:`frame_ok` of each of ``lines`` in turn (the first is line
    ``first``, after a line whose hash is ``prev``), inlined: the last
    hash, and the number of the first line that fails (``None``: none).
    The loop of :func:`chained_digest` with bytes throughout and no call per
    line: it is the whole cost of ``verify()`` on lines already decoded."""
    sha = hashlib.sha256
    for number, line in enumerate(lines, first):
        h = sha(line[:-_SUFFIX_LEN])
        h.update(b"}")
        digest = h.hexdigest().encode("ascii")
        if not (
            len(line) >= _SHORTEST
            and line.startswith(b'%s%s","seq":%d,' % (_PREFIX, prev, number))
            and line.endswith(b'%s%s"}' % (_HASH_TAG, digest))
        ):
            return prev, number
        prev = digest
    return prev, None


def check_line(line: bytes, prev: str, seq: int) -> str | None:
    """Why ``line`` (without newline) is not the ``seq``-th line after
    ``prev``, or ``None`` when its frame and hash are right (its content is
    checked by :func:`parse_line`). Works on bytes only."""
    if not line.startswith(_PREFIX) or len(line) < _SHORTEST:
        return "is not a ledger line"
    if prev_of(line).decode("ascii", "replace") != prev:
        return "does not follow the line before it (its 'prev' hash differs): a line was inserted, deleted or moved here"
    if not line.startswith(b'","seq":%d,' % seq, _PREV_END):
        return f"has the wrong seq (expected {seq}): lines were inserted, deleted or moved"
    if line[-_SUFFIX_LEN:-66] != _HASH_TAG or not line.endswith(b'"}'):
        return "has no hash at its end (a line ending in CR, or text after the hash?)"
    if digest_of(line) != hash_of(line):
        return "was edited: its content does not match its hash"
    return None


# -- writing ---------------------------------------------------------------------------


def encode_line(
    seq: int, prev: str, recorded: str, event: Event, more: int = 0, as_dict: dict[str, Any] | None = None
) -> tuple[bytes, str]:
    """The line (with its newline) recording ``event``, and its hash;
    ``more`` is how many lines of the same batch follow it. ``as_dict``:
    the event's dict (:func:`~unledger.codec.event_to_dict`, as
    :func:`~unledger.log.encode.to_dict` builds it) when the caller has it already."""
    head: dict[str, object] = {"prev": prev, "seq": seq, "more": more} if more else {"prev": prev, "seq": seq}
    body = orjson.dumps({**head, "recorded": recorded, **(to_dict(event) if as_dict is None else as_dict)})
    digest = hashlib.sha256(body).hexdigest()
    return body[:-1] + b'%s%s"}\n' % (_HASH_TAG, digest.encode("ascii")), digest


def encode_batch(
    first_seq: int, prev: str, recorded: str, events: Sequence[Event], as_dicts: Mapping[int, dict[str, Any]] | None = None
) -> list[tuple[bytes, str]]:
    """The lines recording ``events`` as one batch after the line whose hash
    is ``prev``, from seq ``first_seq``, each with its hash: every line but
    the last carries ``more``. ``as_dicts``: the dicts of some of
    the events, by ``id()`` of the event object."""
    out = []
    last = len(events) - 1
    known = as_dicts or {}
    for offset, event in enumerate(events):
        line, prev = encode_line(first_seq + offset, prev, recorded, event, last - offset, known.get(id(event)))
        out.append((line, prev))
    return out


# -- reading ---------------------------------------------------------------------------

_loads = orjson.loads
_dumps = orjson.dumps


def parse_line(line: bytes, number: int, path: str | None = None, known: str = "") -> tuple[dict[str, Any], str]:
    """The event object of a line whose frame and hash were checked, and the
    line's ``recorded`` time: the envelope (prev, seq, more, recorded, hash)
    is stripped here and nowhere else.

    Raises :class:`IntegrityError` naming the line for anything a writer
    would not have written: invalid JSON or UTF-8, a line that is not in
    canonical form (duplicate keys, spaces, other escapes, numbers that do
    not round-trip), or an envelope of the wrong types. ``known`` is a
    ``recorded`` time already checked (the line before's): a line of the
    same batch skips checking it again.
    """
    try:
        obj = _loads(line)
    except orjson.JSONDecodeError as exc:
        raise IntegrityError(f"is not valid JSON: {exc}", line=number, path=path) from None
    if obj.__class__ is not dict:
        raise IntegrityError("is not a JSON object", line=number, path=path)
    if _dumps(obj) != line:
        raise IntegrityError(
            "is not in canonical form (a duplicate key, spaces, an escape or a number a writer would not write)",
            line=number,
            path=path,
        )
    recorded = obj.get("recorded")
    if (recorded != known or not known) and (recorded.__class__ is not str or _TIMESTAMP.fullmatch(recorded) is None):
        raise IntegrityError("has no valid 'recorded' time", line=number, path=path)
    more = obj.pop("more", 0)
    if more.__class__ is not int or more < 0:
        raise IntegrityError("has an invalid 'more' count", line=number, path=path)
    del obj["prev"], obj["seq"], obj["hash"], obj["recorded"]  # the frame check vouched for their bytes
    kind = obj.get("kind")
    if kind.__class__ is not str:
        raise IntegrityError("has no 'kind' (a string)", line=number, path=path)
    return obj, recorded


def whole_batches(data: bytes) -> int:
    """How many leading bytes of ``data`` (which starts at a line boundary)
    hold complete lines of finished batches. The rest is a write in
    progress, or a crashed writer's torn tail."""
    end = data.rfind(b"\n")
    while end >= 0:
        start = data.rfind(b"\n", 0, end) + 1
        if _MORE.match(data, start, end) is None:
            return end + 1
        end = start - 1
    return 0


def unfinished_batch(line: bytes) -> bool:
    """Whether ``line`` announces more lines of its batch."""
    return _MORE.match(line) is not None
