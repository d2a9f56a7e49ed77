"""Resource faults (issue 8, point 5): a write that fails part-way, a full
disk, a read-only log, a path that is a directory or has no parent, and a
lock held too long by another process.

Faults are injected three ways: by standing in for ``os`` inside
``unledger.log`` (exact control of where a write stops), by a real file-size
limit (``RLIMIT_FSIZE``: the kernel writes up to the limit, then refuses), and,
where this process may mount one, by a real tiny tmpfs that fills up. The
tests run as root in CI containers, where file modes do not stop writes, so
permission tests drop to ``nobody`` in a forked child.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import resource
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from helpers_reliability import FaultyOS, batch_events, fork_child, quarantine_files, tmpfs

import unledger.log
import unledger.log.filelog
from unledger import Ledger, LockTimeout, ReadOnlyLedger, StorageError, UnledgerError

NOBODY = 65534


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("ok", 0, 2))
    return ledger, path


# -- a write that fails half way ------------------------------------------------------


def _short(fd, data):
    return os.write(fd, data[: len(data) // 2])


def _half_then_enospc(fd, data):
    os.write(fd, data[: len(data) // 2])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _enospc(fd, data):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _efbig_after_one_line(fd, data):
    os.write(fd, data[: data.index(b"\n") + 1])
    raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))


@pytest.mark.parametrize(
    "fault, says",
    [
        ({"write": _short}, "bytes could be written"),
        ({"write": _half_then_enospc}, "No space left"),
        ({"write": _enospc}, "No space left"),
        ({"write": _efbig_after_one_line}, "too large"),
        ({"fsync": lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, os.strerror(errno.EIO)))}, "Input/output error"),
    ],
    ids=["short-write", "half-then-ENOSPC", "ENOSPC", "one-line-then-EFBIG", "fsync-EIO"],
)
def test_failed_write_leaves_no_partial_line_and_the_next_append_works(two, monkeypatch, fault, says):
    ledger, path = two
    before, records = path.read_bytes(), ledger.records
    monkeypatch.setattr(unledger.log.filelog, "os", FaultyOS(**fault))
    with pytest.raises(StorageError) as caught:
        ledger.append(batch_events("fail", 0, 4))
    message = str(caught.value)
    assert str(path) in message and "rolled back" in message and says in message, message
    monkeypatch.undo()
    assert path.read_bytes() == before, "a partial line was left behind"
    assert ledger.records == records and Ledger.open(path).records == records
    done = ledger.append(batch_events("fail", 0, 4))  # once there is room, the same batch goes in
    assert [r.seq for r in done] == [3, 4, 5, 6]
    assert Ledger.open(path).verify() == ledger.head
    assert quarantine_files(path) == {}


def test_failed_rollback_leaves_a_tail_that_readers_ignore_and_writers_quarantine(two, monkeypatch):
    """If even the truncate fails (the disk is gone), the half batch stays:
    no reader sees it, and the next append moves it aside."""
    ledger, path = two
    before, records = path.read_bytes(), ledger.records

    def refuse(fd, size):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(unledger.log.filelog, "os", FaultyOS(write=_efbig_after_one_line, ftruncate=refuse))
    with pytest.raises(StorageError):
        ledger.append(batch_events("fail", 0, 3))
    monkeypatch.undo()
    left = path.read_bytes()
    assert left.startswith(before) and left.count(b"\n") == before.count(b"\n") + 1  # one complete line of the batch
    assert Ledger.open(path).records == records  # ... which nobody reads: the batch never finished
    assert Ledger.open(path).verify() == ledger.head
    ledger.append(batch_events("next", 0, 1)[0])
    assert list(quarantine_files(path).values()) == [left[len(before) :]]
    assert [r.id for r in Ledger.open(path).records][-1] == "next-0-1-0"


def test_real_file_size_limit(tmp_path):
    """RLIMIT_FSIZE: the kernel writes up to the limit and refuses the rest,
    a real short write. Runs in a child so the limit dies with it."""
    path = tmp_path / "log.jsonl"
    Ledger.open(path).append(batch_events("ok", 0, 2))
    before = path.read_bytes()

    def body(report):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        ledger = Ledger.open(path)
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 300, hard))
        try:
            ledger.append(batch_events("big", 0, 6))
            report("accepted")
        except StorageError as exc:
            report("refused " + str(exc))
        report(f"size {path.stat().st_size}")
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        report(f"then {len(ledger.append(batch_events('big', 0, 6)))}")

    child = fork_child(body)
    assert child.reap() == 0
    lines = child.lines()
    assert lines[0].startswith("refused ") and "rolled back" in lines[0], lines
    assert lines[1] == f"size {len(before)}", lines  # nothing of the batch stayed
    assert lines[2] == "then 6", lines
    ledger = Ledger.open(path)
    assert len(ledger) == 8 and ledger.verify() == ledger.head


def test_full_filesystem(tmp_path):
    """A real 64 KiB tmpfs, filled up: ENOSPC, nothing left behind, and the
    same batch goes in once there is room."""
    with tmpfs(tmp_path / "small", "64k") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (needs root); test_real_file_size_limit covers short writes")
        path = tmp_path / "small" / "log.jsonl"
        ledger = Ledger.open(path)
        ledger.append(batch_events("ok", 0, 2))
        filler = tmp_path / "small" / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096) == 4096:
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        before = path.read_bytes()
        batch = batch_events("big", 0, 40)  # well over a page: needs new blocks
        with pytest.raises(StorageError) as caught:
            ledger.append(batch)
        assert "No space left" in str(caught.value) or "bytes could be written" in str(caught.value)
        assert path.read_bytes() == before
        filler.unlink()
        assert len(ledger.append(batch)) == 40
        assert Ledger.open(path).verify() == ledger.head


# -- read-only logs -------------------------------------------------------------------


def test_readonly_ledger_refuses_appends_and_repairs(two):
    ledger, path = two
    before = path.read_bytes()
    reader = Ledger.open(path, readonly=True)
    with pytest.raises(ReadOnlyLedger):
        reader.append(batch_events("x", 0, 1)[0])
    with pytest.raises(ReadOnlyLedger):
        reader.repair()
    assert path.read_bytes() == before and reader.verify() == ledger.head
    with pytest.raises(StorageError, match="no such log file"):
        Ledger.open(path.parent / "missing.jsonl", readonly=True)
    assert not (path.parent / "missing.jsonl").exists()


@pytest.fixture
def shared_dir():
    """A directory that an unprivileged child can enter (pytest's tmp_path
    lives under a root-only directory)."""
    d = Path(tempfile.mkdtemp(prefix="unledger-perm-"))
    d.chmod(0o755)
    yield d
    d.chmod(0o755)
    shutil.rmtree(d)


def _unprivileged(body):
    """Run ``body(report)`` as an ordinary user: drop to nobody if root."""

    def wrapped(report):
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        body(report)

    child = fork_child(wrapped)
    status = child.reap()
    lines = child.lines()
    assert status == 0, lines
    return lines


def _try(report, what, fn):
    try:
        fn()
        report(f"{what} ok")
    except UnledgerError as exc:
        report(f"{what} {type(exc).__name__}: {exc}")
    except OSError as exc:  # an untyped error is a bug: report it as such
        report(f"{what} untyped {type(exc).__name__}: {exc}")


def test_read_only_file(shared_dir):
    path = shared_dir / "log.jsonl"
    Ledger.open(path).append(batch_events("ok", 0, 2))
    path.chmod(0o444)
    before = path.read_bytes()

    def body(report):
        ledger = Ledger.open(path)
        report(f"read {len(ledger)}")
        _try(report, "append", lambda: ledger.append(batch_events("x", 0, 1)[0]))

    lines = _unprivileged(body)
    assert lines[0] == "read 2"
    assert lines[1].startswith("append StorageError:") and "cannot open the log for writing" in lines[1] and "Permission denied" in lines[1], lines
    assert path.read_bytes() == before


def test_torn_tail_in_a_read_only_directory(shared_dir):
    """The quarantine file cannot be created: a typed error, and the torn
    tail stays in place (it is never dropped without a copy)."""
    path = shared_dir / "log.jsonl"
    Ledger.open(path).append(batch_events("ok", 0, 2))
    with open(path, "ab") as f:
        f.write(b'{"prev":"torn')
    path.chmod(0o666)
    shared_dir.chmod(0o555)
    before = path.read_bytes()

    def body(report):
        ledger = Ledger.open(path)
        _try(report, "append", lambda: ledger.append(batch_events("x", 0, 1)[0]))
        _try(report, "repair", ledger.repair)

    lines = _unprivileged(body)
    for line in lines:
        assert " StorageError: " in line and "quarantine" in line, lines
    assert path.read_bytes() == before


def test_cannot_create_a_log_in_a_read_only_directory(shared_dir):
    shared_dir.chmod(0o555)

    def body(report):
        _try(report, "open", lambda: Ledger.open(shared_dir / "new.jsonl"))

    lines = _unprivileged(body)
    assert lines[0].startswith("open StorageError:") and "cannot create the log" in lines[0], lines


def test_read_only_mount(tmp_path):
    """A read-only filesystem stops even root."""
    import subprocess

    with tmpfs(tmp_path / "ro", "1m") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (needs root); test_read_only_file covers read-only logs")
        path = tmp_path / "ro" / "log.jsonl"
        Ledger.open(path).append(batch_events("ok", 0, 2))
        before = path.read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(tmp_path / "ro")], check=True)
        ledger = Ledger.open(path)
        assert len(ledger) == 2 and ledger.verify() == ledger.head
        with pytest.raises(StorageError) as caught:
            ledger.append(batch_events("x", 0, 1)[0])
        assert "Read-only file system" in str(caught.value)
        assert path.read_bytes() == before


# -- paths that are not log files ----------------------------------------------------


def test_log_path_that_is_a_directory(tmp_path):
    (tmp_path / "adir").mkdir()
    with pytest.raises(StorageError) as caught:
        Ledger.open(tmp_path / "adir")
    assert "is a directory" in str(caught.value) and "adir" in str(caught.value)


def test_missing_parent_directory(tmp_path):
    with pytest.raises(StorageError) as caught:
        Ledger.open(tmp_path / "nowhere" / "log.jsonl")
    assert "does not exist" in str(caught.value) and "nowhere" in str(caught.value)
    assert not (tmp_path / "nowhere").exists()


def test_parent_that_is_a_file(tmp_path):
    (tmp_path / "afile").write_bytes(b"x")
    with pytest.raises(StorageError):
        Ledger.open(tmp_path / "afile" / "log.jsonl")
    assert (tmp_path / "afile").read_bytes() == b"x"


# -- a lock held too long -----------------------------------------------------------------


def _hold_lock(path):
    def body(report):
        fd = os.open(path, os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        report("locked")
        time.sleep(600)

    child = fork_child(body)
    child.wait_for(b"locked")
    return child


def test_lock_held_too_long_times_out_with_a_clear_error(two):
    ledger, path = two
    before = path.read_bytes()
    holder = _hold_lock(path)
    try:
        writer = Ledger.open(path, lock_timeout=0.3)
        with pytest.raises(LockTimeout) as caught:
            writer.append(batch_events("x", 0, 1)[0])
        message = str(caught.value)
        assert str(path) in message and "write lock" in message and "0.3 s" in message, message
        assert isinstance(caught.value, StorageError)
        with pytest.raises(LockTimeout):
            writer.repair()
        # Readers never take the lock: reading and verifying still work.
        reader = Ledger.open(path, lock_timeout=0.3)
        assert len(reader) == 2 and reader.verify() == ledger.head
        assert path.read_bytes() == before
    finally:
        holder.kill()
    assert writer.append(batch_events("x", 0, 1)[0]).seq == 3
