"""The log file on disk and its head record: :class:`FileLog`.

Durability (see ``docs/guarantees.md``): an append takes an exclusive
``flock`` on the file (and a thread lock: ``flock`` belongs to the open file
description, which every thread shares), re-reads the tail under it, settles
what a crashed writer left after the head record (:meth:`FileLog.settle_tail`),
writes the whole batch with a single ``os.write``, ``fsync``s it, then writes
the head record (:mod:`unledger.log.head`) before returning. That record is
not fsynced: it is written only once the lines it covers are on disk,
so after a crash it may lag the log (the next writer adopts the lines after
it), never lead it (:mod:`unledger.log.headfile`).
Readers never lock; they read the head record first and serve exactly the
lines it covers. Every failure of the operating system reaches the caller
as a :class:`~unledger.errors.StorageError` naming the file.
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import IntegrityError, LockTimeout, StorageError
from .head import EMPTY_HEAD, Head
from .headfile import HeadFile
from .line import HASH_TAIL, frame_ok, hash_before, hash_of, unfinished_batch, whole_batches
from .storage import fsync_dir, pread_all, show_path, storage_error

__all__ = ["FileLog"]


class FileLog:
    """The log file on disk, and its head record beside it.

    ``read_new`` returns the lines acknowledged since the last call;
    ``locked`` holds the exclusive write lock; ``write`` appends one batch
    durably or not at all. The path must name a regular file.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._path_str = os.fspath(self.path)  # for the calls each append makes (a Path converts on every call)
        self.head_file = HeadFile(self.path)
        self.readonly = readonly
        self.lock_timeout = lock_timeout
        self._offset = 0
        #: The head record read last (``None``: the log has none).
        self._head: Head | None = None
        #: The descriptor of the write lock, set only while it is held.
        self._fd: int | None = None
        #: The descriptor appends go through, kept open between appends (see
        #: :meth:`_writer`; the head record's is kept by ``head_file``), with
        #: the process and file it belongs to.
        self._handle: int | None = None
        self._handle_owner: tuple[int, int, int] = (0, 0, 0)
        #: ``flock`` belongs to the open file description, which every thread
        #: shares: this lock is what keeps two threads of one process apart.
        self._threads = threading.Lock()
        self.repairing_now = False
        #: Complete lines of an unfinished batch at the end of a log without
        #: head record, as last read (held back; see :meth:`_read`).
        self.pending: list[bytes] = []
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "open the log", exc) from None
        if st is None:
            if readonly:
                raise StorageError(f"{show_path(self.path)}: no such log file")
            if not self.path.parent.is_dir():
                raise StorageError(f"{show_path(self.path)}: the directory {show_path(self.path.parent)} does not exist")
            self._create()
        elif stat.S_ISDIR(st.st_mode):
            raise StorageError(f"{show_path(self.path)}: is a directory, not a log file")
        elif not stat.S_ISREG(st.st_mode):
            raise StorageError(f"{show_path(self.path)}: is not a regular file (a pipe, device or socket); a log must be a regular file")

    def _create(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            return
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "create the log", exc) from None
        try:
            # A new log starts with a head record (a stale one of a deleted log
            # goes), written under the write lock and only while the log is
            # still empty: another process may have found the new file and
            # appended (head record included) before this one got the lock.
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.fsync(fd)
            if os.fstat(fd).st_size == 0:
                self.head_file.write_new(EMPTY_HEAD)
        except OSError as exc:
            raise storage_error(self.path, "create the log", exc) from None
        finally:
            os.close(fd)  # releases the lock
        fsync_dir(self.path.parent)

    # -- reading -------------------------------------------------------------------------

    def _open_read(self, path: Path) -> int:
        """A read descriptor on ``path``, a regular file (a FIFO is not waited on)."""
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise StorageError(f"{show_path(path)}: is not a regular file; a log must be a regular file")
        return fd

    def _read_head(self) -> Head | None:
        """The head record now (``None`` when the log has none)."""
        return self.head_file.read(locked=self._fd is not None)

    def acknowledged(self) -> Head | None:
        return self._head

    def read_new(self) -> list[bytes]:
        """Lines acknowledged since the last call: those the head record covers
        (or, for a log without one, every finished batch)."""
        head, data, pending = self._read(self._offset)
        self._head = head
        self.pending = pending
        self._offset += len(data)
        return data[:-1].split(b"\n") if data else []

    def all_bytes(self) -> bytes:
        """Every acknowledged line's bytes (as :meth:`read_new` reads them)."""
        return self._read(0)[1]

    def acknowledged_bytes(self) -> tuple[Head | None, bytes, list[bytes]]:
        return self._read(0)

    @contextmanager
    def repairing(self) -> Iterator[None]:
        self.repairing_now = True
        try:
            yield
        finally:
            self.repairing_now = False

    def _read(self, offset: int) -> tuple[Head | None, bytes, list[bytes]]:
        """The head record, the acknowledged bytes after ``offset``, and (for
        a log without head record) the complete lines of an unfinished batch
        at its end, held back: the caller checks they continue the chain."""
        head = self._read_head()  # before the log: a line it covers is already in the log
        try:
            fd = self._fd if self._fd is not None else self._open_read(self.path)
            try:
                size = os.fstat(fd).st_size
                data = self._read_range(fd, size, offset, head)
            finally:
                if fd != self._fd:
                    os.close(fd)
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "read the log", exc) from None
        pending: list[bytes] = []
        if head is None and data:
            end = whole_batches(data)
            last = data.rfind(b"\n")
            if last >= end:
                pending = data[end:last].split(b"\n")
            data = data[:end]
        return head, data, pending

    def _read_range(self, fd: int, size: int, offset: int, head: Head | None) -> bytes:
        """The whole lines after ``offset`` that ``head`` covers (all of them
        for a log without head record). A log shorter than its head record
        is read as far as it goes: the chain names a broken line first, and
        :func:`~unledger.log.head.check_head` the missing ones."""
        if size < offset:
            raise IntegrityError(
                f"the log shrank from {offset} to {size} bytes: lines already read were removed", path=str(self.path)
            )
        end = size
        if head is not None:
            if head.size < offset:
                raise IntegrityError("the head record went back: it was replaced by an older one", path=str(self.path))
            end = min(size, head.size)
        if end == offset:
            return b""
        data = pread_all(fd, end - offset, offset)
        if len(data) != end - offset:
            raise IntegrityError("the log shrank while it was read", path=str(self.path))
        if head is not None and not data.endswith(b"\n"):
            data = data[: data.rfind(b"\n") + 1]  # fewer lines than acknowledged: check_head says so
        return data

    def skip_to(self, size: int, seq: int, head: str) -> None:
        self._offset = size

    def all_lines(self) -> list[bytes]:
        data = self.all_bytes()
        return data[:-1].split(b"\n") if data else []

    # -- writing -------------------------------------------------------------------------

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
                st = os.stat(self._path_str)
                if pid == os.getpid() and st.st_dev == dev and st.st_ino == ino:
                    return fd
            except (OSError, ValueError):
                pass
            self._drop_handles()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | os.O_NONBLOCK)
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                raise StorageError(f"{show_path(self.path)}: is not a regular file; a log must be a regular file")
        except (OSError, ValueError) as exc:
            raise storage_error(self.path, "open the log for writing", exc) from None
        self._handle = fd
        self._handle_owner = (os.getpid(), st.st_dev, st.st_ino)
        return fd

    def _drop_handles(self) -> None:
        fd, self._handle = self._handle, None
        own = self._handle_owner[0] == os.getpid()  # in a child: the parent's lock stays with the parent's descriptor
        self.head_file.close(own=own)
        if fd is not None and own:
            with suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        """Close the descriptors kept open for appends (reopened when needed)."""
        self._drop_handles()

    def __del__(self) -> None:
        self.close()

    def locked(self) -> _Hold:
        """Hold the write lock: this process's threads (a lock of its own)
        and other processes (``flock``), for the body of a ``with``."""
        return _Hold(self)

    def _acquire(self) -> None:
        if self.readonly:
            raise StorageError(f"{show_path(self.path)}: opened read-only")
        if not self._threads.acquire(timeout=self.lock_timeout):
            raise LockTimeout(
                f"{show_path(self.path)}: another thread has held the write lock for over {self.lock_timeout:g} s; try again later"
            )
        try:
            self._flock()
        except BaseException:
            self._threads.release()
            raise

    def _flock(self) -> None:
        fd = self._writer()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait_for_flock(fd)
        except OSError as exc:
            raise storage_error(self.path, "lock the log", exc) from None
        self._fd = fd
        self.head_file.locked_anew()

    def _wait_for_flock(self, fd: int) -> None:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"{show_path(self.path)}: another process has held the write lock for over "
                    f"{self.lock_timeout:g} s; try again later"
                ) from None
            time.sleep(0.002)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                continue
            except OSError as exc:
                raise storage_error(self.path, "lock the log", exc) from None

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:  # the lock must not outlive the append: drop the descriptors
            self._handle = None
            with suppress(OSError):
                os.close(fd)  # type: ignore[arg-type]
        finally:
            self._threads.release()

    def _require_lock(self) -> int:
        if self._fd is None:
            raise StorageError(f"{show_path(self.path)}: a write was attempted without holding the write lock")
        return self._fd

    def settle_tail(self, seq: int, head: str) -> tuple[bool, Path | None]:
        """Under the lock, after reading every acknowledged line (``seq`` lines
        ending with hash ``head``): deal with the bytes after them.

        - Finished batches that continue the chain were written by an append
          cut between its log fsync and its head record: they are complete
          and hash-valid, so they are adopted (the head record now covers
          them) and never moved.
        - What is left (a torn line, the first lines of a batch whose write
          was cut) was never acknowledged: it goes to a quarantine file
          beside the log, so the next line starts clean.
        - A complete line there that does not continue the chain is damage,
          not a crash: :class:`IntegrityError`, and nothing is moved.

        A log without a head record gets one here (covering what was read).
        Returns ``(adopted any lines, quarantine file or None)``.
        """
        fd = self._require_lock()
        try:
            size = os.fstat(fd).st_size
            tail = pread_all(fd, size - self._offset, self._offset) if size > self._offset else b""
            # The line read last must still end where it did: a log rewritten
            # behind an open ledger is not appended onto (verify() checks all).
            last = pread_all(fd, HASH_TAIL, self._offset - HASH_TAIL) if seq else b""
        except OSError as exc:
            raise storage_error(self.path, "read the log", exc) from None
        if seq and (not last.endswith(b'"}\n') or hash_before(last, len(last)) != head.encode("ascii")):
            raise IntegrityError(
                "is no longer the line this ledger read there: the log was rewritten behind it; nothing was written",
                line=seq,
                path=str(self.path),
            )
        complete, finished, finished_seq, finished_hash = self._chained_tail(tail, seq, head)
        adopted = 0
        if self._head is None and complete and not self.repairing_now:
            lines = tail.count(b"\n", 0, complete)
            raise IntegrityError(
                f"the log ends with {lines} complete lines of an unfinished batch and has no head record to "
                "tell a write cut short from removed lines: nothing was moved; 'unledger repair' moves them aside",
                line=seq + 1,
                path=str(self.path),
            )
        if finished and self._head is not None:
            adopted = finished
            self._set_head(Head(finished_seq, self._offset + finished, finished_hash))
        elif self._head is None:
            self._set_head(Head(seq, self._offset, head))
        quarantined = None
        if len(tail) > adopted:
            quarantined = self._quarantine(fd, tail[adopted:], self._offset + adopted)
        return adopted > 0, quarantined

    def quiet(self, seq: int, head: str) -> bool:
        """Under the lock: whether the log is exactly as this object last read
        or wrote it, ``seq`` lines ending with hash ``head``: the head record
        holds the bytes last seen and covers those lines, nothing follows
        them, and the last of them is still the line read there. Then
        catching up reads nothing and :meth:`settle_tail` finds nothing to
        do, so an append may skip both (one read of the head record, one
        ``fstat``, one read of the last line's hash). ``False`` decides
        nothing: the caller catches up and settles as usual, which reports
        whatever is wrong."""
        fd = self._require_lock()
        known = self._head
        if known is None or known.seq != seq or known.size != self._offset or known.hash != head or self.pending:
            return False
        if not self.head_file.unchanged():
            return False
        try:
            if os.fstat(fd).st_size != self._offset:
                return False
            if seq:
                last = os.pread(fd, HASH_TAIL, self._offset - HASH_TAIL)
                if not last.endswith(b'"}\n') or hash_before(last, len(last)) != head.encode("ascii"):
                    return False
        except OSError:
            return False
        return True

    def _chained_tail(self, tail: bytes, seq: int, head: str) -> tuple[int, int, int, str]:
        """Check the complete lines of ``tail`` (after line ``seq``, whose hash
        is ``head``) continue the chain; returns the bytes they take, and the
        bytes, last seq and hash of its finished batches. A complete line that
        does not continue it is damage: :class:`IntegrityError`."""
        prev = head.encode("ascii")
        number = seq + 1
        position = finished = 0
        finished_seq, finished_hash = seq, head
        while (end := tail.find(b"\n", position)) >= 0:
            line = tail[position:end]
            if not frame_ok(line, prev, number):
                raise IntegrityError(
                    f"line {number}, after the last acknowledged one, is complete but does not continue the chain: "
                    "the log was damaged after its head record; nothing was moved",
                    line=number,
                    path=str(self.path),
                )
            prev = hash_of(line)
            position = end + 1
            if not unfinished_batch(line):
                finished, finished_seq, finished_hash = position, number, prev.decode("ascii")
            number += 1
        return position, finished, finished_seq, finished_hash

    def _quarantine(self, fd: int, tail: bytes, keep: int) -> Path:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.quarantine-{stamp}")
        try:
            q = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                os.write(q, tail)
                os.fsync(q)
            finally:
                os.close(q)
        except OSError as exc:
            if not isinstance(exc, FileExistsError):
                # The tail is still in the log: only our incomplete copy goes.
                with suppress(OSError):
                    target.unlink()
            raise StorageError(
                f"{show_path(self.path)}: cannot move a torn tail of {len(tail)} bytes into the quarantine file {target.name}: "
                f"{exc.strerror or exc}; the log was left as it is"
            ) from None
        fsync_dir(self.path.parent)
        try:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        except OSError as exc:
            raise StorageError(
                f"{show_path(self.path)}: copied a torn tail to the quarantine file {target.name} but cannot cut it from the log: "
                f"{exc.strerror or exc}"
            ) from None
        return target

    def _set_head(self, head: Head, *, durable: bool = True) -> None:
        """Under the lock: write ``head`` (see :meth:`HeadFile.write`)."""
        self.head_file.write(head, durable=durable)
        self._head = head

    def write(self, data: bytes) -> None:
        """Append ``data`` (whole lines) with one write and fsync, then write
        the head record. On a failure before the head record the file
        is cut back to where it was and StorageError raised."""
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
            raise StorageError(f"{show_path(self.path)}: the append failed and was rolled back: {exc.strerror or exc}") from None
        last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 : -1]
        seq = (self._head.seq if self._head is not None else 0) + data.count(b"\n")
        self._offset = start + len(data)
        # The lines are on disk: the head record that covers them needs no
        # fsync of its own (it may lag the log after a crash, never lead it;
        # see unledger.log.headfile).
        self._set_head(Head(seq, self._offset, hash_of(last).decode("ascii")), durable=False)


class _Hold:
    """The ``with`` block of :meth:`FileLog.locked` (a class, not a
    generator: it is entered on every append)."""

    __slots__ = ("log",)

    def __init__(self, log: FileLog) -> None:
        self.log = log

    def __enter__(self) -> None:
        self.log._acquire()

    def __exit__(self, *exc: object) -> None:
        self.log._release()
