"""Retries (issue 8, point 6): re-appending the same batch after the reply
was lost is a no-op that returns the original records (DESIGN §7).

"Lost reply" is simulated both in-process (the caller drops the result) and
for real: a writer process killed right after its write reached the disk
but before it could report back, so a second process does the retry.
"""

from __future__ import annotations

import logging
import os
import signal

import pytest
from helpers_reliability import batch_events, fork_child

from unledger import Correction, DuplicateEventId, Ledger, Renaming, Retraction
from unledger.log import FileLog


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("pre", 0, 2))
    return ledger, path


def test_retry_returns_the_original_records(log):
    ledger, path = log
    batch = batch_events("r", 0, 5)
    first = ledger.append(batch)
    after = path.read_bytes()
    again = ledger.append(batch)
    assert again == first  # same seq, recorded, hash, prev and event
    assert [(r.seq, r.hash, r.recorded) for r in again] == [(r.seq, r.hash, r.recorded) for r in first]
    assert path.read_bytes() == after


def test_retry_from_another_process_view_with_a_stale_expected_seq(log):
    """The retry comes from a process that restarted: it still passes the
    expected_seq it had before the lost reply. That is not a conflict."""
    ledger, path = log
    batch = batch_events("r", 0, 3)
    seen = ledger.seq
    first = ledger.append(batch, expected_seq=seen)
    ledger.append(batch_events("other", 0, 1)[0])  # the log moved on meanwhile
    after = path.read_bytes()
    again = Ledger.open(path).append(batch, expected_seq=seen)
    assert again == first and path.read_bytes() == after


def test_retry_of_a_single_event_returns_one_record(log):
    ledger, _ = log
    event = batch_events("one", 0, 1)[0]
    first = ledger.append(event)
    assert ledger.append(event) == first


def test_retry_of_corrections_and_retractions(log):
    ledger, path = log
    ledger.append(Renaming(entity="SWZ", name="Swaziland", date="1968", id="sw"))
    fix = Correction(target="sw", replacement=Renaming(entity="SWZ", name="Swaziland.", date="1968-09-06"), reason="day", id="fix")
    first = ledger.append(fix)
    assert ledger.append(fix) == first  # the replacement took the target's id when recorded
    gone = Retraction(target="pre-0-2-1", reason="dup", id="gone", date="2020")
    first = ledger.append(gone)
    after = path.read_bytes()
    assert ledger.append(gone) == first and path.read_bytes() == after


def test_retry_with_different_content_is_refused(log):
    ledger, path = log
    event = batch_events("r", 0, 1)[0]
    ledger.append(event)
    after = path.read_bytes()
    with pytest.raises(DuplicateEventId):
        ledger.append(Renaming(entity="OTHER", name="changed", date="2001", id=event.id))
    assert path.read_bytes() == after


def test_without_ids_a_retry_is_a_no_op_too(log):
    """An id left out is derived from the event's content, so a retry of
    the same event finds its original record."""
    ledger, _ = log
    event = Renaming(entity="SWZ", name="Eswatini", date="2018-04-19")
    a, b = ledger.append(event), ledger.append(event)
    assert a == b and len(ledger) == 3


def _die_around_write(path, batch, *, after: bool):
    """A writer that is killed just before or just after its write reaches
    the disk: either way the caller never hears back."""

    def body(report):
        original = FileLog.write

        def write(self, data):
            if after:
                original(self, data)
            os.kill(os.getpid(), signal.SIGKILL)

        FileLog.write = write
        Ledger.open(path).append(batch)
        report("acknowledged")  # never reached

    child = fork_child(body)
    child.reap()
    assert child.lines() == []


@pytest.mark.parametrize("written", [True, False], ids=["died-after-write", "died-before-write"])
def test_real_lost_reply_then_retry_from_another_process(log, written):
    ledger, path = log
    batch = batch_events("lost", 0, 4)
    _die_around_write(path, batch, after=written)
    retried = Ledger.open(path).append(batch)
    assert [r.seq for r in retried] == [3, 4, 5, 6]
    final = Ledger.open(path)
    assert [r.id for r in final.records].count("lost-0-4-0") == 1 and len(final) == 6
    assert final.records[2:] == tuple(retried) and final.verify() == final.head
