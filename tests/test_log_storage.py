"""The storage contract: FileLog and MemoryLog behind one protocol, checked
by one set of tests run against both."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_reliability import batch_events

from unledger import Ledger, StorageError
from unledger.log import GENESIS, FileLog, MemoryLog, Storage, encode_batch


@pytest.fixture(params=["file", "memory"])
def storage(request, tmp_path: Path) -> Storage:
    return FileLog(tmp_path / "log.jsonl") if request.param == "file" else MemoryLog()


def _lines(first_seq: int, prev: str, n: int) -> tuple[bytes, str]:
    encoded = encode_batch(first_seq, prev, "2026-01-01T00:00:00.000000Z", batch_events("s", first_seq, n))
    return b"".join(line for line, _ in encoded), encoded[-1][1]


def test_a_new_log_is_empty(storage: Storage) -> None:
    assert storage.read_new() == []
    head, data, pending = storage.acknowledged_bytes()
    assert data == b"" and pending == [] and storage.all_bytes() == b""
    assert head is None or head.seq == 0


def test_what_is_written_is_acknowledged_and_read_back_whole(storage: Storage) -> None:
    first, head1 = _lines(1, GENESIS, 3)
    second, head2 = _lines(4, head1, 1)
    with storage.locked():
        assert storage.settle_tail(0, GENESIS) == (False, None)
        storage.write(first)
    with storage.locked():
        storage.write(second)
    assert storage.all_bytes() == first + second
    acknowledged, data, pending = storage.acknowledged_bytes()
    assert data == first + second and pending == []
    assert acknowledged is None or (acknowledged.seq, acknowledged.hash) == (4, head2)


def test_a_ledger_over_either_storage_reads_back_what_it_appended(storage: Storage) -> None:
    ledger = Ledger(storage)
    records = ledger.append(batch_events("x", 0, 3))
    assert ledger.verify() == ledger.head == records[-1].hash
    assert list(ledger.records) == records


def test_skip_to_starts_reading_after_a_prefix(storage: Storage) -> None:
    first, head1 = _lines(1, GENESIS, 2)
    second, _ = _lines(3, head1, 1)
    with storage.locked():
        storage.write(first)
        storage.write(second)
    storage.skip_to(len(first), 2, head1)
    assert storage.read_new() == [second[:-1]]


def test_writing_without_the_lock_is_refused(tmp_path: Path) -> None:
    log = FileLog(tmp_path / "log.jsonl")
    with pytest.raises(StorageError):
        log.write(_lines(1, GENESIS, 1)[0])
