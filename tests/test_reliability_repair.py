"""Repair (issue 8, point 7): ``Ledger.repair()`` moves a torn tail into a
quarantine file beside the log and never deletes data. The command-line
``unledger repair`` and ``unledger verify`` are in test_reliability_cli.py.
"""

from __future__ import annotations

import logging

import pytest
from helpers_reliability import batch_events, quarantine_files

from unledger import IntegrityError, Ledger


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("a", 0, 1)[0])
    ledger.append(batch_events("a", 1, 3))
    return ledger, path


def _unfinished_batch(path) -> bytes:
    """Two complete lines of a three-line batch and half of the third."""
    scratch = path.with_name("scratch.jsonl")
    scratch.write_bytes(path.read_bytes())
    Ledger.open(scratch).append(batch_events("b", 0, 3))
    data = scratch.read_bytes()[len(path.read_bytes()) :]
    scratch.unlink()
    return data[: data.rindex(b"\n", 0, len(data) - 1) + 20]


@pytest.mark.parametrize(
    "tail",
    [b'{"prev":"12', b"x", b"\x00" * 4096, "half an événement".encode(), None],
    ids=["torn-line", "one-byte", "zeros", "utf8", "unfinished-batch"],
)
def test_repair_moves_the_tail_aside_byte_for_byte(log, tail):
    ledger, path = log
    clean = path.read_bytes()
    tail = _unfinished_batch(path) if tail is None else tail
    with open(path, "ab") as f:
        f.write(tail)
    moved = Ledger.open(path).repair()
    assert moved is not None and moved.parent == path.parent and moved.name.startswith("log.jsonl.quarantine-")
    assert moved.read_bytes() == tail  # nothing lost: log + quarantine = what was there
    assert path.read_bytes() == clean
    assert Ledger.open(path).verify() == ledger.head
    assert Ledger.open(path).repair() is None  # a second repair finds nothing
    assert list(quarantine_files(path)) == [moved]


def test_repair_of_a_clean_log_changes_nothing(log):
    ledger, path = log
    clean = path.read_bytes()
    assert ledger.repair() is None
    assert path.read_bytes() == clean and quarantine_files(path) == {}


def test_repeated_crashes_keep_every_tail(log):
    """Each repair makes a new quarantine file: an older one is never overwritten."""
    ledger, path = log
    tails = [b'{"prev":"first', b'{"prev":"second', b"third"]
    for n, tail in enumerate(tails):
        with open(path, "ab") as f:
            f.write(tail)
        assert ledger.repair() is not None
        ledger.append(batch_events("c", n, 1)[0])
    assert sorted(quarantine_files(path).values()) == sorted(tails)
    assert Ledger.open(path).verify() == ledger.head


def test_repair_does_not_touch_a_damaged_complete_line(log):
    """Repair is for torn tails only: an edited line is the verifier's
    business, and repair refuses rather than moving evidence away."""
    ledger, path = log
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01  # inside the last complete line's hash
    data += b"junk\n"
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        Ledger.open(path).repair()
    assert path.read_bytes() == bytes(data) and quarantine_files(path) == {}
