"""What the record learned between two record times: events added,
corrected and retracted (what a dataset's release revised)."""

from __future__ import annotations

from typing import Any

import attrs

from .dates import parse_timestamp
from .events.meta import Correction, Retraction
from .ledger import Ledger

__all__ = ["Revision", "revisions", "what_changed"]


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

    @property
    def changed(self) -> str | None:
        """What a correction changed, field by field (see :func:`what_changed`)."""
        if self.before is None or self.after is None:
            return None
        return what_changed(self.before, self.after)


def _short(value: Any) -> str:
    text = str(value) if value is not None else "null"
    return text if len(text) <= 60 else text[:57] + "..."


def what_changed(before: Any, after: Any) -> str:
    """``field: old -> new`` for each field that differs (for a mapping, each
    key that differs: ``votes[USA]: no -> abstain``), ``; ``-separated."""
    parts = []
    for field in attrs.fields(type(after)):
        if field.name in ("id", "source"):
            continue
        old: Any = getattr(before, field.name, None)
        new: Any = getattr(after, field.name, None)
        if old == new:
            continue
        if hasattr(old, "keys") and hasattr(new, "keys"):
            for key in sorted(set(old.keys()) | set(new.keys())):
                if old.get(key) != new.get(key):
                    parts.append(f"{field.name}[{key}]: {_short(old.get(key))} -> {_short(new.get(key))}")
        else:
            parts.append(f"{field.name}: {_short(old)} -> {_short(new)}")
    return "; ".join(parts) if parts else "the source only"


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
