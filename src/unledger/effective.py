"""Record bookkeeping: which recorded events are in effect, and filters
over records.

A retraction removes its target from the record; a correction replaces it
(docs/concepts.md#corrections). :func:`effective_map` reads that off the
records in log order; :class:`Changes` plans additions and removals on top of
such a map for an append; :func:`in_effect` and :func:`select` serve
:meth:`unledger.Ledger.events`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from .dates import DateLike, first_day, to_day
from .events.base import Event
from .events.meta import Correction, Retraction
from .log import Record

__all__ = ["Key", "effective_map", "index_records", "Changes", "in_effect", "select"]

#: Where an event sits in the fold: (earliest day, seq of the line that put it in the record).
Key = tuple[int, int]


def effective_map(records: Iterable[Record]) -> dict[str, tuple[Key, Event]]:
    """Which events are in the record after ``records`` (in seq order):
    id -> ((earliest day, position), event). Retractions remove their target;
    a correction replaces it, positioned at the correction's seq."""
    effective: dict[str, tuple[Key, Event]] = {}
    for record in records:
        event = record.event
        if isinstance(event, Retraction):
            effective.pop(event.target, None)
        elif isinstance(event, Correction):
            effective.pop(event.target, None)
            replacement = event.replacement
            effective[replacement.id or event.target] = ((replacement.date.earliest_day, record.seq), replacement)
        else:
            effective[record.id] = ((event.date.earliest_day, record.seq), event)
    return effective


def index_records(records: list[Record]) -> tuple[dict[str, Record], dict[str, tuple[Key, Event]]]:
    """The records by event id, and :func:`effective_map` of ``records``,
    in one pass (how a ledger reads a whole log)."""
    by_id: dict[str, Record] = {}
    effective: dict[str, tuple[Key, Event]] = {}
    for record in records:
        event = record.event
        event_id = event.id
        by_id[event_id] = record  # type: ignore[index]
        if event.meta and isinstance(event, Retraction | Correction):
            effective.pop(event.target, None)
            if isinstance(event, Correction):
                replacement = event.replacement
                effective[replacement.id or event.target] = ((replacement.date.earliest_day, record.seq), replacement)
        else:
            effective[event_id] = ((event.date.earliest_day, record.seq), event)  # type: ignore[index]
    return by_id, effective


class Changes:
    """Additions and removals planned on top of a dict, applied in place by
    :meth:`apply` (the few operations :func:`unledger.appending.plan` needs)."""

    __slots__ = ("base", "added", "removed")

    def __init__(self, base: dict[str, tuple[Key, Event]]) -> None:
        self.base = base
        self.added: dict[str, tuple[Key, Event]] = {}
        self.removed: set[str] = set()

    def get(self, key: str) -> tuple[Key, Event] | None:
        if key in self.added:
            return self.added[key]
        return None if key in self.removed else self.base.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.added or (key not in self.removed and key in self.base)

    def __setitem__(self, key: str, value: tuple[Key, Event]) -> None:
        self.added[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.added.pop(key, None)
        if key in self.base:
            self.removed.add(key)

    def apply(self) -> dict[str, tuple[Key, Event]]:
        for key in self.removed:
            self.base.pop(key, None)
        self.base.update(self.added)
        return self.base


def in_effect(records: list[Record], effective: dict[str, tuple[Key, Event]]) -> list[Record]:
    """The records of the events in effect after ``records`` (``effective``,
    their :func:`effective_map`), in log order; a corrected event as its
    correction's record holding the replacement."""
    by_seq = {r.seq: r for r in records}
    return sorted(
        (by_seq[key[1]] if by_seq[key[1]].event is event else attrs.evolve(by_seq[key[1]], event=event) for key, event in effective.values()),
        key=lambda r: r.seq,
    )


def select(
    records: Iterable[Record],
    *,
    kinds: set[str] | None = None,
    entity: str | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> Iterator[Record]:
    """The records whose event is of one of ``kinds``, concerns ``entity``
    and may fall between ``start`` and ``end`` (partial dates allowed, both
    inclusive); ``None``: no filter."""
    lo = first_day(start) if start is not None else None
    hi = to_day(end) if end is not None else None
    for record in records:
        event = record.event
        if kinds is not None and event.kind not in kinds:
            continue
        if entity is not None and entity not in event.entities():
            continue
        if lo is not None and event.date.latest_day < lo:
            continue
        if hi is not None and event.date.earliest_day > hi:
            continue
        yield record
