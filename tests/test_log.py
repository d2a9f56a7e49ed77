"""The log file (docs/concepts.md#integrity, #durability): what is written is read back, and any change is caught.

Checks that appended events read back identical and in order with seqs
1..N and an unbroken hash chain (also after reopening the file); that
``verify()`` catches any single-byte change of a written line, a deleted,
inserted or moved line, and names the first bad line; that readers ignore an
unfinished last line and that an append moves a torn tail into quarantine;
idempotent ids and ``expected_seq``.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import History, histories

from unledger import (
    Admission,
    ConcurrencyError,
    DuplicateEventId,
    Establishment,
    IntegrityError,
    InvalidEvent,
    Ledger,
    LockTimeout,
    StorageError,
)
from unledger.dates import format_timestamp, now_timestamp, parse_timestamp, utc_now
from unledger.events.base import new_ids
from unledger.log import GENESIS, check_line


def _append_in_batches(ledger: Ledger, events: tuple[Any, ...], cuts: list[int]) -> None:
    bounds = sorted({0, len(events), *(c % (len(events) + 1) for c in cuts)})
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        batch = list(events[lo:hi])
        if len(batch) == 1:
            ledger.append(batch[0])
        elif batch:
            ledger.append(batch)


@settings(max_examples=25)
@given(histories(max_events=30), st.lists(st.integers(0, 60), max_size=6))
def test_events_read_back_identical_in_order_with_dense_seqs(new_log_path: Any, history: History, cuts: list[int]) -> None:
    path = new_log_path()
    ledger = Ledger.open(path)
    _append_in_batches(ledger, history.events, cuts)
    for reader in (ledger, Ledger.open(path), Ledger.open(path, readonly=True)):
        records = reader.records
        assert [r.event for r in records] == list(history.events)
        assert [r.seq for r in records] == list(range(1, len(history.events) + 1))
        assert [r.prev for r in records] == [GENESIS] + [r.hash for r in records[:-1]]
        assert [r.recorded for r in records] == sorted(r.recorded for r in records)
        assert reader.verify() == reader.head == records[-1].hash
    # Each line's hash is sha256 of the line with its hash field taken out.
    lines = path.read_bytes().splitlines()
    for line, record in zip(lines, ledger.records, strict=True):
        assert orjson.loads(line)["hash"] == record.hash
        assert hashlib.sha256(line[: line.rindex(b',"hash":')] + b"}").hexdigest() == record.hash


def _small_log(path: Path, n: int = 6) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    ledger.append([Admission(org="UN", member=f"S{i}", date=f"{1946 + i}", id=f"a{i}") for i in range(n - 2)])
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="aze"))
    return ledger


@settings(max_examples=150)
@given(st.data())
def test_any_single_byte_change_is_caught_and_the_line_named(new_log_path: Any, data: st.DataObject) -> None:
    path = new_log_path()
    _small_log(path)
    original = path.read_bytes()
    # Any byte of any line, its newline included, except the very last newline
    # (without it the last line is an append in progress, which readers skip).
    position = data.draw(st.integers(0, len(original) - 2), label="position")
    new_byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]), label="byte")
    line_number = original[:position].count(b"\n") + 1
    path.write_bytes(original[:position] + bytes([new_byte]) + original[position + 1 :])
    with pytest.raises(IntegrityError) as info:
        Ledger.open(path, readonly=True).verify() if _opens(path) else _verify_raw(path)
    assert info.value.line == line_number
    assert f"line {line_number}" in str(info.value)


def _opens(path: Path) -> bool:
    try:
        Ledger.open(path, readonly=True)
    except Exception as exc:  # an edited line may not even parse: then opening says so
        assert isinstance(exc, IntegrityError), repr(exc)
        return False
    return True


def _verify_raw(path: Path) -> None:
    from unledger.log import verify_lines

    data = path.read_bytes()
    verify_lines(data[: data.rfind(b"\n")].split(b"\n"))


@pytest.mark.parametrize(
    "damage, first_bad",
    [
        (lambda lines: lines[:2] + lines[3:], 3),  # deleted
        (lambda lines: lines[:2] + [lines[4]] + lines[2:], 3),  # inserted (a copy)
        (lambda lines: lines[:2] + [lines[3], lines[2]] + lines[4:], 3),  # swapped
        (lambda lines: lines[1:], 1),  # first line deleted
        (lambda lines: lines[:-2] + lines[-1:], 5),  # next-to-last deleted
    ],
)
def test_deleted_inserted_and_moved_lines_are_named(log_path: Path, damage: Any, first_bad: int) -> None:
    _small_log(log_path)
    lines = log_path.read_bytes().splitlines(keepends=True)
    log_path.write_bytes(b"".join(damage(lines)))
    with pytest.raises(IntegrityError) as info:
        _verify_raw(log_path)
    assert info.value.line == first_bad


def test_removing_the_last_line_leaves_a_valid_shorter_log_with_another_head(log_path: Path) -> None:
    """Truncation at a line boundary is not detectable from the file alone:
    that is what the head record beside the log is for; a log copied without
    it has its integrity limited to the chain (see docs/guarantees.md)."""
    ledger = _small_log(log_path)
    head = ledger.head
    lines = log_path.read_bytes().splitlines(keepends=True)
    log_path.write_bytes(b"".join(lines[:-1]))
    log_path.with_name(log_path.name + ".head").unlink()
    assert Ledger.open(log_path).verify() != head


def test_readers_ignore_an_unfinished_last_line_and_appends_quarantine_it(log_path: Path) -> None:
    ledger = _small_log(log_path)
    before = log_path.read_bytes()
    torn = b'{"prev":"' + ledger.head.encode() + b'","seq":7,"recorded":"20'
    log_path.write_bytes(before + torn)
    reader = Ledger.open(log_path)
    assert len(reader) == len(ledger) and reader.verify() == ledger.head
    reader.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
    assert reader.quarantined and reader.quarantined[0].read_bytes() == torn
    assert log_path.read_bytes().startswith(before)
    assert Ledger.open(log_path).verify() == reader.head
    assert [r.id for r in Ledger.open(log_path).records][-2:] == ["aze", "arm"]


def test_an_identical_retry_is_a_no_op_and_other_content_is_refused(log_path: Path) -> None:
    ledger = _small_log(log_path)
    size = log_path.stat().st_size
    again = ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="aze"))
    assert again == ledger.record("aze")
    assert log_path.stat().st_size == size
    with pytest.raises(DuplicateEventId) as info:
        ledger.append(Admission(org="UN", member="AZE", date="1992-03-03", id="aze"))
    assert info.value.event == "aze" and info.value.field == "id"
    assert log_path.stat().st_size == size


def test_expected_seq_guards_against_a_moved_log(log_path: Path) -> None:
    ledger = _small_log(log_path)
    other = Ledger.open(log_path)
    seen = ledger.seq
    other.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
    before = log_path.read_bytes()
    with pytest.raises(ConcurrencyError) as info:
        ledger.append(Admission(org="UN", member="GEO", date="1992-07-31", id="geo"), expected_seq=seen)
    assert (info.value.expected, info.value.actual) == (seen, seen + 1)
    assert log_path.read_bytes() == before
    record = ledger.append(Admission(org="UN", member="GEO", date="1992-07-31", id="geo"), expected_seq=seen + 1)
    assert record.seq == seen + 2


def test_check_line_reasons() -> None:
    assert check_line(b"not json", GENESIS, 1) == "is not a ledger line"
    assert check_line(b"", GENESIS, 1) == "is not a ledger line"


# -- the descriptor kept open between appends (issue 7) -----------------------------


def test_appends_follow_the_path_when_the_log_file_is_replaced(log_path: Path) -> None:
    ledger = _small_log(log_path)
    with open(log_path, "rb") as old:  # the file the kept descriptor points at
        copy = log_path.with_name("copy.jsonl")
        copy.write_bytes(log_path.read_bytes())
        copy.replace(log_path)
        ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
        assert b'"id":"arm"' in log_path.read_bytes()
        assert b'"id":"arm"' not in old.read()
    assert Ledger.open(log_path).verify() == ledger.head


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_does_not_share_the_parents_write_lock(log_path: Path) -> None:
    # flock belongs to the open file description: a child using the parent's
    # kept descriptor would take the lock the parent holds, and both would write.
    ledger = Ledger.open(log_path, lock_timeout=0.3)
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    with ledger._log.locked():
        pid = os.fork()
        if pid == 0:  # the child: its append must wait for the parent's lock, then give up
            code = 3
            try:
                ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
                code = 1
            except LockTimeout:
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b'"id":"arm"' not in log_path.read_bytes()
    ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))  # the parent's lock was released
    assert Ledger.open(log_path).verify() == ledger.head


def test_closing_releases_the_descriptor_and_the_ledger_stays_usable(log_path: Path) -> None:
    with Ledger.open(log_path) as ledger:
        ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
        assert ledger._log._handle is not None
    assert ledger._log._handle is None
    ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
    assert [r.id for r in Ledger.open(log_path).records] == ["un", "arm"]
    ledger.close()


def test_fresh_ids_are_distinct_version_4_uuids_in_hex() -> None:
    ids = new_ids(2000)
    assert len(set(ids)) == 2000
    for text in ids:
        value = uuid.UUID(hex=text)
        assert (value.hex, value.version, value.variant) == (text, 4, uuid.RFC_4122)


def test_now_timestamp_is_the_formatted_clock() -> None:
    before = format_timestamp(utc_now())
    now = now_timestamp()
    after = format_timestamp(utc_now())
    assert before <= now <= after and len(now) == len(before)
    assert parse_timestamp(now) == now


@pytest.mark.parametrize("workers", [0, -1, "2", 1.5, True])
def test_verify_refuses_a_workers_value_that_is_not_a_whole_number(log_path: Path, workers: Any) -> None:
    ledger = _small_log(log_path)
    with pytest.raises(InvalidEvent) as info:
        ledger.verify(workers=workers)
    assert info.value.field == "workers"
    assert ledger.verify(workers=1) == ledger.verify() == ledger.head


def test_a_lock_the_system_refuses_is_a_storage_error_and_writes_nothing(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import fcntl

    ledger = _small_log(log_path)
    before = log_path.read_bytes()
    real = fcntl.flock

    def refuse(fd: int, op: int) -> None:
        if op & fcntl.LOCK_EX:
            raise OSError(errno.ENOLCK, "No locks available")
        real(fd, op)

    monkeypatch.setattr(fcntl, "flock", refuse)
    with pytest.raises(StorageError) as info:
        ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
    assert "cannot lock" in str(info.value) and str(log_path) in str(info.value)
    assert log_path.read_bytes() == before
    monkeypatch.setattr(fcntl, "flock", real)
    ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))
    assert Ledger.open(log_path).verify() == ledger.head


def test_generated_decoders_show_their_source_in_tracebacks() -> None:
    import linecache
    import traceback

    from unledger.events import kind_class
    from unledger.log.fast import builder_for

    build = builder_for(kind_class("admission"))
    assert build is not None
    try:
        build({"date": "1992", "org": "UN"})  # no member: a KeyError inside generated code
    except KeyError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
    else:
        raise AssertionError("a missing member was accepted")
    generated = [f for f in frames if f.filename.startswith("<unledger generated")]
    assert generated and "member" in (generated[-1].line or "")
    assert linecache.getline(generated[-1].filename, generated[-1].lineno).strip() == generated[-1].line
