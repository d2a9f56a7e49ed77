"""The lean path of an append: one event at the head of the timeline.

Most appends are one event dated no earlier than the last event of the
record. For those, :meth:`Ledger.append <unledger.ledger.Ledger.append>`
takes this path under the same locks as any append, when the log is as the
ledger last saw it (:meth:`~unledger.log.filelog.FileLog.quiet`: one read
of the head record, one ``fstat``, one read of the last line's hash; then
catching up and settling the tail would find nothing). It builds no batch,
plan, change set or proposal: the event is checked and folded on the head
world alone (:meth:`~unledger.timeline.Timeline.fold_at_head`), its line is
encoded from the dict its content id was computed from (the generated
encoder of :mod:`unledger.log.encode`), written with the same single write
and fsync, and installed.

It decides nothing the general path would decide otherwise: an event whose
id is already known (a retry, a conflict), one that folds before another, a
retraction or correction, or a log that changed goes the general way, and
every refusal is raised by the same code with the same error, before
anything is written. The test suite appends random sequences both ways and
requires byte-identical logs and equal states (``tests/test_lean.py``).
Nothing here takes a lock or imports the ledger.
"""

from __future__ import annotations

from typing import Any

from .dates import next_timestamp
from .effective import Key
from .errors import ConcurrencyError
from .events.base import Event
from .log import GENESIS, Record, Storage, encode_line
from .timeline import Timeline

__all__ = ["append_at_head"]


def append_at_head(
    log: Storage,
    records: list[Record],
    by_id: dict[str, Record],
    effective: dict[str, tuple[Key, Event]],
    timeline: Timeline,
    event: Event,
    as_dict: dict[str, Any] | None,
    expected_seq: int | None,
) -> Record | None:
    """Under the locks, with nothing to catch up: append ``event`` (which
    has its id; ``as_dict``: its dict, when the content id built it) to a
    log of ``records`` and make memory agree (``by_id``, ``effective``,
    ``timeline``); return its record. ``None`` when the event is not one
    this path takes: nothing was checked, written or changed then.
    Raises what the general path raises for the same event."""
    event_id = event.id
    if event_id is None or event_id in by_id or event_id in effective or event.meta:
        return None  # a retry, a conflict, an instruction: see recorded_originals() and plan()
    seq = len(records)
    if expected_seq is not None and expected_seq != seq:
        raise ConcurrencyError(expected_seq, seq)
    last = records[-1] if records else None
    recorded = next_timestamp(last.recorded if last is not None else "")
    key = (event.date.earliest_day, seq + 1)
    world = timeline.fold_at_head(key, event)
    if world is None:
        return None
    prev = last.hash if last is not None else GENESIS
    line, digest = encode_line(seq + 1, prev, recorded, event, 0, as_dict)
    record = Record(seq + 1, recorded, event, digest, prev)
    log.write(line)
    # On disk: now make memory agree.
    timeline.commit_at_head(key, event, world)
    records.append(record)
    by_id[event_id] = record
    effective[event_id] = (key, event)
    return record
