"""Where a log's lines live: :class:`~unledger.log.filelog.FileLog` (a
file) and :class:`MemoryLog` (memory only), behind one protocol,
:class:`Storage`; and the helpers of file storage.

Every failure of the operating system reaches the caller as a
:class:`~unledger.errors.StorageError` naming the file (:func:`storage_error`).
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from ..errors import StorageError
from .head import Head

__all__ = ["Storage", "MemoryLog", "head_path", "storage_error", "show_path", "pread_all", "fsync_dir"]


class Storage(Protocol):
    """What a :class:`~unledger.ledger.Ledger` needs of where its lines live."""

    @property
    def path(self) -> Path | None:
        """The log file (``None`` in memory)."""

    readonly: bool
    #: Complete lines held back after the last read (see :meth:`FileLog._read`).
    pending: list[bytes]
    #: Whether :meth:`repairing` is held.
    repairing_now: bool

    def read_new(self) -> list[bytes]:
        """Lines acknowledged since the last call, without their newlines."""

    def acknowledged(self) -> Head | None:
        """The head record as last read (``None``: there is none to check)."""

    def locked(self) -> AbstractContextManager[None]:
        """Hold the write lock (threads and processes)."""

    def settle_tail(self, seq: int, head: str) -> tuple[bool, Path | None]:
        """Under the lock: adopt finished batches after the head record, move
        a torn tail aside; ``(adopted any, quarantine file)``."""

    def quiet(self, seq: int, head: str) -> bool:
        """Under the lock: whether nothing changed since this object last read
        or wrote (``seq`` lines ending with ``head``), so that catching up and
        settling the tail may be skipped; ``False`` decides nothing."""

    def write(self, data: bytes) -> None:
        """Under the lock: append whole lines durably, or not at all."""

    def skip_to(self, size: int, seq: int, head: str) -> None:
        """Start reading after the first ``size`` bytes (``seq`` lines ending with ``head``)."""

    def all_bytes(self) -> bytes:
        """Every acknowledged line's bytes."""

    def acknowledged_bytes(self) -> tuple[Head | None, bytes, list[bytes]]:
        """The head record, every line it acknowledges, and complete lines
        held back after them (a log without head record only)."""

    def repairing(self) -> AbstractContextManager[None]:
        """While held, a log without head record may end with an unfinished batch."""

    def close(self) -> None:
        """Release what is kept open between appends."""


def head_path(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def storage_error(path: Path, action: str, exc: BaseException) -> StorageError:
    """A :class:`StorageError` for an OS failure, in words."""
    if isinstance(exc, ValueError):  # a NUL in the path
        return StorageError(f"{show_path(path)}: cannot {action}: the path holds a NUL character")
    assert isinstance(exc, OSError)
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOENT:
        reason += " (was the log moved or deleted?)"
    return StorageError(f"{show_path(path)}: cannot {action}: {reason}")


def show_path(path: Path) -> str:
    return repr(str(path))[1:-1]  # control characters escaped


class MemoryLog:
    """A log that lives in memory only (``Ledger.memory()``): same format,
    same chain, no file."""

    path: Path | None = None
    readonly = False
    repairing_now = False

    def __init__(self) -> None:
        self.pending: list[bytes] = []
        self._lines: list[bytes] = []
        self._delivered = 0
        self._threads = threading.Lock()

    def read_new(self) -> list[bytes]:
        new = self._lines[self._delivered :]
        self._delivered = len(self._lines)
        return new

    def acknowledged(self) -> Head | None:
        return None

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._threads:
            yield

    def settle_tail(self, seq: int, head: str) -> tuple[bool, Path | None]:
        return False, None

    def skip_to(self, size: int, seq: int, head: str) -> None:
        self._delivered = seq

    def quiet(self, seq: int, head: str) -> bool:
        return self._delivered == len(self._lines) == seq

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self._lines.extend(data.splitlines())
        self._delivered = len(self._lines)

    def all_lines(self) -> list[bytes]:
        return list(self._lines)

    def all_bytes(self) -> bytes:
        return b"".join(line + b"\n" for line in self._lines)

    def acknowledged_bytes(self) -> tuple[Head | None, bytes, list[bytes]]:
        return None, self.all_bytes(), []

    @contextmanager
    def repairing(self) -> Iterator[None]:
        yield


def pread_all(fd: int, length: int, offset: int) -> bytes:
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


def fsync_dir(directory: Path) -> None:
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
