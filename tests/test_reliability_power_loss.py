"""Power loss: what reaches the disk is only what was fsynced, plus any part
of what was not. An append fsyncs its log lines, then writes the head
record without an fsync of its own (see docs/guarantees.md). Every syscall
of a few appends is traced; at every point of the trace, every plausible
disk (the log: what was fsynced plus a prefix of what was written after;
the head record: the last durable bytes plus any of the slot writes since,
each whole or torn) must give a head record that never claims a line the
log does not hold, a log that opens, and, after one more append, every
acknowledged event in place."""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path

import pytest
from helpers_reliability import batch_events

import unledger.ledger as ledger_module
from unledger import Ledger
from unledger.log.head import newest_slot
from unledger.log.line import hash_of


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def _trace_appends(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[bytes, bytes, list[tuple], list[int]]:
    """Append to a new log at ``path`` with the log's and the head record's
    writes and fsyncs traced. Returns the log's and head record's bytes
    before the trace (both fsynced), the trace, and the number of events
    acknowledged at each ``ack`` entry."""
    ledger = Ledger.open(path)
    ledger.append(batch_events("first", 0, 2))
    head_path = Path(str(path) + ".head")
    log0, head0 = path.read_bytes(), head_path.read_bytes()
    trace: list[tuple] = []

    def which(fd: int) -> str | None:
        ino = os.fstat(fd).st_ino
        return "log" if ino == os.stat(path).st_ino else "head" if ino == os.stat(head_path).st_ino else None

    real_write, real_pwrite, real_fsync, real_trunc = os.write, os.pwrite, os.fsync, os.ftruncate

    def write(fd: int, data: bytes) -> int:
        if which(fd) == "log":
            trace.append(("write", "log", os.fstat(fd).st_size, bytes(data)))
        return real_write(fd, data)

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        if (name := which(fd)) is not None:
            trace.append(("write", name, offset, bytes(data)))
        return real_pwrite(fd, data, offset)

    def fsync(fd: int) -> None:
        if (name := which(fd)) is not None:
            trace.append(("fsync", name))
        real_fsync(fd)

    def ftruncate(fd: int, size: int) -> None:
        assert which(fd) != "log", "no append here cuts the log"
        real_trunc(fd, size)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "pwrite", pwrite)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "ftruncate", ftruncate)
    lean = [0]
    real_lean = ledger_module.append_at_head

    def counted(*args: object, **kwargs: object) -> object:
        record = real_lean(*args, **kwargs)  # type: ignore[arg-type]
        lean[0] += record is not None
        return record

    monkeypatch.setattr(ledger_module, "append_at_head", counted)
    acks = []
    for i, size in enumerate([1, 1, 3, 1, 2]):
        events = batch_events(f"a{i}", 0, size)
        # One event alone takes the lean path (unledger.lean); a list, the general one.
        ledger.append(events[0] if size == 1 and i != 1 else events)
        trace.append(("ack",))
        acks.append(len(ledger))
    monkeypatch.undo()
    assert lean[0] == 2, "both paths are traced"
    return log0, head0, trace, acks


def _apply(raw: bytes, offset: int, data: bytes) -> bytes:
    raw = raw.ljust(offset, b"\0")
    return raw[:offset] + data + raw[offset + len(data) :]


def _disks(log0: bytes, head0: bytes, ops: list[tuple], rng: random.Random) -> list[tuple[bytes, bytes]]:
    """Plausible disks after a power loss right after ``ops``."""
    durable = {"log": log0, "head": head0}
    pending: dict[str, list[tuple[int, bytes]]] = {"log": [], "head": []}
    current = dict(durable)
    for op in ops:
        if op[0] == "write":
            _, name, offset, data = op
            pending[name].append((offset, data))
            current[name] = _apply(current[name], offset, data)
        elif op[0] == "fsync":
            durable[op[1]] = current[op[1]]
            pending[op[1]] = []
    logs = [durable["log"], current["log"]]
    for offset, data in pending["log"][:1]:  # a torn append: part of its bytes
        logs.append(_apply(durable["log"], offset, data[: len(data) // 2]))
    writes = pending["head"]
    choices = [writes[:k] for k in range(len(writes) + 1)]  # written back in order (one page)
    choices += [rng.sample(writes, rng.randint(0, len(writes))) for _ in range(4)]  # or any of them
    heads = []
    for chosen in choices:
        raw = durable["head"]
        for offset, data in chosen:
            raw = _apply(raw, offset, data)
        heads.append(raw)
        if chosen:  # the last of them torn
            offset, data = chosen[-1]
            heads.append(_apply(raw, offset + 40, b"\0" * 40))
    return [(log, head) for log in logs for head in heads]


def test_a_power_loss_anywhere_never_loses_an_acknowledged_event(tmp_path, monkeypatch):
    path = tmp_path / "log.jsonl"
    log0, head0, trace, acks = _trace_appends(monkeypatch, path)
    assert not any(op == ("fsync", "head") for op in trace), "an append fsyncs its log only"
    rng = random.Random(7)
    checked = 0
    ids = [r.id for r in Ledger.open(path).records]
    for cut in range(len(trace) + 1):
        ops = trace[:cut]
        returned = ops.count(("ack",))
        must_hold = acks[returned - 1] if returned else 2  # events of the appends that returned
        for n, (log, head) in enumerate(_disks(log0, head0, ops, rng)):
            target = tmp_path / f"crash-{cut}-{n}.jsonl"
            target.write_bytes(log)
            Path(str(target) + ".head").write_bytes(head)
            record, _ = newest_slot(head)
            assert record is not None
            covered = log[: record.size]
            assert record.size <= len(log) and covered.count(b"\n") == record.seq  # never ahead of the log
            assert record.seq == 0 or hash_of(covered[: -1].rsplit(b"\n", 1)[-1]).decode() == record.hash
            reader = Ledger.open(target, readonly=True)
            assert len(reader) == record.seq
            writer = Ledger.open(target)
            writer.append(batch_events("after", 0, 1))
            assert [r.id for r in writer.records[:must_hold]] == ids[:must_hold]
            assert writer.verify() == Ledger.open(target, readonly=True).head
            checked += 1
    assert checked > 100
