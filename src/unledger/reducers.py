"""Pure reducers: ``(World, event) -> World``, one per kind.

A reducer does no I/O and never mutates its input: it returns a new
:class:`~unledger.state.World` that shares every untouched map with the old
one. Each kind's reducer is declared in its :class:`~unledger.kinds.KindSpec`
(:mod:`unledger.kinds`); :data:`REDUCERS` is the view by kind name. The fold
(:func:`fold`) applies them in ledger order.
"""

from __future__ import annotations

from collections.abc import Iterable

from .events.base import Event
from .kinds import REDUCERS, Reducer
from .world import World

__all__ = ["Reducer", "REDUCERS", "fold"]


def fold(events: Iterable[Event], world: World | None = None) -> World:
    """Fold ``events`` (already in ledger order) into a world."""
    reducers = REDUCERS
    current = World() if world is None else world
    for event in events:
        current = reducers[event.kind](current, event)
    return current
