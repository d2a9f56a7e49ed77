"""The entity index of a timeline: entity code -> keys of the events that
concern it, in key order, so that the incremental check
(:mod:`unledger.incremental`) finds the later events a change may touch
without walking them all. Kinds whose footprint is not keyed by their
entities (:data:`~unledger.kinds.ALWAYS_CANDIDATES`) are filed under
:data:`ALWAYS` as well.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from heapq import heappop, heappush
from typing import Final

from .changes import Key
from .events.base import Event
from .footprints import ALWAYS_CANDIDATES, Regions

__all__ = ["ALWAYS", "EntityIndex", "build", "add", "remove", "visit_all", "visit_indexed"]

#: The posting list of the events always looked at.
ALWAYS: Final = "\x00always"

EntityIndex = dict[str, list[Key]]
#: ``(old position, key, event, index in the inserts or None)``
Visit = tuple[int, Key, Event, int | None]


def build(keys: list[Key], events: list[Event]) -> EntityIndex:
    """The index of ``events`` (sorted, with their ``keys``)."""
    index: EntityIndex = {ALWAYS: []}
    for key, event in zip(keys, events, strict=True):
        add(index, key, event, append=True)
    return index


def _codes(event: Event) -> list[str]:
    codes = list(dict.fromkeys(event.entities()))
    if event.kind in ALWAYS_CANDIDATES:
        codes.append(ALWAYS)
    return codes


def add(index: EntityIndex, key: Key, event: Event, *, append: bool = False) -> None:
    """File ``event`` at ``key`` (``append``: the key is the largest yet)."""
    for code in _codes(event):
        postings = index.get(code)
        if postings is None:
            index[code] = [key]
        elif append:
            postings.append(key)
        else:
            insort(postings, key)


def remove(index: EntityIndex, key: Key, event: Event) -> None:
    for code in _codes(event):
        postings = index.get(code)
        if postings:
            at = bisect_left(postings, key)
            if at < len(postings) and postings[at] == key:
                del postings[at]


def visit_all(keys: list[Key], events: list[Event], first: int, inserts: list[tuple[Key, Event]], removed: set[int]) -> Iterator[Visit]:
    """Every event from ``first`` on, in the new order."""
    n = len(keys)
    j, ii = first, 0
    while j < n or ii < len(inserts):
        if ii < len(inserts) and (j >= n or inserts[ii][0] < keys[j]):
            yield j, inserts[ii][0], inserts[ii][1], ii
            ii += 1
        else:
            if j not in removed:
                yield j, keys[j], events[j], None
            j += 1


class _Postings:
    """The merge of several posting lists, each followed from a key on."""

    def __init__(self, index: EntityIndex) -> None:
        self.index = index
        self.heap: list[tuple[Key, str]] = []
        self.cursor: dict[str, int] = {}

    def follow(self, code: str, after: Key, inclusive: bool) -> None:
        if code in self.cursor:
            return
        postings = self.index.get(code, ())
        at = (bisect_left if inclusive else bisect_right)(postings, after)  # type: ignore[type-var]
        self.cursor[code] = at
        if at < len(postings):
            heappush(self.heap, (postings[at], code))

    def pop(self) -> Key:
        key, code = heappop(self.heap)
        postings = self.index[code]
        self.cursor[code] += 1
        if self.cursor[code] < len(postings):
            heappush(self.heap, (postings[self.cursor[code]], code))
        return key


def visit_indexed(
    index: EntityIndex, keys: list[Key], events: list[Event], change_key: Key, inserts: list[tuple[Key, Event]], removed: set[int], written: Regions
) -> Iterator[Visit]:
    """As :func:`visit_all`, but only the later events that concern an
    entity of a written region (or are of a kind always looked at); the set
    of entities grows as the caller writes more regions."""
    merged = _Postings(index)
    merged.follow(ALWAYS, change_key, True)
    for code in list(written.entities):
        merged.follow(code, change_key, True)
    seen = len(written.entities)
    ii = 0
    last: Key | None = None
    while merged.heap or ii < len(inserts):
        if ii < len(inserts) and (not merged.heap or inserts[ii][0] < merged.heap[0][0]):
            key, event = inserts[ii]
            yield bisect_left(keys, key), key, event, ii
            ii += 1
        else:
            key = merged.pop()
            if key != last:
                last = key
                position = bisect_left(keys, key)
                if position not in removed:
                    yield position, key, events[position], None
        if len(written.entities) != seen:  # the caller wrote new regions
            for code in list(written.entities):
                merged.follow(code, key, False)
            seen = len(written.entities)
