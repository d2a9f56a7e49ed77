"""Concurrent writers (issue 8, point 1) and readers that never lock.

Several forked processes append into one log at once: single events,
batches, and appends with ``expected_seq`` (half of the writers pass a stale
one on purpose, so that ConcurrencyError happens and is retried as an
optimistic client would). A reader process re-reads the log all along and
reports any view with half a batch or a seq gap.
"""

from __future__ import annotations

import logging

import pytest
from helpers_reliability import batch_events, check_concurrent_log, concurrent_run

from unledger import ConcurrencyError, Ledger


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def test_four_writers_hundreds_of_appends_each(tmp_path):
    path = tmp_path / "log.jsonl"
    result = concurrent_run(path, writers=4, appends=250, seed=8, readers=1)
    figures = check_concurrent_log(path, result)
    assert figures["events"] >= 4 * 250


@pytest.mark.slow
def test_eight_writers_thousands_of_events(tmp_path):
    path = tmp_path / "log.jsonl"
    result = concurrent_run(path, writers=8, appends=500, seed=9, readers=2, lock_timeout=900)
    assert check_concurrent_log(path, result)["events"] >= 8 * 500


def test_concurrency_error_leaves_the_log_untouched(tmp_path):
    path = tmp_path / "log.jsonl"
    alice, bob = Ledger.open(path), Ledger.open(path)
    alice.append(batch_events("a", 0, 2))
    seen = bob.seq
    alice.append(batch_events("a", 1, 1)[0])
    before = path.read_bytes()
    with pytest.raises(ConcurrencyError) as caught:
        bob.append(batch_events("b", 0, 3), expected_seq=seen)
    assert caught.value.expected == 0 and caught.value.actual == 3
    assert "seq 0" in str(caught.value) and "seq 3" in str(caught.value)
    assert path.read_bytes() == before
    assert bob.seq == 3  # the failed append still caught up with the log
    bob.append(batch_events("b", 0, 3), expected_seq=bob.seq)
    assert [r.id for r in Ledger.open(path).records][-3:] == [e.id for e in batch_events("b", 0, 3)]


def test_expected_seq_of_a_fresh_view_succeeds_and_is_checked_under_the_lock(tmp_path):
    """Two writers with the same expected_seq: exactly one wins."""
    path = tmp_path / "log.jsonl"
    one, two = Ledger.open(path), Ledger.open(path)
    one.append(batch_events("x", 0, 1)[0])
    two.refresh()
    expected = two.seq
    one.append(batch_events("x", 1, 1)[0], expected_seq=expected)
    with pytest.raises(ConcurrencyError):
        two.append(batch_events("y", 0, 1)[0], expected_seq=expected)
    assert len(Ledger.open(path)) == 2
