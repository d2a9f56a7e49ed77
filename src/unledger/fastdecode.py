"""The fast read path for lines the log itself vouches for.

Opening a log used to send every line through the strict path: ``orjson``,
then ``cattrs`` structuring, then every field validator of the event class.
That is the right path for input a user hands to :meth:`Ledger.append`; for a
line that was written by that very path and whose hash still matches (so not a
byte of it changed since), validating again only costs time: about half of
the time of a cold open at a million events (see ``docs/performance.md``).

So :func:`decode_lines` checks each line's place in the hash chain and its
hash on the bytes (no JSON parsing, see :func:`unledger.log.check_line`), and
for lines that pass, builds the event directly: one generated constructor per
built-in kind that sets the slots without running validators. The event is
equal, field for field, to the one the strict path builds (the test suite
checks this on generated events of every kind).

Any line that fails its hash check, any kind defined outside unledger, a
line with a schema version that needs upcasting, or a field the constructor
does not expect goes through the strict path, unchanged: so does every error
message.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import types
from collections.abc import Callable
from typing import Any, Final, NoReturn, Union, get_args, get_origin

import attrs
import immutables
import orjson

from .codec import event_from_dict
from .dates import PartialDate, parse_date
from .errors import IntegrityError, InvalidEvent
from .events.base import Event, _check_code, _check_optional_code
from .events.registry import _KINDS, kind_class
from .log import GENESIS, Record, check_line, decode_line

GENESIS_BYTES: Final = GENESIS.encode("ascii")

__all__ = ["trusted_event_from_dict", "decode_lines", "verify_chain", "verify_bytes", "with_fields"]

_MISSING = object()
_BUILDERS: dict[type, Callable[[dict[str, Any]], Any] | None] = {}
_new = object.__new__


def _optional_of(t: Any) -> Any:
    """``X`` for ``X | None``, else ``None``."""
    if get_origin(t) in (Union, types.UnionType):
        args = [a for a in get_args(t) if a is not type(None)]
        if len(args) == 1 and type(None) in get_args(t):
            return args[0]
    return None


class _Code:
    """Marks a code field (interned when built)."""


class _Codes:
    """Marks a tuple-of-codes field."""


def _conversion(t: Any) -> tuple[str, Any] | None:
    """How a JSON value becomes the field's value: a code template and the
    helper it needs, or ``None`` when the fast path cannot build it."""
    inner = _optional_of(t)
    if inner is not None:
        conv = _conversion(inner)
        if conv is None:
            return None
        template, helper = conv
        if template == "{v}":
            return conv
        return "None if {v} is None else " + template, helper
    if t is _Code:
        return "_intern({v})", None
    if t is _Codes:
        return "tuple(map(_intern, {v}))", None
    if t in (str, int, bool, float) or (get_origin(t) in (Union, types.UnionType) and all(a in (str, int, bool, float, type(None)) for a in get_args(t))):
        return "{v}", None
    if t is PartialDate:
        return "_parse_date({v})", None
    if get_origin(t) is tuple:
        return "tuple({v})", None
    if t is immutables.Map or get_origin(t) is immutables.Map:
        return "_Map({v})", None
    if isinstance(t, type) and attrs.has(t) and not issubclass(t, Event):
        builder = _builder(t)
        if builder is None:
            return None
        return "_nested_{name}({v})", builder
    return None


def _builder(cls: type) -> Callable[[dict[str, Any]], Any] | None:
    """A generated constructor for the attrs class ``cls`` (None if impossible)."""
    if cls in _BUILDERS:
        return _BUILDERS[cls]
    _BUILDERS[cls] = None  # guards recursion; replaced below on success
    if not (cls.__module__.startswith("unledger.") and attrs.has(cls) and "__slots__" in cls.__dict__):
        return None
    try:
        attrs.resolve_types(cls)
    except Exception:
        return None
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "_new": _new,
        "cls": cls,
        "_parse_date": parse_date,
        "_Map": immutables.Map,
        "_MISSING": _MISSING,
        "_intern": sys.intern,
        "_allowed": frozenset(f.name for f in fields) | {"kind", "v"},
    }
    lines = ["def build(d):", "    if not d.keys() <= _allowed:", "        return None", "    inst = _new(cls)"]
    for f in fields:
        # Codes repeat on every line that names the same state or body:
        # one string each (half the memory of a short string per mention).
        kind_of = f.type
        if f.validator is _check_code or f.validator is _check_optional_code:
            kind_of = _Code if f.type is str else (_Code | None if _optional_of(f.type) is str else f.type)
        elif getattr(f.validator, "__qualname__", "").startswith("codes_field"):
            kind_of = _Codes
        conv = _conversion(kind_of)
        if conv is None or not f.init:
            return None
        template, helper = conv
        if helper is not None:
            namespace[f"_nested_{f.name}"] = helper
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        value = template.format(v="v", name=f.name)
        if f.default is attrs.NOTHING:
            lines.append(f"    v = d[{f.name!r}]")
            lines.append(f"    _set_{f.name}(inst, {value})")
            continue
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            if f.default.takes_self:  # type: ignore[union-attr]
                return None
            namespace[f"_default_{f.name}"] = f.default.factory  # type: ignore[union-attr]
            fallback = f"_default_{f.name}()"
        else:
            namespace[f"_default_{f.name}"] = f.default
            fallback = f"_default_{f.name}"
        lines.append(f"    v = d.get({f.name!r}, _MISSING)")
        lines.append(f"    _set_{f.name}(inst, {fallback} if v is _MISSING else {value})")
    lines.append("    return inst")
    exec("\n".join(lines), namespace)  # noqa: S102 - code built from field names only
    _BUILDERS[cls] = namespace["build"]
    return namespace["build"]


_record_slots = tuple(getattr(Record, f.name).__set__ for f in attrs.fields(Record))
assert tuple(f.name for f in attrs.fields(Record)) == ("seq", "recorded", "event", "hash", "prev")


def _record(seq: int, recorded: str, event: Event, digest: str, prev: str) -> Record:
    record = _new(Record)
    set_seq, set_recorded, set_event, set_hash, set_prev = _record_slots
    set_seq(record, seq)
    set_recorded(record, recorded)
    set_event(record, event)
    set_hash(record, digest)
    set_prev(record, prev)
    return record  # type: ignore[no-any-return]


def _trusted_builder(kind: Any) -> tuple[type[Event], Callable[[dict[str, Any]], Any] | None]:
    cls = kind_class(kind)
    return cls, (_BUILDERS[cls] if cls in _BUILDERS else _builder(cls))


def trusted_event_from_dict(obj: dict[str, Any], *, position: str | None = None) -> Event:
    """The event of a trusted stored line's dict: built directly when the
    kind allows it, otherwise by :func:`unledger.codec.event_from_dict`."""
    try:
        cls, builder = _trusted_builder(obj["kind"])
        if builder is not None and obj.get("v", 1) == cls.version:
            event = builder(obj)
            if event is not None:
                return event  # type: ignore[no-any-return]
    except Exception:  # anything odd: let the strict path say what is wrong
        pass
    return event_from_dict(obj, position=position)


def decode_lines(lines: list[bytes], first_number: int, prev: str, *, path: str | None = None) -> list[Record]:
    """Records of ``lines``, which follow line ``first_number - 1`` (whose
    hash is ``prev``). Raises :class:`IntegrityError` where the chain breaks,
    exactly as the strict path does."""
    out: list[Record] = []
    append = out.append
    loads = orjson.loads
    sha256 = hashlib.sha256
    registry = _KINDS
    by_kind: dict[str, tuple[type[Event] | None, Any]] = {}
    recorded_last = ""
    number = first_number
    prev_bytes = prev.encode("ascii")
    for line in lines:
        # The checks of log.check_line, inlined: this loop runs once per event.
        if (
            line.startswith(b'{"prev":"')
            and line[9:73] == prev_bytes
            and line.startswith(b'","seq":%d,' % number, 73)
            and line[-75:-66] == b',"hash":"'
            and line.endswith(b'"}')
            and len(line) >= 9 + 64 + 75
        ):
            digest_bytes = line[-66:-2]
            trusted = sha256(line[:-75] + b"}").hexdigest().encode("ascii") == digest_bytes
        else:
            trusted = False
        record = None
        if trusted:
            obj = loads(line)
            del obj["prev"], obj["seq"], obj["hash"]
            if "more" in obj:
                del obj["more"]
            recorded = obj.pop("recorded")
            if recorded == recorded_last:
                recorded = recorded_last  # a batch shares one timestamp: keep one string
            kind = obj["kind"]
            entry = by_kind.get(kind)
            if entry is None or registry.get(kind) is not entry[0]:
                try:
                    entry = by_kind[kind] = _trusted_builder(kind)
                except Exception:
                    entry = (None, None)
            cls, builder = entry
            event = None
            if builder is not None and ("v" not in obj or obj["v"] == cls.version):  # type: ignore[union-attr]
                try:
                    event = builder(obj)
                except Exception:  # let the strict path name what is wrong
                    event = None
            if event is None:
                try:
                    event = event_from_dict(obj, position=f"line {number}")
                except InvalidEvent as exc:  # as log.decode_line: name the line
                    raise IntegrityError(f"holds an event this unledger cannot read: {exc}", line=number, path=path) from None
            record = _record(number, recorded, event, digest_bytes.decode("ascii"), prev)
        else:
            record = decode_line(line, number, path=path)
            if record.prev != prev or record.seq != number:
                raise IntegrityError(
                    "does not follow the line before it: the log was edited; run verify()", line=number, path=path
                )
            recorded = record.recorded
        append(record)
        recorded_last = recorded
        prev = record.hash
        prev_bytes = prev.encode("ascii")
        number += 1
    return out


def _scan(lines: list[bytes], prev: bytes, number: int) -> tuple[bytes, int | None]:
    """Check ``lines``, which follow a line whose hash is ``prev`` and start
    at line ``number``: per line, one hash and two byte comparisons that
    cover the whole format around the event (``{"prev":"<hash>","seq":N,`` in
    front, ``,"hash":"<hash>"}`` at the end). Returns the last hash and the
    number of the first bad line (``None`` when all are good)."""
    sha256 = hashlib.sha256
    for number, line in enumerate(lines, number):  # noqa: B020 - the start number is consumed here
        h = sha256(line[:-75])
        h.update(b"}")
        digest = h.hexdigest().encode()
        if not line.startswith(b'{"prev":"%s","seq":%d,' % (prev, number)) or not line.endswith(b',"hash":"%s"}' % digest):
            return prev, number
        prev = digest
    return prev, None


def _raise_at(lines: list[bytes], first: int, bad: int, prev: bytes, path: str | None) -> NoReturn:
    reason = check_line(lines[bad - first], prev.decode("ascii"), bad)
    raise IntegrityError(reason or "is not a valid ledger line", line=bad, path=path)


def verify_chain(lines: list[bytes], *, path: str | None = None) -> str:
    """:func:`unledger.log.verify_lines`, as fast as one process allows.
    Returns the head hash; on the first bad line, asks
    :func:`~unledger.log.check_line` why and raises the same
    :class:`IntegrityError` the plain loop would."""
    prev, bad = _scan(lines, GENESIS_BYTES, 1)
    if bad is not None:
        _raise_at(lines, 1, bad, prev, path)
    return prev.decode("ascii")


#: Below this size one process verifies: a fork costs more than it saves.
PARALLEL_MIN_BYTES: Final = 16 * 2**20


def verify_bytes(data: bytes, *, path: str | None = None, workers: int | None = None) -> tuple[str, int]:
    """Check the chain of ``data``: a log's bytes, whole lines each ending in
    a newline. Returns the head hash and the number of lines, or raises the
    :class:`IntegrityError` :func:`verify_chain` would.

    On Linux, a large log is cut into ``workers`` stretches of lines (by
    default one per CPU this process may use, at most 4), each checked by a
    forked process while this one checks the first: hashing is the whole
    cost and a single core caps it. Each stretch starts from the hash the
    line before it records, which the stretch before checks, so the chain
    is checked link by link as in one pass. A child that fails for any
    reason has its stretch checked here instead. Forking is skipped, and
    everything checked here, when the process runs other threads (a fork
    copies only the calling thread, so a lock another thread holds would
    stay held in the child), when ``fork`` is missing, or for small logs.
    """
    count = workers if workers is not None else _default_workers(len(data))
    bounds = _stretches(data, max(1, count))
    firsts = [1]
    for at in bounds[1:-1]:
        firsts.append(firsts[-1] + data.count(b"\n", bounds[len(firsts) - 1], at))
    children: list[tuple[int, int] | None] = [None]
    for i in range(1, len(bounds) - 1):
        children.append(_fork_scan(data, bounds[i], bounds[i + 1], firsts[i]))
    results: list[tuple[bytes, int | None, int]] = []
    for i in range(len(bounds) - 1):
        start, end = bounds[i], bounds[i + 1]
        prev = GENESIS_BYTES if i == 0 else data[start - 67 : start - 3]
        child = children[i]
        outcome = _collect(child) if child is not None else None
        if outcome is None:  # this process's own stretch, or a child that failed
            lines = _lines(data, start, end)
            last, bad = _scan(lines, prev, firsts[i])
            outcome = (last, bad, len(lines))
        results.append(outcome)
    for i, (before, bad, _n) in enumerate(results):
        if bad is not None:  # the first stretch with a bad line names it; ``before`` is the hash it should follow
            _raise_at(_lines(data, bounds[i], bounds[i + 1]), firsts[i], bad, before, path)
    head = results[-1][0] if results else GENESIS_BYTES
    return head.decode("ascii"), sum(n for _l, _b, n in results)


def _lines(data: bytes, start: int, end: int) -> list[bytes]:
    if start == 0 and end == len(data):  # the whole log: split it without copying it first
        lines = data.split(b"\n")
        lines.pop()
        return lines
    return data[start : end - 1].split(b"\n") if end > start else []


def _default_workers(size: int) -> int:
    if size < PARALLEL_MIN_BYTES or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return 1
    return min(cpus, 4) if threads == 1 else 1


def _stretches(data: bytes, count: int) -> list[int]:
    """Byte offsets cutting ``data`` into about ``count`` stretches of whole lines."""
    bounds = [0]
    for k in range(1, count):
        cut = data.find(b"\n", len(data) * k // count)
        if cut < 0 or cut + 1 >= len(data) or cut + 1 <= bounds[-1]:
            continue
        bounds.append(cut + 1)
    bounds.append(len(data))
    return bounds


def _fork_scan(data: bytes, start: int, end: int, first: int) -> tuple[int, int] | None:
    """Fork a child that checks one stretch and writes ``last hash, bad line``
    to a pipe; ``(pid, read end)``, or ``None`` if it could not fork."""
    prev = data[start - 67 : start - 3]
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: no collector (it would touch every object), no return
        code = 1
        try:
            gc.disable()
            os.close(read)
            lines = _lines(data, start, end)
            last, bad = _scan(lines, prev, first)
            os.write(write, b"%s %d %d" % (last, -1 if bad is None else bad, len(lines)))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(child: tuple[int, int]) -> tuple[bytes, int | None, int] | None:
    """A child's result, or ``None`` if it failed (its stretch is then checked here)."""
    pid, read = child
    chunks = []
    try:
        while chunk := os.read(read, 4096):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(read)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 1
    try:
        last, bad, count = b"".join(chunks).split(b" ")
        if status != 0 or len(last) != 64:
            return None
        return last, (None if bad == b"-1" else int(bad)), int(count)
    except ValueError:
        return None


_COPIERS: dict[type, tuple[tuple[Any, Any, str], ...]] = {}


def with_fields(event: Any, **changes: Any) -> Any:
    """A copy of the (valid) attrs instance ``event`` with ``changes`` set,
    without running validators again: for values already known valid, such
    as a fresh uuid hex for ``id``. ``attrs.evolve`` re-validates every field
    and costs about 40% of a batch append."""
    cls = type(event)
    slots = _COPIERS.get(cls)
    if slots is None:
        slots = _COPIERS[cls] = tuple(
            (getattr(cls, f.name).__get__, getattr(cls, f.name).__set__, f.name) for f in attrs.fields(cls)
        )
    new = _new(cls)
    for get, set_, name in slots:
        set_(new, changes[name] if name in changes else get(event))
    return new
