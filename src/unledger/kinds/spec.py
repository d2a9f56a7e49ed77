"""One definition per kind: what unledger does with an event of that kind.

A :class:`KindSpec` holds, side by side, everything unledger needs to know
about a kind beyond its fields (those live on the event class, in
:mod:`unledger.events`): its reducer, its rule check, its footprint and the
flags the incremental check uses. Built-in kinds declare their specs in one
module per family (:mod:`unledger.kinds.membership` and its siblings);
:func:`unledger.register` builds the same spec for a kind defined in user code.

The tables the rest of unledger reads (:data:`REDUCERS`, :data:`CHECKS`,
:data:`FOOTPRINTS`, :data:`ALWAYS_CANDIDATES`, :data:`READS_BODIES`,
:data:`SEAT_KINDS`) are views derived from the specs by :func:`add`: they are
never edited by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs

from ..events.base import Event
from ..world import World

__all__ = [
    "KindSpec",
    "Reducer",
    "Check",
    "Region",
    "Footprint",
    "SPECS",
    "REDUCERS",
    "CHECKS",
    "FOOTPRINTS",
    "ALWAYS_CANDIDATES",
    "READS_BODIES",
    "SEAT_KINDS",
    "MAPS",
    "add",
    "spec_of",
]

Reducer = Callable[[World, Any], World]
Check = Callable[[World, Any], None]
#: A part of a world, e.g. ``("mem", org, member)`` (see :mod:`unledger.footprints`).
Region = tuple[str, ...]
#: ``(regions read, regions written)`` by one event.
Footprint = tuple[tuple[Region, ...], tuple[Region, ...]]


def _no_check(world: World, event: Any) -> None:
    """The check of a kind that needs nothing of the world before it."""


@attrs.frozen(kw_only=True)
class KindSpec:
    """What unledger does with events of one kind.

    - ``event``: the event class (its ``@kind`` name is the only name string);
    - ``reducer``: ``(world, event) -> world``, pure;
    - ``check``: ``(world, event) -> None``, raises
      :class:`~unledger.errors.RuleViolation`;
    - ``footprint``: ``event -> (reads, writes)``, the regions of a world the
      check and reducer read and write; ``None``: unknown, so any backfill
      before the event re-checks it;
    - ``always_candidate``: the footprint is not keyed by the event's
      entities alone (state succession), so it is always looked at;
    - ``reads_bodies``: the check or reducer reads the ``bodies`` map;
    - ``seats``: the kind can change who sits on a body or how many seats it
      has, so the seat limits are checked after a change holding it;
    - ``maps``: the names of the world's maps the reducer may write (a
      superset of its footprint's writes), each computed from the same map
      and the event alone; ``None``: unknown. A query's world replays, for
      each map it reads, only the events that may write it
      (:mod:`unledger.dayworld`).
    """

    event: type[Event]
    reducer: Reducer
    check: Check = _no_check
    footprint: Callable[[Any], Footprint] | None = None
    always_candidate: bool = False
    reads_bodies: bool = False
    seats: bool = False
    maps: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return self.event.kind


#: Every spec, keyed by event class.
SPECS: Final[dict[type[Event], KindSpec]] = {}
#: kind name -> reducer (derived from :data:`SPECS`).
REDUCERS: Final[dict[str, Reducer]] = {}
#: kind name -> check (derived from :data:`SPECS`).
CHECKS: Final[dict[str, Check]] = {}
#: kind name -> footprint function, for kinds that have one (derived).
FOOTPRINTS: Final[dict[str, Callable[[Any], Footprint]]] = {}
#: Kinds whose footprint is not keyed by their entities alone (derived).
ALWAYS_CANDIDATES: Final[set[str]] = set()
#: Kinds that read the ``bodies`` map (derived).
READS_BODIES: Final[set[str]] = set()
#: Kinds after which seat limits are checked (derived).
SEAT_KINDS: Final[set[str]] = set()
#: kind name -> the maps its reducer may write, for kinds that say (derived).
MAPS: Final[dict[str, frozenset[str]]] = {}


def add(spec: KindSpec) -> KindSpec:
    """Register ``spec`` and refresh every view for its kind."""
    name = spec.name
    if not name:
        raise TypeError(f"{spec.event.__name__} has no kind: decorate it with @unledger.kind('name') first")
    for old in [cls for cls, other in SPECS.items() if other.name == name and cls is not spec.event]:
        del SPECS[old]
    SPECS[spec.event] = spec
    REDUCERS[name] = spec.reducer
    CHECKS[name] = spec.check
    if spec.footprint is None:
        FOOTPRINTS.pop(name, None)
    else:
        FOOTPRINTS[name] = spec.footprint
    if spec.maps is None:
        MAPS.pop(name, None)
    else:
        MAPS[name] = spec.maps
    for flag, view in ((spec.always_candidate, ALWAYS_CANDIDATES), (spec.reads_bodies or spec.always_candidate, READS_BODIES), (spec.seats, SEAT_KINDS)):
        (view.add if flag else view.discard)(name)
    return spec


def spec_of(event_class: type[Event]) -> KindSpec | None:
    """The spec registered for ``event_class``, if any."""
    return SPECS.get(event_class)
