"""The head record's file (``<log>.head``): reading and writing it.

The format and what it means are in :mod:`unledger.log.head`. This class
keeps the writer's descriptor open between appends and remembers the bytes
it last read or wrote, so that an append reads the record once (to see
other writers' appends) and writes one slot without parsing the file again.

Durability: a record written after an append is not fsynced (see
:meth:`HeadFile.write`). Every record is written only after the log lines
it covers were fsynced, and the log is never cut below a record
once written, so whatever subset of records reaches the disk before a
crash, the newest of them covers no line the disk does not hold: the
record may lag the log (the lines after it are adopted by the next
writer), never lead it.
"""

from __future__ import annotations

import os
import stat
import threading
from contextlib import suppress
from pathlib import Path

from ..errors import StorageError
from .head import SLOT, Head, head_slot, newest_slot, parse_head
from .storage import head_path, show_path, storage_error

__all__ = ["HeadFile"]


class HeadFile:
    """The head record beside the log at ``log``."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.path = head_path(log)
        self._path_str = os.fspath(self.path)
        #: The writer's descriptor (opened under the write lock, kept open).
        self._fd: int | None = None
        #: Whether ``_fd`` was checked to name the file at ``path`` during
        #: the current hold of the write lock (see :meth:`locked_anew`).
        self._checked = False
        #: The file's bytes as last read or written, and what they hold.
        self._raw = b""
        self._parsed: tuple[Head | None, int] = (None, 0)
        #: Whether ``_raw`` was read or written during the current hold of the lock.
        self._fresh = False

    def locked_anew(self) -> None:
        """The write lock was just taken: what was remembered of the file may
        be stale (another process may have appended or replaced it)."""
        self._checked = self._fresh = False

    def write_new(self, head: Head) -> None:
        """Create the record of a new log: written to a temporary file,
        fsynced, and renamed over any stale one."""
        tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                os.write(fd, head_slot(head) * 2)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(tmp)
            raise storage_error(self.path, "write the head record", exc) from None

    def read(self, locked: bool) -> Head | None:
        """The record now (``None`` when the log has none). ``locked``: the
        caller holds the write lock, and the writer's descriptor is used."""
        try:
            if locked and self._fd is not None:  # opened by an earlier append (never created by a read)
                raw = os.pread(self._writer(), 2 * SLOT, 0)
            else:
                try:
                    fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                except FileNotFoundError:
                    return None
                try:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        raise StorageError(f"{show_path(self.path)}: is not a regular file; a log must be a regular file")
                    raw = os.pread(fd, 2 * SLOT, 0)
                finally:
                    os.close(fd)
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "read the head record", exc) from None
        if not raw:
            return None  # created by a writer that has not written it yet (or emptied: no head record)
        if raw != self._raw:  # parse only what changed since it was last seen
            parsed = newest_slot(raw)
            if parsed[0] is None:
                parse_head(raw, str(self.log))  # raises: neither slot is readable
            self._raw, self._parsed = raw, parsed
        self._fresh = locked
        return self._parsed[0]

    def unchanged(self) -> bool:
        """Under the write lock: whether the file holds exactly the bytes last
        read or written through the writer's descriptor (so no other writer
        wrote a record since). One read; ``False`` also when there is no
        such descriptor yet or the read fails (the caller then reads the
        record as usual, which reports any failure)."""
        if self._fd is None or len(self._raw) != 2 * SLOT:
            return False
        try:
            raw = os.pread(self._writer(), 2 * SLOT, 0)
        except (OSError, StorageError):
            return False
        if raw != self._raw:
            return False
        self._fresh = True
        return True

    def write(self, head: Head, *, durable: bool = True) -> None:
        """Under the write lock: write ``head`` into the slot that does not
        hold the newest record. ``durable=False`` (after an append, whose
        lines were fsynced first) skips this record's own ``fsync``
        when the file already holds both slots; see the module's text."""
        fd = self._writer()
        try:
            if self._fresh and len(self._raw) == 2 * SLOT:  # read (or written) under this hold of the lock
                raw, (newest, slot) = self._raw, self._parsed
            else:
                raw = os.pread(fd, 2 * SLOT, 0)
                newest, slot = newest_slot(raw)
            one = head_slot(head)
            if len(raw) < 2 * SLOT:  # a new file: both slots, made durable
                raw, newest, slot, durable = one * 2, head, 0, True
                os.pwrite(fd, raw, 0)
            else:
                os.pwrite(fd, one, slot * SLOT)
                raw = raw[: slot * SLOT] + one + raw[(slot + 1) * SLOT :]
            if durable:
                os.fsync(fd)
        except OSError as exc:
            self._raw, self._fresh = b"", False
            raise storage_error(self.path, "write the head record", exc) from None
        # The newest record now, as newest_slot() would find it in ``raw``.
        kept = (head.seq, slot, head) if newest is None else max((head.seq, slot, head), (newest.seq, 1 - slot, newest))
        self._raw, self._parsed, self._fresh = raw, (kept[2], 1 - kept[1]), True

    def _writer(self) -> int:
        """Under the lock: the descriptor the record is read and written
        through, checked once per hold of the lock to name the file at
        ``path`` (opened again when it was replaced)."""
        fd = self._fd
        if fd is not None:
            if self._checked:
                return fd
            try:
                if os.stat(self._path_str).st_ino == os.fstat(fd).st_ino:
                    self._checked = True
                    return fd
            except OSError:
                pass
            self.close()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "open the head record for writing", exc) from None
        self._fd, self._checked, self._raw, self._fresh = fd, True, b"", False
        return fd

    def close(self, *, own: bool = True) -> None:
        """Forget the writer's descriptor (closing it when ``own``: not in a
        forked child, whose parent still uses it)."""
        fd, self._fd, self._checked, self._raw, self._fresh = self._fd, None, False, b"", False
        if fd is not None and own:
            with suppress(OSError):
                os.close(fd)
