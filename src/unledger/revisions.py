"""What the record learned between two record times: events added,
corrected and retracted (what a dataset's release revised)."""

from __future__ import annotations

from typing import Any

import attrs

from .dates import parse_timestamp
from .events.meta import Correction, Retraction
from .ledger import Ledger

__all__ = ["Revision", "revisions"]


@attrs.frozen
class Revision:
    """One record written after ``since`` up to ``until``: ``change`` is
    added, corrected or retracted; ``before`` and ``after`` are the event as
    the record held it before and after (``None`` where there is none)."""

    recorded: str
    seq: int
    change: str
    id: str
    kind: str
    date: str
    reason: str | None
    before: Any
    after: Any


def revisions(ledger: Ledger, since: Any, until: Any = None) -> list[Revision]:
    """Every record written after ``since`` up to ``until`` (default: now),
    in log order."""
    lo = parse_timestamp(since)
    hi = parse_timestamp(until) if until is not None else None
    held: dict[str, Any] = {}
    out: list[Revision] = []
    for record in ledger.records:
        event = record.event
        inside = record.recorded > lo and (hi is None or record.recorded <= hi)
        if isinstance(event, Retraction):
            before = held.pop(event.target, None)
            if inside:
                out.append(Revision(record.recorded, record.seq, "retracted", event.target, before.kind if before else "", str(before.date) if before else "", event.reason, before, None))
        elif isinstance(event, Correction):
            before = held.pop(event.target, None)
            after = event.replacement
            held[after.id or event.target] = after
            if inside:
                out.append(Revision(record.recorded, record.seq, "corrected", event.target, after.kind, str(after.date), event.reason, before, after))
        else:
            assert event.id is not None
            held[event.id] = event
            if inside:
                out.append(Revision(record.recorded, record.seq, "added", event.id, event.kind, str(event.date), None, None, event))
        if hi is not None and record.recorded > hi:
            break
    return out
