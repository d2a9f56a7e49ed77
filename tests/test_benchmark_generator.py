"""The benchmark generator (issue 7) writes valid ledgers, the same both ways.

The bulk writer (lines written directly, then ``Ledger.check``) must give the
same events, seqs, batches and fold order as appending batch by batch through
``Ledger.append``; and every kind it promises must be in the log.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from benchmarks.generate import write_ledger
from unledger import Ledger


def _content(path: Path) -> list[dict]:
    out = []
    for line in path.read_bytes().splitlines():
        obj = orjson.loads(line)
        for key in ("prev", "hash", "recorded"):
            del obj[key]
        out.append(obj)
    return out


def test_bulk_and_appended_ledgers_hold_the_same_record(tmp_path: Path) -> None:
    bulk, appended = tmp_path / "bulk.jsonl", tmp_path / "appended.jsonl"
    plan = write_ledger(bulk, 6000, 7)
    write_ledger(appended, 6000, 7, through_append=True)
    assert _content(bulk) == _content(appended)
    a, b = Ledger.open(bulk), Ledger.open(appended)
    assert a.verify() == a.head and b.verify() == b.head
    assert a.check() == b.check() == len(a._timeline.events)
    for day in ("1950-01-01", "1975-06-30", "1991-12-26", "2025-12-31"):
        assert a.world(day) == b.world(day)
    kinds = {obj["kind"] for obj in _content(bulk)}
    assert {"admission", "election", "signing", "adoption", "retraction", "correction", "merger"} <= kinds
    assert plan.backfilled > 0
