"""Verification: the whole log held to the standard every read is held to.

:func:`verify_bytes` checks every line's place in the chain, its hash, its
JSON and its event, as opening the log does (:func:`unledger.log.fast.decode_lines`),
so that "verify passes" means "open works". Hashing and parsing are the
whole cost and a single core caps them: on Linux a large log is cut into
stretches checked by forked processes (see :func:`verify_bytes`).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Final, NoReturn

from ..dates import next_timestamp
from ..errors import IntegrityError, UnledgerError
from .fast import decode_lines
from .head import check_head
from .line import GENESIS_BYTES, hash_before, hash_of, prev_of, scan_frames
from .storage import Storage

__all__ = ["verify_lines", "verify_chain", "verify_bytes", "verify_frames", "verify_storage", "check_held_back", "PARALLEL_MIN_BYTES"]


#: Lines already decoded: ``(n, hash)``, the first ``n`` lines of a log as
#: this process read and decoded them, the last with hash ``hash``.
Decoded = tuple[int, str]


def verify_storage(log: Storage, *, workers: int | None = None, decoded: Decoded | None = None) -> tuple[str, int, int]:
    """Check a whole stored log as every read checks it, against its head
    record, with its complete lines held back and its last time; returns
    the head hash, the number of lines and the bytes they take. Raises
    :class:`~unledger.errors.IntegrityError` naming the first bad line, or
    :class:`~unledger.errors.ClockError` when the last line was recorded in
    this machine's future (beyond the tolerance). ``decoded``: see
    :func:`verify_bytes`."""
    path = str(log.path) if log.path is not None else None
    acknowledged, data, pending = log.acknowledged_bytes()
    head, count = verify_bytes(data, path=path, workers=workers, decoded=decoded)
    check_head(acknowledged, count, head, path)
    check_held_back(pending, count, head, path)
    if count:
        last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 : -1]
        next_timestamp(decode_lines([last], count, prev_of(last).decode("ascii"))[0].recorded)
    return head, count, len(data)


def check_held_back(lines: list[bytes], seq: int, head: str, path: str | None) -> None:
    """Complete lines of a batch that never finishes, at the end of a log
    without head record: damage named by line when they do not continue the
    chain; otherwise still refused, as nothing tells a write cut short from
    removed lines (a writer of this version writes a head record before its
    first append). ``Ledger.repair()`` moves them aside, explicitly."""
    if lines:
        decode_lines(lines, seq + 1, head, path=path)
        raise IntegrityError(
            f"begins a batch whose last line is missing ({len(lines)} complete lines, then none that finishes it), and the "
            "log has no head record to tell a write cut short from removed lines; 'unledger repair' moves them aside",
            line=seq + 1,
            path=path,
        )


def verify_lines(lines: list[bytes], *, path: str | None = None) -> str:
    """Check the whole log of ``lines``; return the head hash or raise
    :class:`IntegrityError` naming the first bad line (1-based)."""
    return verify_chain(lines, path=path)


#: The bad line a stretch reports when its lines differ from those decoded (see :func:`_scan`).
_STALE: Final = -2


def _scan(
    lines: list[bytes], prev: bytes, number: int, content: bool = True, decoded: Decoded | None = None
) -> tuple[bytes, int | None]:
    """Check ``lines``, which follow a line whose hash is ``prev`` and start
    at line ``number``: first each line's frame and hash (one hash and two
    byte comparisons per line), then their content, decoded as opening the
    log decodes it. Returns the last hash and the number of the first bad
    line (``None`` when all are good). The content of lines before
    ``decoded[0]`` is not decoded again when line ``decoded[0]`` has the
    hash ``decoded[1]``; when it has another, the result is ``_STALE``."""
    first = number
    known = 0 if decoded is None or not content else decoded[0] - first + 1
    if known > 0:  # frame and hash only, as far as the lines decoded before
        last, bad = _scan(lines[:known], prev, first, False)
        if bad is not None:
            return last, bad
        if known > len(lines):
            return last, None
        if last != decoded[1].encode("ascii"):  # type: ignore[index]
            return last, _STALE
        # Decoded on from the last line decoded before, so that the line
        # after it is checked against it (its time never goes back).
        prev = prev_of(lines[known - 1])  # the frame check matched it with the line before
        lines, first = lines[known - 1 :], first + known - 1
    start = prev
    if not content:
        return scan_frames(lines, prev, first)
    if not lines:
        return prev, None
    try:
        records = decode_lines(lines, first, start.decode("ascii", "replace"))  # frame, chain and hash first, per line
    except IntegrityError as exc:
        bad = exc.line if exc.line is not None else first
        return (hash_of(lines[bad - first - 1]) if bad > first else start), bad
    except UnledgerError:
        return start, first
    return (records[-1].hash.encode("ascii") if records else start), None


def _raise_at(lines: list[bytes], first: int, bad: int, prev: bytes, path: str | None) -> NoReturn:
    """Raise the error opening the log would raise at line ``bad``."""
    decode_lines(lines[bad - first : bad - first + 1], bad, prev.decode("ascii", "replace"), path=path)
    raise IntegrityError("is not a valid ledger line", line=bad, path=path)


def verify_chain(lines: list[bytes], *, path: str | None = None) -> str:
    """Check the whole log of ``lines`` in this process. Returns the head
    hash; raises the :class:`IntegrityError` opening the log would raise."""
    prev, bad = _scan(lines, GENESIS_BYTES, 1)
    if bad is not None:
        _raise_at(lines, 1, bad, prev, path)
    return prev.decode("ascii", "replace")


#: Below this size one process verifies: a fork costs more than it saves.
PARALLEL_MIN_BYTES: Final = 16 * 2**20


def verify_frames(data: bytes, *, workers: int | None = None) -> tuple[str, int]:
    """:func:`verify_bytes` of the chain alone: each line's frame, place and
    hash, no JSON parsing. For bytes whose content was checked before and
    that a hash binds (the snapshot cache)."""
    return verify_bytes(data, workers=workers, content=False)


def verify_bytes(
    data: bytes, *, path: str | None = None, workers: int | None = None, content: bool = True, decoded: Decoded | None = None
) -> tuple[str, int]:
    """Check the chain of ``data``: a log's bytes, whole lines each ending in
    a newline. Returns the head hash and the number of lines, or raises the
    :class:`IntegrityError` :func:`verify_chain` would.

    On Linux, a large log is cut into ``workers`` stretches of lines (by
    default one per CPU this process may use and the load average leaves
    idle, plus this one, at most 4), each checked by a
    forked process while this one checks the first: hashing is the whole
    cost and a single core caps it. Each stretch starts from the hash the
    line before it records, which the stretch before checks, so the chain
    is checked link by link as in one pass. A child that fails for any
    reason has its stretch checked here instead. Forking is skipped, and
    everything checked here, when the process runs other threads (a fork
    copies only the calling thread, so a lock another thread holds would
    stay held in the child), when ``fork`` is missing, or for small logs.

    ``decoded`` (``(n, hash)``): this process has read the first ``n``
    lines of this log and decoded them as opening it does, the last with
    hash ``hash``. When line ``n`` here has that hash, the chain makes
    lines 1 to ``n`` byte for byte those lines (SHA-256), so their frames,
    places and hashes are checked but their content is not decoded again;
    otherwise, or on any bad line, everything is checked from scratch.
    """
    count = workers if workers is not None else _default_workers(len(data))
    bounds = _stretches(data, max(1, count))
    firsts = [1]
    for at in bounds[1:-1]:
        firsts.append(firsts[-1] + data.count(b"\n", bounds[len(firsts) - 1], at))
    children: list[tuple[int, int] | None] = [None]
    for i in range(1, len(bounds) - 1):
        children.append(_fork_scan(data, bounds[i], bounds[i + 1], firsts[i], content, decoded))
    results: list[tuple[bytes, int | None, int]] = []
    for i in range(len(bounds) - 1):
        start, end = bounds[i], bounds[i + 1]
        prev = GENESIS_BYTES if i == 0 else hash_before(data, start)
        child = children[i]
        outcome = _collect(child) if child is not None else None
        if outcome is None:  # this process's own stretch, or a child that failed
            lines = _lines(data, start, end)
            last, bad = _scan(lines, prev, firsts[i], content, decoded)
            outcome = (last, bad, len(lines))
        results.append(outcome)
    total = sum(n for _l, _b, n in results)
    if decoded is not None and (total < decoded[0] or any(bad is not None for _l, bad, _n in results)):
        return verify_bytes(data, path=path, workers=workers, content=content)  # named exactly as from scratch
    for i, (before, bad, _n) in enumerate(results):
        if bad is not None:  # the first stretch with a bad line names it; ``before`` is the hash it should follow
            _raise_at(_lines(data, bounds[i], bounds[i + 1]), firsts[i], bad, before, path)
    head = results[-1][0] if results else GENESIS_BYTES
    return head.decode("ascii"), total


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
        idle = cpus - os.getloadavg()[0]  # the load counts this process
    except OSError:
        return 1
    # A fork pays for itself only on a CPU nothing else wants.
    return max(1, min(cpus, 4, 1 + int(idle))) if threads == 1 else 1


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


def _fork_scan(
    data: bytes, start: int, end: int, first: int, content: bool, decoded: Decoded | None
) -> tuple[int, int] | None:
    """Fork a child that checks one stretch and writes ``last hash, bad line``
    to a pipe; ``(pid, read end)``, or ``None`` if it could not fork."""
    prev = hash_before(data, start)
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
            last, bad = _scan(lines, prev, first, content, decoded)
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
        return last, (None if bad == b"-1" else int(bad)), int(count)  # _STALE comes as itself
    except ValueError:
        return None


