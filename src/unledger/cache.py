"""An optional snapshot cache beside the log: ``<log>.cache``.

``Ledger.open(path, cache=True)`` reopens a large log without decoding or
folding it: the cache holds the fold order (packed keys), the byte offset of
every line, and the worlds at a few persisted checkpoints, each of the world's
ten maps stored on its own, a key at a time. A state asked for after such a
reopen is a *lazy world*: each map is built only when a query first reads
it, from the nearest persisted checkpoint plus the few later events that
write that map (decoded from their lines on demand). ``members(org)`` and
``seats(body)`` read four of the ten maps, so they never load the big ones
(treaty actions, resolutions); at a persisted checkpoint (the head, say) a
map is a :class:`~unledger.cache_codec.StoredMap`, which decodes only the
keys looked up.

This works because every built-in reducer computes each map from the same map
and the event alone (a signing changes ``acts`` from ``acts``; an admission
changes ``members`` from ``members`` and ``names`` from ``names``), which
:mod:`unledger.footprints` spells out and the tests check against folds from
scratch.

**What the cache holds, and what it guarantees.** Data only: JSON, whose
values are rebuilt as strings, numbers, tuples, maps, dates and instances of
a fixed list of unledger's own state classes, and events of unledger's own
kinds (a roll call), each checked as a line of the log is; nothing in it is
ever run.
It is written only from a ledger that opened its log in full (every line
checked as ``verify()`` checks it), never by a read-only open, through a new
file created with ``O_EXCL | O_NOFOLLOW`` (mode 0600) and renamed into place.

It is used only when all of this holds, else ignored (and, on a writable
open, rewritten):

- its header and each stored map carry an HMAC-SHA256 under a key of the
  user's own (``$XDG_CACHE_HOME/unledger/cache-key``, else
  ``~/.cache/unledger/cache-key``: 32 random bytes, mode 0600, owned by the
  user). A cache forged or altered by someone who cannot read that key does
  not verify. Someone who can read it (the user, root) can forge a cache:
  the cache is exactly as trustworthy as the user's own account;
- it is bound to the exact bytes it summarises: its header names their
  fingerprint (:func:`unledger.log.digest.bytes_digest`, SHA-256 over fixed
  chunks), which opening recomputes over the log up to the size the cache
  covers. The writer checked those bytes line by line (every line's hash and
  place in the chain, ending at the head the cache names) before it
  fingerprinted them. A single byte changed anywhere in that prefix, and the
  cache is not used;
- the log's head record (see ``docs/guarantees.md``) is checked as on every
  open.

The bytes read at open are the ones later queries decode lines from (read
with ``pread``, no ``mmap``): a log truncated or rewritten afterwards cannot
change what a lazy world folds, nor stop the process with a signal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from array import array
from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Any, Final

import orjson

from ._gc import bulk
from .cache_codec import StoredMap, Unstorable, encode_map
from .errors import UnledgerError
from .events.base import Event
from .events.meta import Correction
from .footprints import footprint, pristine
from .log import GENESIS, FileLog, trusted_event_from_dict
from .log.digest import bytes_digest
from .log.line import parse_line
from .log.verify import verify_frames
from .reducers import REDUCERS
from .world import _WORLD_FIELDS, EMPTY, LazyWorld, World, lazy_world

__all__ = ["cache_path", "write_cache", "load_cache", "LazyLedgerState", "LazyWorld"]

MAGIC: Final = b"unledger-cache 3\n"
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
    "extra": "extra",
    "xtra": "extra",
}


def cache_path(log_path: str | os.PathLike[str]) -> Path:
    return Path(str(log_path) + ".cache")


def _version() -> str:
    from . import __version__

    return __version__


# -- the key ---------------------------------------------------------------------------


def _key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "unledger" / "cache-key"


def _key(*, create: bool) -> bytes | None:
    """The user's cache key (made when missing and ``create``), or ``None``
    when there is none, or it is not a private regular file of this user."""
    path = _key_path()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        if not create:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                os.write(fd, os.urandom(32))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            return None
        return _key(create=False)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            return None
        key = os.read(fd, 64)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == 32 else None


def _mac(key: bytes, *parts: bytes) -> str:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.hexdigest()


# -- writing ---------------------------------------------------------------------------


def _stored_worlds(
    timeline: Any, key: bytes
) -> tuple[dict[str, array[int]], list[tuple[int, dict[str, tuple[int, int, str]]]], list[bytes]] | None:
    """For each world field, the fold positions of the events that write it;
    the persisted checkpoints (position, and per field: offset, length and
    HMAC of its blob); the blobs. ``None`` when a value cannot be stored."""
    n = len(timeline)
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
    checkpoints: list[tuple[int, dict[str, tuple[int, int, str]]]] = []
    offset = 0
    try:
        with bulk(n):
            for index in positions:
                world = timeline.world_before(index)
                where: dict[str, tuple[int, int, str]] = {}
                for name in _WORLD_FIELDS:
                    blob = encode_map(getattr(world, name))
                    where[name] = (offset, len(blob), _mac(key, b"%d:%s:" % (index, name.encode()), blob))
                    blobs.append(blob)
                    offset += len(blob)
                checkpoints.append((index, where))
    except Unstorable:
        return None
    return writers, checkpoints, blobs


def write_cache(ledger: Any) -> Path | None:
    """Snapshot a fully loaded, writable file ledger beside its log
    (atomically). Returns the cache's path, or ``None`` when the ledger
    cannot be cached (in memory, read-only, kinds redefined, values the
    cache cannot hold, no key) or the directory is not writable."""
    log_path = ledger.path
    if log_path is None or ledger.readonly or not pristine():
        return None
    key = _key(create=True)
    if key is None:
        return None
    timeline = ledger._timeline
    records = ledger._records
    try:
        _, data, pending = ledger._log.acknowledged_bytes()
    except UnledgerError:
        return None
    # Offsets of every line the ledger has read, and no further.
    offsets = array("q", [0])
    position = 0
    try:
        for _ in range(len(records)):
            position = data.index(b"\n", position) + 1
            offsets.append(position)
    except ValueError:
        return None
    size = offsets[-1]
    covered = data[:size] if size < len(data) else data
    try:
        checked = verify_frames(covered) if size else (GENESIS, 0)
    except UnledgerError:
        return None  # a line on disk fails its hash or place
    if checked != (ledger.head, len(records)):
        return None  # the log moved, or its bytes are not the ones the ledger checked
    stored = _stored_worlds(timeline, key)
    if stored is None:
        return None
    writers, checkpoints, blobs = stored
    arrays = {
        "days": array("q", (k[0] for k in timeline.keys)),
        "seqs": array("q", (k[1] for k in timeline.keys)),
        "offsets": offsets,
        **{f"writers:{name}": a for name, a in writers.items()},
    }
    header = orjson.dumps(
        {
            "version": _version(),
            "size": size,
            "digest": bytes_digest(covered),
            "head": ledger.head,
            "records": len(records),
            "events": len(timeline),
            "checkpoints": checkpoints,
            "arrays": [[name, len(a)] for name, a in arrays.items()],
        }
    )
    packed = b"".join(a.tobytes() for a in arrays.values())
    mac = _mac(key, MAGIC, header, packed).encode("ascii")
    content = MAGIC + b"%d %d\n" % (len(header), len(packed)) + header + packed + mac + b"\n" + b"".join(blobs)
    return _write_new(cache_path(log_path), content)


def _write_new(target: Path, content: bytes) -> Path | None:
    """Write ``content`` to a new private file beside ``target`` (``O_EXCL |
    O_NOFOLLOW``, an unguessable name) and rename it into place."""
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{os.urandom(6).hex()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
    return target


# -- reading ---------------------------------------------------------------------------


def load_cache(log_path: str | os.PathLike[str], log: FileLog | None = None) -> LazyLedgerState | None:
    """The cache of ``log_path`` if it verifies and is bound to the log as
    it is now (or to a prefix of it), else ``None``. Never writes."""
    key = _key(create=False)
    if key is None:
        return None
    target = cache_path(log_path)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        start = os.pread(fd, len(MAGIC) + 48, 0)
        if not start.startswith(MAGIC):
            return None
        length_end = start.index(b"\n", len(MAGIC))
        header_length, arrays_length = (int(n) for n in start[len(MAGIC) : length_end].split(b" "))
        at = length_end + 1
        length = header_length + arrays_length
        head_bytes = os.pread(fd, length + 65, at)
        header, packed, mac = head_bytes[:header_length], head_bytes[header_length:length], head_bytes[length : length + 64]
        if len(head_bytes) != length + 65 or not hmac.compare_digest(_mac(key, MAGIC, header, packed).encode("ascii"), mac):
            return None
        parsed = orjson.loads(header)
        if parsed.get("version") != _version() or not pristine():
            return None
        if log is None:
            log = FileLog(log_path, readonly=True)
        _, data, _pending = log.acknowledged_bytes()
        size = parsed["size"]
        if size.__class__ is not int or size > len(data):
            return None
        covered = data[:size] if size < len(data) else data
        if not hmac.compare_digest(bytes_digest(covered), parsed["digest"]):
            return None
        return LazyLedgerState(Path(log_path), target, parsed, _arrays(parsed["arrays"], packed), at + length + 65, covered, key)
    except (OSError, ValueError, KeyError, TypeError, IndexError, OverflowError, MemoryError, UnledgerError):
        return None
    finally:
        os.close(fd)


def _arrays(names: list[list[Any]], packed: bytes) -> dict[str, array[int]]:
    """The cache's integer arrays, stored one after another as raw bytes."""
    out: dict[str, array[int]] = {}
    at = 0
    for name, count in names:
        a = array("q")
        a.frombytes(packed[at : at + 8 * count])
        if len(a) != count:
            raise ValueError("a short array")
        out[name] = a
        at += 8 * count
    if at != len(packed):
        raise ValueError("bytes after the arrays")
    return out


