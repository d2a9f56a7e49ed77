"""Pure reducers: ``(World, event) -> World``, one per kind.

A reducer does no I/O and never mutates its input: it returns a new
:class:`~unledger.state.World` that shares every untouched map with the old
one. The fold (:func:`fold`) applies them in ledger order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..events.base import Event
from ..state import World
from . import bodies, entities, instruments, membership, resolutions

__all__ = ["Reducer", "REDUCERS", "register_reducer", "reducer_for", "fold", "apply"]

Reducer = Callable[[World, Any], World]

REDUCERS: dict[str, Reducer] = {}
for _module in (membership, bodies, entities, instruments, resolutions):
    REDUCERS.update(_module.REDUCERS)


def register_reducer(kind: str, reducer: Reducer) -> None:
    REDUCERS[kind] = reducer


def reducer_for(kind: str) -> Reducer:
    try:
        return REDUCERS[kind]
    except KeyError:
        raise LookupError(f"no reducer registered for kind {kind!r}; use unledger.register") from None


def apply(world: World, event: Event) -> World:
    return REDUCERS[event.kind](world, event)


def fold(events: Iterable[Event], world: World | None = None) -> World:
    """Fold ``events`` (already in ledger order) into a world."""
    reducers = REDUCERS
    current = World() if world is None else world
    for event in events:
        current = reducers[event.kind](current, event)
    return current
