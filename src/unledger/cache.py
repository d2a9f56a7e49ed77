"""An optional snapshot cache beside the log: ``<log>.cache``.

``Ledger.open(path, cache=True)`` reopens a large log without reading or
folding it: the cache holds the fold order (packed keys), the byte offset of
every line, and the worlds at a few persisted checkpoints, each of the world's
ten maps pickled on its own. A state asked for after such a reopen is a
*lazy world*: each map is built only when a query first reads it, from the
nearest persisted checkpoint plus the few later events that write that map
(decoded from their lines on demand). ``members(org)`` and ``seats(body)``
read four of the ten maps, so they never load the big ones (treaty actions,
resolutions).

This works because every built-in reducer computes each map from the same map
and the event alone (a signing changes ``acts`` from ``acts``; an admission
changes ``members`` from ``members`` and ``names`` from ``names``), which
:mod:`unledger.footprints` spells out and the tests check against folds from
scratch.

The cache is never trusted blindly. It is used only if the log still holds,
at the byte offset the cache was taken at, a complete line whose hash is the
head the cache names; if the log is shorter, names another head, or the cache
file is unreadable, from another version, or was made while kinds were
redefined, it is ignored and rewritten. Lines appended after the snapshot (by
another process) are read as usual, which loads the whole ledger. So does
anything but a state query without ``known_at`` (appends, ``records``,
``events()``, ``known_at``...): the cache speeds up reopening to ask, not
writing. The cache does not re-hash the log: ``verify()`` does.

The cache holds pickles, which run code when loaded: a cache file is only as
trustworthy as the directory it sits in. Checksums catch damage, not malice.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Any, Final

import attrs

from ._gc import bulk
from .dates import PartialDate
from .events.base import Event
from .events.instruments import EntryRule
from .events.meta import Correction
from .events.resolutions import Tally
from .fastdecode import trusted_event_from_dict
from .footprints import footprint, pristine
from .log import decode_line
from .reducers import REDUCERS
from .state import _WORLD_FIELDS, EMPTY, Act, BodyInfo, InstrumentInfo, PermanentSeat, Resolution, Spell, Term, World

__all__ = ["cache_path", "write_cache", "load_cache", "LazyLedgerState", "LazyWorld"]

MAGIC: Final = b"unledger-cache\n"
FORMAT: Final = 1
#: Persisted checkpoints: about this many over the whole log (plus the head).
PERSISTED: Final = 4

_FIELD_OF_REGION: Final = {
    "names": "names",
    "exist": "existence",
    "bodies": "bodies",
    "inst": "instruments",
    "mem": "members",
    "mem*": "members",
    "gov": "governments",
    "gov*": "governments",
    "terms": "terms",
    "terms*": "terms",
    "acts": "acts",
    "res": "resolutions",
}


def cache_path(log_path: str | os.PathLike[str]) -> Path:
    return Path(str(log_path) + ".cache")


def _version() -> str:
    from . import __version__

    return __version__


# -- fast pickling of the state's small classes -------------------------------
#
# attrs' default pickling calls a Python __setstate__ per object, which makes
# unpickling a world slower than folding it again; these reducers rebuild each
# object with one generated function setting its slots.

_new = object.__new__
_dispatch: dict[type, Any] = {}


def _make_rebuilder(cls: type) -> Any:
    names = [f.name for f in attrs.fields(cls)]
    args = ", ".join(f"a{i}" for i in range(len(names)))
    lines = [f"def rebuild_{cls.__name__}({args}):", "    o = _new(cls)"]
    namespace: dict[str, Any] = {"_new": _new, "cls": cls}
    for i, name in enumerate(names):
        namespace[f"s{i}"] = getattr(cls, name).__set__
        lines.append(f"    s{i}(o, a{i})")
    lines.append("    return o")
    exec("\n".join(lines), namespace)  # noqa: S102 - built from field names
    fn = namespace[f"rebuild_{cls.__name__}"]
    fn.__module__ = __name__
    fn.__qualname__ = fn.__name__ = f"_rebuild_{cls.__name__}"
    globals()[fn.__name__] = fn
    getters = tuple(getattr(cls, name).__get__ for name in names)

    def reduce(obj: Any) -> tuple[Any, tuple[Any, ...]]:
        return fn, tuple(g(obj) for g in getters)

    return reduce


for _cls in (Spell, Term, PermanentSeat, BodyInfo, InstrumentInfo, Act, Resolution, Tally, EntryRule):
    _dispatch[_cls] = _make_rebuilder(_cls)


def _rebuild_date(text: str, earliest: int, latest: int, precision: str) -> PartialDate:
    return PartialDate(text, earliest, latest, precision)


_dispatch[PartialDate] = lambda d: (_rebuild_date, (d.text, d.earliest_day, d.latest_day, d.precision))


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch  # type: ignore[assignment]
    pickler.dump(value)
    return buffer.getvalue()


# -- writing ---------------------------------------------------------------------


def write_cache(ledger: Any) -> Path | None:
    """Snapshot a fully loaded file ledger beside its log (atomically).
    Returns the cache's path, or ``None`` when the ledger cannot be cached
    (in memory, kinds redefined) or the directory is not writable."""
    log_path = ledger.path
    if log_path is None or not pristine():
        return None
    timeline = ledger._timeline
    records = ledger._records
    with open(log_path, "rb") as f:
        data = f.read()
    # Offsets of every line the ledger has read, and no further.
    offsets = array("q", [0])
    position = 0
    for _ in range(len(records)):
        position = data.index(b"\n", position) + 1
        offsets.append(position)
    size = offsets[-1]
    n = len(timeline)
    days = array("q", (k[0] for k in timeline.keys))
    seqs = array("q", (k[1] for k in timeline.keys))
    writers: dict[str, array[int]] = {name: array("q") for name in _WORLD_FIELDS}
    for index, event in enumerate(timeline.events):
        fp = footprint(event)
        if fp is None:
            return None
        for field in {_FIELD_OF_REGION[region[0]] for region in fp[1]}:
            writers[field].append(index)
    step = max(1, n // PERSISTED)
    positions = sorted({0, *range(step, n, step), n})
    blobs: list[bytes] = []
    checkpoints: list[tuple[int, dict[str, tuple[int, int, int]]]] = []
    offset = 0
    with bulk(n):
        for index in positions:
            world = timeline.world_before(index)
            where: dict[str, tuple[int, int, int]] = {}
            for name in _WORLD_FIELDS:
                blob = _dumps(getattr(world, name))
                where[name] = (offset, len(blob), zlib.crc32(blob))
                blobs.append(blob)
                offset += len(blob)
            checkpoints.append((index, where))
    header = {
        "format": FORMAT,
        "version": _version(),
        "size": size,
        "head": ledger.head,
        "records": len(records),
        "events": n,
        "checkpoints": checkpoints,
        "days": days.tobytes(),
        "seqs": seqs.tobytes(),
        "offsets": offsets.tobytes(),
        "writers": {name: a.tobytes() for name, a in writers.items()},
    }
    head_bytes = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    target = cache_path(log_path)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            f.write(struct.pack("<QI", len(head_bytes), zlib.crc32(head_bytes)))
            f.write(head_bytes)
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, target)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
    return target


# -- reading ---------------------------------------------------------------------


def load_cache(log_path: str | os.PathLike[str]) -> LazyLedgerState | None:
    """The cache of ``log_path`` if it is valid for the log as it is now
    (or for a prefix of it), else ``None``."""
    target = cache_path(log_path)
    try:
        with open(target, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            length, crc = struct.unpack("<QI", f.read(12))
            if length > os.fstat(f.fileno()).st_size:
                return None
            raw = f.read(length)
            if len(raw) != length or zlib.crc32(raw) != crc:
                return None
            header = pickle.loads(raw)
            blobs_at = len(MAGIC) + 12 + length
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != _version():
            return None
        if not pristine():
            return None
        size, head = header["size"], header["head"]
        with open(log_path, "rb") as log:
            if os.fstat(log.fileno()).st_size < size:
                return None
            if size:
                # The cache's last line must still be there, complete, with its hash.
                back = min(size, 64 * 1024)
                log.seek(size - back)
                tail = log.read(back)
                if not tail.endswith(b"\n"):
                    return None
                start = tail.rfind(b"\n", 0, len(tail) - 1) + 1
                last = tail[start:-1]
                if last[-66:-2].decode("ascii", "replace") != head or last[-75:-66] != b',"hash":"':
                    return None
            elif head != "0" * 64:
                return None
        return LazyLedgerState(Path(log_path), target, header, blobs_at)
    except (OSError, ValueError, KeyError, TypeError, EOFError, pickle.UnpicklingError, struct.error, AttributeError, IndexError, OverflowError, MemoryError):
        return None


class LazyLedgerState:
    """What a reopened ledger knows before it reads its log: enough to answer
    ``state(as_of)`` lazily."""

    def __init__(self, log_path: Path, path: Path, header: dict[str, Any], blobs_at: int) -> None:
        self.log_path = log_path
        self.path = path
        self.size: int = header["size"]
        self.head: str = header["head"]
        self.records: int = header["records"]
        self.events: int = header["events"]
        self.days = array("q")
        self.days.frombytes(header["days"])
        self.seqs = array("q")
        self.seqs.frombytes(header["seqs"])
        self.offsets = array("q")
        self.offsets.frombytes(header["offsets"])
        self.writers: dict[str, array[int]] = {}
        for name, raw in header["writers"].items():
            a = array("q")
            a.frombytes(raw)
            self.writers[name] = a
        self.checkpoints: list[tuple[int, dict[str, tuple[int, int, int]]]] = header["checkpoints"]
        self.checkpoint_positions = [index for index, _ in self.checkpoints]
        self.blobs_at = blobs_at
        self._fields: dict[tuple[int, str], Any] = {}
        self._worlds: dict[int, LazyWorld] = {}
        self._log_map: mmap.mmap | None = None

    def index_of_day(self, day: int) -> int:
        return bisect_right(self.days, day)

    def world_at(self, day: int) -> World:
        index = self.index_of_day(day)
        world = self._worlds.get(index)
        if world is None:
            world = _new(LazyWorld)
            object.__setattr__(world, "_source", self)
            object.__setattr__(world, "_index", index)
            self._worlds[index] = world
        return world

    def _checkpoint_field(self, slot: int, name: str) -> Any:
        """The ``name`` map at persisted checkpoint ``slot``; raises
        :class:`_Damaged` when its bytes do not match their checksum."""
        key = (slot, name)
        if key not in self._fields:
            offset, length, crc = self.checkpoints[slot][1][name]
            try:
                with open(self.path, "rb") as f:
                    f.seek(self.blobs_at + offset)
                    blob = f.read(length)
            except OSError:
                raise _Damaged from None
            if len(blob) != length or zlib.crc32(blob) != crc:
                raise _Damaged
            with bulk(length // 16):
                self._fields[key] = pickle.loads(blob)
        return self._fields[key]

    def event_at(self, index: int) -> Event:
        if self._log_map is None:
            with open(self.log_path, "rb") as f:
                self._log_map = mmap.mmap(f.fileno(), self.size, access=mmap.ACCESS_READ) if self.size else None  # type: ignore[assignment]
        seq = self.seqs[index]
        line = self._log_map[self.offsets[seq - 1] : self.offsets[seq] - 1]  # type: ignore[index]
        event = _decode(line, seq)
        if isinstance(event, Correction):
            return event.replacement
        return event

    def field_at(self, name: str, index: int) -> Any:
        slot = bisect_right(self.checkpoint_positions, index) - 1
        try:
            value = self._checkpoint_field(slot, name)
        except _Damaged:
            # The cache file changed under us: fold this map from the log.
            slot, value = 0, EMPTY
        start = self.checkpoint_positions[slot]
        writers = self.writers[name]
        lo, hi = bisect_left(writers, start), bisect_left(writers, index)
        if lo == hi:
            return value
        world = World(**{name: value})
        with bulk(hi - lo):
            for i in range(lo, hi):
                event = self.event_at(writers[i])
                world = REDUCERS[event.kind](world, event)
        return getattr(world, name)

    def close(self) -> None:
        if self._log_map is not None:
            self._log_map.close()
            self._log_map = None


class _Damaged(Exception):
    """A part of the cache file does not match its checksum."""


def _decode(line: bytes, seq: int) -> Event:
    import hashlib

    import orjson

    body = line[:-75] + b"}"
    if line[-75:-66] == b',"hash":"' and hashlib.sha256(body).hexdigest().encode("ascii") == line[-66:-2]:
        obj = orjson.loads(line)
        for key in ("prev", "seq", "hash", "recorded", "more"):
            obj.pop(key, None)
        return trusted_event_from_dict(obj, position=f"line {seq}")
    return decode_line(line, seq).event


class LazyWorld(World):
    """A world whose maps are built on first use (see the module doc).
    Equal to, and indistinguishable in use from, the folded world."""

    __slots__ = ("_source", "_index")


def _lazy_field(name: str) -> property:
    slot = World.__dict__[name]

    def get(self: LazyWorld) -> Any:
        try:
            return slot.__get__(self, World)
        except AttributeError:
            value = self._source.field_at(name, self._index)  # type: ignore[attr-defined]
            slot.__set__(self, value)
            return value

    return property(get, doc=f"The ``{name}`` map, built on first use.")


for _name in _WORLD_FIELDS:
    setattr(LazyWorld, _name, _lazy_field(_name))