class LazyLedgerState:
    """What a reopened ledger knows before it decodes its log: enough to
    answer ``state(as_of)`` lazily, and the log's bytes it checked."""

    def __init__(
        self,
        log_path: Path,
        path: Path,
        header: dict[str, Any],
        arrays: dict[str, array[int]],
        blobs_at: int,
        data: bytes,
        key: bytes,
    ) -> None:
        self.log_path = log_path
        self.path = path
        self.data = data
        self._key = key
        self.size: int = header["size"]
        self.head: str = header["head"]
        self.records: int = header["records"]
        self.events: int = header["events"]
        self.days = arrays["days"]
        self.seqs = arrays["seqs"]
        self.offsets = arrays["offsets"]
        self.writers: dict[str, array[int]] = {name: arrays[f"writers:{name}"] for name in _WORLD_FIELDS}
        self.checkpoints: list[tuple[int, dict[str, list[Any]]]] = [(int(i), w) for i, w in header["checkpoints"]]
        self.checkpoint_positions = [index for index, _ in self.checkpoints]
        if len(self.offsets) != self.records + 1 or self.offsets[-1] != self.size or len(self.days) != self.events:
            raise ValueError("an inconsistent cache header")
        self.blobs_at = blobs_at
        self._fields: dict[tuple[int, str], Any] = {}
        self._worlds: dict[int, LazyWorld] = {}

    def index_of_day(self, day: int) -> int:
        return bisect_right(self.days, day)

    def world_at(self, day: int) -> World:
        index = self.index_of_day(day)
        world = self._worlds.get(index)
        if world is None:
            world = self._worlds[index] = lazy_world(self, index)
        return world

    def _checkpoint_field(self, slot: int, name: str) -> Any:
        """The ``name`` map at persisted checkpoint ``slot``; raises
        :class:`_Damaged` when its bytes do not match their HMAC."""
        key = (slot, name)
        if key not in self._fields:
            index, where = self.checkpoints[slot]
            offset, length, mac = where[name]
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    blob = os.pread(fd, length, self.blobs_at + offset)
                finally:
                    os.close(fd)
            except OSError:
                raise _Damaged from None
            if len(blob) != length or not hmac.compare_digest(_mac(self._key, b"%d:%s:" % (index, name.encode()), blob), mac):
                raise _Damaged
            try:
                self._fields[key] = StoredMap(blob)
            except (ValueError, KeyError, TypeError, UnledgerError):
                raise _Damaged from None
        return self._fields[key]

    def event_at(self, index: int) -> Event:
        seq = self.seqs[index]
        line = self.data[self.offsets[seq - 1] : self.offsets[seq] - 1]
        obj, _ = parse_line(line, seq, str(self.log_path))
        event = trusted_event_from_dict(obj, position=f"line {seq}")
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
        world = World(**{name: value.whole() if isinstance(value, StoredMap) else value})
        with bulk(hi - lo):
            for i in range(lo, hi):
                event = self.event_at(writers[i])
                world = REDUCERS[event.kind](world, event)
        return getattr(world, name)

    def close(self) -> None:
        pass


class _Damaged(Exception):
    """A part of the cache file does not match its HMAC."""

