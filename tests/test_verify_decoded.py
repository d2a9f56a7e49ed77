"""verify() on an open ledger does not decode again the lines the ledger
decoded itself, and must still refuse everything a decode from scratch
refuses: lines rewritten behind it (hash-valid, re-chained), a log cut
shorter and rewritten, lines it appended itself, lines another process
appended. Each case compares with verify() of a fresh ledger, which decodes
every line."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from helpers_reliability import batch_events, write_head_record

from unledger import IntegrityError, Ledger, Renaming
from unledger.log import FileLog, verify

_HOSTILE = b'"recorded":"2026-01-01T00:00:00.000000Z","kind":"admission","id":"h","date":"1999","org":"UN","member":"A\\u0001"'


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def forged(prev: bytes, seq: int, body: bytes) -> bytes:
    start = b'{"prev":"%s","seq":%d,' % (prev, seq)
    digest = hashlib.sha256(start + body + b"}").hexdigest().encode()
    return start + body + b',"hash":"' + digest + b'"}\n'


def rechain(lines: list[bytes], at: int, body: bytes) -> bytes:
    """The log of ``lines`` with line ``at`` (1-based) replaced by a
    hash-valid line around ``body`` and every later line re-chained: a
    rewrite that only decoding can refuse."""
    out = [line + b"\n" for line in lines[: at - 1]]
    prev = lines[at - 2][-66:-2] if at > 1 else b"0" * 64
    for seq in range(at, len(lines) + 1):
        original = lines[seq - 1]
        inner = body if seq == at else original[original.index(b",", original.index(b'"seq":')) + 1 : -75]
        line = forged(prev, seq, inner)
        out.append(line)
        prev = line[-67:-3]
    return b"".join(out)


def _written(path: Path) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    ledger.append(batch_events("b", 0, 4))
    return ledger


def _reader_of(path: Path) -> Ledger:
    _written(path).close()
    reader = Ledger.open(path, readonly=True)
    assert reader._decoded == len(reader) == 5
    return reader


def _refused_like_from_scratch(reader: Ledger, path: Path) -> None:
    with pytest.raises(IntegrityError) as fresh:  # every line decoded, as the CLI's verify does
        verify.verify_storage(FileLog(path, readonly=True))
    with pytest.raises(IntegrityError) as caught:
        reader.verify()
    assert (caught.value.line, caught.value.reason) == (fresh.value.line, fresh.value.reason)


@pytest.mark.parametrize("at", [1, 3, 5])
def test_lines_rewritten_behind_an_open_ledger_are_decoded_and_refused(tmp_path, at):
    path = tmp_path / "log.jsonl"
    reader = _reader_of(path)
    data = rechain(path.read_bytes().split(b"\n")[:-1], at, _HOSTILE)
    path.write_bytes(data)
    write_head_record(path, data)
    _refused_like_from_scratch(reader, path)


def test_a_log_cut_shorter_and_rewritten_is_decoded_and_refused(tmp_path):
    path = tmp_path / "log.jsonl"
    reader = _reader_of(path)
    data = rechain(path.read_bytes().split(b"\n")[:3], 2, _HOSTILE)
    path.write_bytes(data)
    write_head_record(path, data)
    _refused_like_from_scratch(reader, path)


def test_lines_a_ledger_appended_itself_are_decoded_by_its_verify(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    ledger.append(batch_events("b", 0, 1))
    assert ledger._decoded == 0  # nothing was read from the file: every line is decoded
    data = rechain(path.read_bytes().split(b"\n")[:-1], 2, _HOSTILE)
    path.write_bytes(data)
    write_head_record(path, data)
    _refused_like_from_scratch(ledger, path)


_BACK_IN_TIME = b'"recorded":"2000-01-01T00:00:00.000000Z","kind":"admission","id":"t","date":"1999","org":"UN","member":"ARM"'


@pytest.mark.parametrize("body", [_HOSTILE, _BACK_IN_TIME], ids=["hostile", "recorded before the line before"])
def test_lines_another_process_appends_are_decoded_by_verify(tmp_path, body):
    path = tmp_path / "log.jsonl"
    reader = _reader_of(path)
    lines = path.read_bytes().split(b"\n")[:-1]
    data = path.read_bytes() + forged(lines[-1][-66:-2], len(lines) + 1, body)
    path.write_bytes(data)
    write_head_record(path, data)
    _refused_like_from_scratch(reader, path)


def test_a_clean_log_verifies_with_and_without_what_was_decoded(tmp_path):
    path = tmp_path / "log.jsonl"
    reader = _reader_of(path)
    writer = Ledger.open(path)
    writer.append(batch_events("c", 0, 2))
    assert reader.verify() == writer.verify() == Ledger.open(path).verify() == writer.head
    reader.refresh()
    assert reader._decoded == len(reader) == 7 and reader.verify() == writer.head


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_stretches_of_a_forked_verify_agree(tmp_path, workers):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    for i in range(6):
        ledger.append(batch_events(f"w{i}", 0, 5))
    data = path.read_bytes()
    n = data.count(b"\n")
    head = ledger.head
    for known in (1, 7, n):
        decoded = (known, Ledger.open(path).records[known - 1].hash)
        assert verify.verify_bytes(data, workers=workers, decoded=decoded) == (head, n)
    bad = rechain(data.split(b"\n")[:-1], 12, _HOSTILE)
    with pytest.raises(IntegrityError) as fresh:
        verify.verify_bytes(bad, workers=workers)
    for known in (1, 11, 12, n):
        decoded = (known, Ledger.open(path).records[known - 1].hash)
        with pytest.raises(IntegrityError) as caught:
            verify.verify_bytes(bad, workers=workers, decoded=decoded)
        assert (caught.value.line, caught.value.reason) == (fresh.value.line, fresh.value.reason) == (12, fresh.value.reason)
