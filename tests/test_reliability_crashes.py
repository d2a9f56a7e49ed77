"""Crashes (issue 8, point 2): writers killed with SIGKILL at random moments.

Each writer is a forked process that reports every append that returned
through a pipe; after each kill the log is opened and checked by
:class:`helpers_reliability.LogWatch`: no acknowledged event lost or moved,
every event once, seqs 1..N, no half batch, the chain verifies, and every
byte that left the log is in a quarantine file. A share of the writers tear
their own write part-way and kill themselves, which is what a crash inside
``write`` leaves behind: Linux completes part of a large write() when
SIGKILL arrives (scripts/crash_soak.py measures it on the machine it runs on).
"""

from __future__ import annotations

import logging
import os
import random
import signal

import pytest
from helpers_reliability import LogWatch, Transcript, batch_events, crash_round, fork_child, writer

from unledger import Ledger


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def test_200_kills_lose_no_acknowledged_event(tmp_path):
    stats = crash_round(tmp_path, 240, seed=20261124, logs=12, max_delay=0.012)
    assert stats["kills"] == 240
    # The run hit what it claims to test, by construction (see crash_round):
    # a torn write every fourth round, moved aside by the next writer.
    assert stats["torn_writes"] >= 60
    assert stats["writer_quarantines"] >= 60
    assert stats["tails_quarantined"] >= 60
    assert stats["acked_batches"] >= 60
    assert stats["killed_mid_append"] >= 1


@pytest.mark.slow
def test_1000_kills_lose_no_acknowledged_event(tmp_path):
    stats = crash_round(tmp_path, 1200, seed=1, logs=40, max_delay=0.03)
    assert stats["kills"] == 1200 and stats["torn_writes"] >= 300 and stats["writer_quarantines"] >= 300


def test_kill_while_holding_the_lock_frees_it(tmp_path):
    """The flock dies with its process: a writer killed mid-append never
    blocks the next one (no stale lock file to clean up)."""
    path = tmp_path / "log.jsonl"
    rng = random.Random(5)
    watch = LogWatch(path)
    for i in range(10):
        child = fork_child(writer(path, f"h{i}", seed=rng.randrange(1000), max_batch=30))
        child.wait_for(b"ack")
        child.kill()
        watch.acked.update(Transcript.parse(child.lines()).acked)
        ledger = Ledger.open(path, lock_timeout=5)
        record = ledger.append(batch_events(f"n{i}", 0, 1)[0])
        watch.acked[f"n{i}-0"] = (record.seq, 1)
        watch.look()


def test_torn_batch_is_never_seen_and_is_quarantined_whole(tmp_path):
    """A write cut after some complete lines of a batch: readers see none of
    the batch, the next append moves all its bytes aside and goes on."""
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("a", 0, 3))
    clean = path.read_bytes()

    def body(report):
        from unledger.log import FileLog

        def cut_after_two_lines(self, data):
            fd = self._require_lock()
            second = data.index(b"\n", data.index(b"\n") + 1) + 1
            os.write(fd, data[: second + 10])
            os.kill(os.getpid(), signal.SIGKILL)

        FileLog.write = cut_after_two_lines
        Ledger.open(path).append(batch_events("b", 0, 5))

    child = fork_child(body)
    child.reap()
    torn = path.read_bytes()
    assert torn.startswith(clean) and torn.count(b"\n") == clean.count(b"\n") + 2
    reader = Ledger.open(path)
    assert [r.id for r in reader.records] == [r.id for r in ledger.records]
    assert reader.verify() == ledger.head
    ledger.refresh()
    record = ledger.append(batch_events("c", 0, 1)[0])
    assert record.seq == 4
    assert ledger.quarantined and ledger.quarantined[-1].read_bytes() == torn[len(clean) :]
    assert Ledger.open(path).verify() == ledger.head
