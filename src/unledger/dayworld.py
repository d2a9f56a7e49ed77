"""The world of one day, built map by map.

A query asks for the world after the first ``index`` events: the nearest
checkpoint of the fold (:mod:`unledger.timeline`) plus the events after it,
fewer than ``K``. Most of those events write maps the query never reads: a
question about members and seats reads ``members``, ``names``, ``bodies``,
``terms`` and ``governments``, while treaty actions and resolutions, most
of a large record, write ``acts`` and ``resolutions``. So :func:`day_world`
returns a :class:`~unledger.world.LazyWorld` each of whose maps is built on
first use: the checkpoint's map, with only the events that may write that
map folded onto it.

Why this is the fold: each built-in reducer computes each map it writes from
the same map and the event alone, and its kind declares which maps it may
write (``KindSpec.maps``, a superset of its footprint's writes: the tests
check both against folds from scratch). A map no event writes is the
checkpoint's; a map some events write is what folding those events, in fold
order, makes of it, and the events in between leave it as it was. When an
event's kind declares no maps (a kind defined outside unledger), the whole
stretch is folded as before, once, on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .events.base import Event
from .kinds import MAPS, REDUCERS
from .reducers import fold
from .world import World, lazy_world

__all__ = ["day_world"]


def day_world(base: World, events: Sequence[Event]) -> World:
    """The world after folding ``events`` (in fold order) onto ``base``, as
    a world whose maps are built on first use (equal to ``fold(events, base)``)."""
    return lazy_world(_Stretch(base, tuple(events)), 0)


class _Stretch:
    """A checkpoint and the events after it, up to the day asked."""

    __slots__ = ("base", "events", "writers", "folded")

    def __init__(self, base: World, events: tuple[Event, ...]) -> None:
        self.base = base
        self.events = events
        #: map name -> the events that may write it, in fold order (built on first use).
        self.writers: dict[str, list[Event]] | None = None
        #: The whole stretch folded, when some kind declares no maps.
        self.folded: World | None = None

    def field_at(self, name: str, index: int) -> Any:
        writers = self.writers
        if writers is None and self.folded is None:
            writers = self.writers = _writers(self.events)
            if writers is None:
                self.folded = fold(self.events, self.base)
        if writers is None:
            return getattr(self.folded, name)
        value = getattr(self.base, name)
        mine = writers.get(name)
        if not mine:
            return value
        world = World(**{name: value})
        reducers = REDUCERS
        for event in mine:
            world = reducers[event.kind](world, event)
        return getattr(world, name)


def _writers(events: tuple[Event, ...]) -> dict[str, list[Event]] | None:
    """map name -> the events that may write it; ``None`` if a kind does not say."""
    out: dict[str, list[Event]] = {}
    maps = MAPS
    for event in events:
        written = maps.get(event.kind)
        if written is None:
            return None
        for name in written:
            found = out.get(name)
            if found is None:
                out[name] = [event]
            else:
                found.append(event)
    return out
