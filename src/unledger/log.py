"""The append-only log file: line format, hash chain, lock, fsync, quarantine.

Line format (one per event, UTF-8, ``\\n``-terminated)::

    {"prev":"<64 hex>","seq":N,"recorded":"<UTC>","kind":...,<event>,"hash":"<64 hex>"}

``hash`` is the SHA-256 of the line's bytes with the trailing
``,"hash":"…"}`` replaced by ``}``: the *canonical serialization* is the line
itself, so anyone can re-check a log with ``sha256`` and a text editor.
``prev`` is the hash of the line before (64 zeros for the first line), so a
line that is edited, inserted, deleted or moved breaks the chain at the first
place it happened. The last line's hash is the log's *head*.

A batch of n > 1 events is n lines written together; every line but the
last carries ``"more":K`` right after ``seq`` (K = lines of the batch still
to come). A crash can cut a write anywhere, even after some complete lines
of a batch, so a batch counts as written only once its last line (the one
without ``more``) is complete: readers hold back the lines of an unfinished
batch exactly as they ignore a line without its newline.

Durability (DESIGN §7): an append takes an exclusive ``flock`` on the file,
re-reads the tail under it, moves a torn tail left by a crashed writer into a
quarantine file beside the log, writes the whole batch with a single
``os.write``, then ``fsync``s before returning. Readers never lock and ignore a
last line without its newline, or an unfinished batch (a write in progress).
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

import attrs
import orjson

from .codec import event_from_dict, event_to_dict
from .errors import IntegrityError, InvalidEvent, LockTimeout, StorageError
from .events.base import Event

__all__ = [
    "GENESIS",
    "Record",
    "encode_line",
    "encode_batch",
    "decode_line",
    "check_line",
    "verify_lines",
    "whole_batches",
    "FileLog",
    "MemoryLog",
]

#: The ``prev`` of the first line.
GENESIS: Final = "0" * 64
_HASH_SUFFIX_LEN: Final = 75  # len(',"hash":"') + 64 + len('"}')
_PREFIX: Final = b'{"prev":"'
_MORE: Final = re.compile(rb'\{"prev":"[0-9a-f]{64}","seq":\d+,"more":[1-9]')


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


def encode_line(seq: int, prev: str, recorded: str, event: Event, more: int = 0) -> tuple[bytes, str]:
    """The line (with its newline) recording ``event``, and its hash;
    ``more`` is how many lines of the same batch follow it."""
    head: dict[str, object] = {"prev": prev, "seq": seq, "more": more} if more else {"prev": prev, "seq": seq}
    body = orjson.dumps({**head, "recorded": recorded, **event_to_dict(event)})
    digest = hashlib.sha256(body).hexdigest()
    return body[:-1] + b',"hash":"' + digest.encode() + b'"}\n', digest


def encode_batch(first_seq: int, prev: str, recorded: str, events: Sequence[Event]) -> list[tuple[bytes, str]]:
    """The lines recording ``events`` as one batch after the line whose hash
    is ``prev``, from seq ``first_seq``, each with its hash: every line but
    the last carries ``more`` (see the module docstring)."""
    out = []
    last = len(events) - 1
    for offset, event in enumerate(events):
        line, prev = encode_line(first_seq + offset, prev, recorded, event, more=last - offset)
        out.append((line, prev))
    return out


def check_line(line: bytes, prev: str, seq: int) -> str | None:
    """Why ``line`` (without newline) is not the ``seq``-th line after
    ``prev``, or ``None`` when it is. Works on bytes only: no JSON parsing."""
    if not line.startswith(_PREFIX) or len(line) < 9 + 64 + _HASH_SUFFIX_LEN:
        return "is not a ledger line"
    if line[9:73].decode("ascii", "replace") != prev:
        return "does not follow the line before it (its 'prev' hash differs): a line was inserted, deleted or moved here"
    if not line.startswith(b'","seq":%d,' % seq, 73):
        return f"has the wrong seq (expected {seq}): lines were inserted, deleted or moved"
    if line[-_HASH_SUFFIX_LEN:-66] != b',"hash":"' or not line.endswith(b'"}'):
        return "has no hash at its end"
    body = line[:-_HASH_SUFFIX_LEN] + b"}"
    if hashlib.sha256(body).hexdigest().encode() != line[-66:-2]:
        return "was edited: its content does not match its hash"
    return None


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


def verify_lines(lines: list[bytes], *, path: str | None = None) -> str:
    """Check the whole chain; return the head hash or raise :class:`IntegrityError`
    naming the first bad line (1-based)."""
    prev = GENESIS
    for number, line in enumerate(lines, 1):
        reason = check_line(line, prev, number)
        if reason is not None:
            raise IntegrityError(reason, line=number, path=path)
        prev = line[-66:-2].decode("ascii")
    return prev


def decode_line(line: bytes, number: int, *, path: str | None = None) -> Record:
    """Parse one stored line into a :class:`Record` (no hash check)."""
    try:
        obj = orjson.loads(line)
        prev = obj.pop("prev")
        seq = obj.pop("seq")
        recorded = obj.pop("recorded")
        digest = obj.pop("hash")
        obj.pop("more", None)
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise IntegrityError("is not a valid ledger line", line=number, path=path) from None
    try:
        event = event_from_dict(obj, position=f"line {number}")
    except InvalidEvent as exc:
        raise IntegrityError(f"holds an event this unledger cannot read: {exc}", line=number, path=path) from None
    return Record(seq, recorded, event, digest, prev)


class MemoryLog:
    """A log that lives in memory only (``Ledger.memory()``): same format,
    same chain, no file."""

    path: Path | None = None
    readonly = False

    def __init__(self) -> None:
        self._lines: list[bytes] = []
        self._delivered = 0

    def read_new(self) -> list[bytes]:
        new = self._lines[self._delivered :]
        self._delivered = len(self._lines)
        return new

    @contextmanager
    def locked(self) -> Iterator[None]:
        yield

    def quarantine_torn_tail(self) -> Path | None:
        return None

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self._lines.extend(data.splitlines())
        self._delivered = len(self._lines)

    def all_lines(self) -> list[bytes]:
        return list(self._lines)

    def all_bytes(self) -> bytes:
        return b"".join(line + b"\n" for line in self._lines)


class FileLog:
    """The log file on disk.

    ``read_new`` returns the complete lines written since the last call;
    ``locked`` holds the exclusive write lock; ``write`` appends one batch
    durably or not at all.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.lock_timeout = lock_timeout
        self._offset = 0
        #: The descriptor of the write lock, set only while it is held.
        self._fd: int | None = None
        #: The descriptor appends go through, kept open between appends
        #: (see :meth:`_writer`), with the process and file it belongs to.
        self._handle: int | None = None
        self._handle_owner: tuple[int, int, int] = (0, 0, 0)
        #: ``flock`` belongs to the open file description, which every thread
        #: shares: this lock is what keeps two threads of one process apart.
        self._threads = threading.Lock()
        if self.path.is_dir():
            raise StorageError(f"{self.path}: is a directory, not a log file")
        if not self.path.exists():
            if readonly:
                raise StorageError(f"{self.path}: no such log file")
            if not self.path.parent.is_dir():
                raise StorageError(f"{self.path}: the directory {self.path.parent} does not exist")
            self._create()

    def _create(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return
        except OSError as exc:
            raise StorageError(f"{self.path}: cannot create the log: {exc.strerror}") from None
        os.fsync(fd)
        os.close(fd)
        _fsync_dir(self.path.parent)

    def read_new(self) -> list[bytes]:
        """Complete lines appended since the last call (a torn or in-progress
        last line is left for later)."""
        try:
            if self._fd is not None:  # under the lock: no need to open the file again
                data = self._read_from(self._fd)
            else:
                with open(self.path, "rb") as f:
                    data = self._read_from(f.fileno())
        except OSError as exc:
            raise StorageError(f"{self.path}: cannot read the log: {exc.strerror}") from None
        if not data:
            return []
        end = whole_batches(data)
        if end == 0:
            return []
        self._offset += end
        return data[: end - 1].split(b"\n")

    def _read_from(self, fd: int) -> bytes:
        size = os.fstat(fd).st_size
        if size < self._offset:
            raise IntegrityError(
                f"the log shrank from {self._offset} to {size} bytes: lines already read were removed",
                path=str(self.path),
            )
        if size == self._offset:
            return b""
        return _pread_all(fd, size - self._offset, self._offset)

    def _writer(self) -> int:
        """The descriptor appends lock and write through.

        It stays open between appends: opening and closing the file costs
        about as much as the rest of an append's own work. It is opened
        again when the path now names another file (the log was replaced),
        and in a forked child, which must not share the parent's open file
        description: ``flock`` belongs to the description, so sharing it
        would let parent and child hold the lock at once.
        """
        fd = self._handle
        if fd is not None:
            pid, dev, ino = self._handle_owner
            try:
                st = os.stat(self.path)
                if pid == os.getpid() and st.st_dev == dev and st.st_ino == ino:
                    return fd
            except OSError:
                pass
            self._handle = None
            with suppress(OSError):
                os.close(fd)  # in a child: the parent's lock stays with the parent's descriptor
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
            st = os.fstat(fd)
        except OSError as exc:
            raise StorageError(f"{self.path}: cannot open the log for writing: {exc.strerror}") from None
        self._handle = fd
        self._handle_owner = (os.getpid(), st.st_dev, st.st_ino)
        return fd

    def close(self) -> None:
        """Close the descriptor kept open for appends (reopened when needed)."""
        fd, self._handle = self._handle, None
        if fd is not None and self._handle_owner[0] == os.getpid():
            with suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        self.close()

    @contextmanager
    def locked(self) -> Iterator[None]:
        if self.readonly:
            raise StorageError(f"{self.path}: opened read-only")
        if not self._threads.acquire(timeout=self.lock_timeout):
            raise LockTimeout(
                f"{self.path}: another thread has held the write lock for over {self.lock_timeout:g} s; try again later"
            )
        try:
            with self._flocked():
                yield
        finally:
            self._threads.release()

    @contextmanager
    def _flocked(self) -> Iterator[None]:
        fd = self._writer()
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"{self.path}: another process has held the write lock for over "
                        f"{self.lock_timeout:g} s; try again later"
                    ) from None
                time.sleep(0.002)
            except OSError as exc:
                raise StorageError(f"{self.path}: cannot lock the log: {exc.strerror}") from None
        self._fd = fd
        try:
            yield
        finally:
            self._fd = None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:  # the lock must not outlive the append: drop the descriptor
                self._handle = None
                with suppress(OSError):
                    os.close(fd)

    def quarantine_torn_tail(self) -> Path | None:
        """Under the lock: move bytes after the last finished batch (a torn
        line, or the first lines of a batch whose write was cut) into a
        quarantine file beside the log, so the next line starts clean.
        Returns the quarantine file's path, or ``None`` if there was no tail."""
        fd = self._require_lock()
        size = os.fstat(fd).st_size
        if size <= self._offset:
            return None
        tail = _pread_all(fd, size - self._offset, self._offset)
        if whole_batches(tail):  # finished batches we have not read: not torn
            return None
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.quarantine-{stamp}")
        try:
            with open(target, "xb") as q:
                q.write(tail)
                q.flush()
                os.fsync(q.fileno())
        except OSError as exc:
            if not isinstance(exc, FileExistsError):
                # The tail is still in the log: only our incomplete copy goes.
                with suppress(OSError):
                    target.unlink()
            raise StorageError(
                f"{self.path}: cannot move a torn tail of {len(tail)} bytes into the quarantine file {target.name}: "
                f"{exc.strerror or exc}; the log was left as it is"
            ) from None
        _fsync_dir(self.path.parent)
        try:
            os.ftruncate(fd, self._offset)
            os.fsync(fd)
        except OSError as exc:
            raise StorageError(
                f"{self.path}: copied a torn tail to the quarantine file {target.name} but cannot cut it from the log: "
                f"{exc.strerror or exc}"
            ) from None
        return target

    def write(self, data: bytes) -> None:
        """Append ``data`` (whole lines) with one write, then fsync. On any
        failure the file is cut back to where it was and StorageError raised."""
        fd = self._require_lock()
        start = self._offset
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes could be written")
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                pass
            raise StorageError(f"{self.path}: the append failed and was rolled back: {exc.strerror or exc}") from None
        self._offset = start + len(data)

    def _require_lock(self) -> int:
        if self._fd is None:
            raise StorageError(f"{self.path}: a write was attempted without holding the write lock")
        return self._fd

    def all_bytes(self) -> bytes:
        """The log's bytes up to the end of its last finished batch."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise StorageError(f"{self.path}: cannot read the log: {exc.strerror}") from None
        end = whole_batches(data)
        return data if end == len(data) else data[:end]  # no copy in the usual case

    def all_lines(self) -> list[bytes]:
        data = self.all_bytes()
        lines = data.split(b"\n")
        lines.pop()  # the empty string after the last newline
        return lines


def _pread_all(fd: int, length: int, offset: int) -> bytes:
    """``length`` bytes at ``offset`` (``pread`` may return fewer at once)."""
    data = os.pread(fd, length, offset)
    if len(data) == length or not data:
        return data
    chunks = [data]
    got = len(data)
    while got < length:
        chunk = os.pread(fd, length - got, offset + got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
