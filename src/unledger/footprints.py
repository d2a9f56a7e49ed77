"""What each built-in kind reads and writes in a :class:`World`.

A backfilled event changes the fold from its date on, but most later events
never look at what it touched: a resolution adopted in 1971 does not change
who signed a treaty in 1990. :mod:`unledger.timeline` uses these footprints
to re-check and re-apply only the later events that read or write a region
the change wrote, and to patch its checkpoints instead of refolding them.

A *region* is a tuple naming a part of a world:

- ``("names", code)``, ``("exist", code)``, ``("inst", code)``: one entry;
- ``("bodies",)``: the whole ``bodies`` map (small, and written as a whole
  by the state-succession kinds, which move permanent seats);
- ``("mem", org, member)``, ``("gov", org, member)``,
  ``("terms", body, member)``, ``("acts", instrument, party)``,
  ``("res", body, symbol)``: one inner entry of a two-level map;
- ``("mem*", member)``, ``("gov*", member)``, ``("terms*", member)``: that
  member's entries in every organization or body;
- ``("orgkey", org)`` (read only): whether ``org`` has members at all;
- ``("xtra", key, a)`` and ``("xtra", key, a, b)``: ``world.extra[key][a]``
  and ``world.extra[key][a][b]``, where the dataset kinds keep their data
  (roll calls, membership statuses, closures).

Footprints are computed from the event alone and must cover everything its
rule check and its reducer read or write; :func:`footprint` returns ``None``
for kinds it does not know (kinds registered by users), and the timeline then
falls back to re-checking everything after the change. The property tests
compare the result with a fold from scratch after random backfills.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from .events.registry import kinds
from .kinds import ALWAYS_CANDIDATES, BUILTIN, CHECKS, FOOTPRINTS, READS_BODIES, REDUCERS, SPECS
from .kinds.spec import Footprint, Region
from .world import EMPTY, World

__all__ = ["footprint", "pristine", "Regions", "extract", "patch", "ABSENT", "ALWAYS_CANDIDATES", "READS_BODIES"]

class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


#: The value of a region that holds nothing.
ABSENT: Final = _Absent()

_BUILTIN_MODULES: Final = ("unledger.events.",)
_BUILTIN_SPECS: Final = {spec.name: spec for spec in BUILTIN}
#: kind name -> footprint function (a view of the kind specs).
_FOOTPRINTS: Final = FOOTPRINTS


def pristine() -> bool:
    """Whether every built-in kind still has its own class and spec;
    otherwise no footprint can be vouched for."""
    registry = kinds()
    for kind, spec in _BUILTIN_SPECS.items():
        cls = registry.get(kind)
        if cls is None or not cls.__module__.startswith(_BUILTIN_MODULES):
            return False
        if SPECS.get(cls) is not spec or REDUCERS.get(kind) is not spec.reducer or CHECKS.get(kind) is not spec.check:
            return False
    return True


def footprint(event: Any) -> Footprint | None:
    """``(reads, writes)`` of a built-in event, or ``None`` for kinds defined
    elsewhere. Only meaningful while :func:`pristine` holds."""
    fn = FOOTPRINTS.get(event.kind)
    return None if fn is None else fn(event)


def _entities(region: Region) -> tuple[str, ...]:
    return region[1:] if region[0] not in ("res",) else region[1:2]


class Regions:
    """A set of written regions that answers "does this region overlap?"."""

    __slots__ = ("exact", "wild", "by_member", "orgs", "entities", "bodies")

    def __init__(self) -> None:
        self.exact: set[Region] = set()
        self.wild: set[Region] = set()  # ("mem*", m) ...
        #: ("mem", m) -> every ("mem", o, m) held, and so on for gov and terms
        self.by_member: dict[Region, list[Region]] = {}
        self.orgs: dict[str, list[Region]] = {}  # o -> every ("mem", o, m) held
        #: Entity codes of every region: the cheap first filter.
        self.entities: set[str] = set()
        self.bodies = False

    def __len__(self) -> int:
        return len(self.exact)

    def __iter__(self) -> Any:
        return iter(self.exact)

    def add(self, region: Region) -> None:
        if region in self.exact:
            return
        self.exact.add(region)
        tag = region[0]
        if tag == "bodies":
            self.bodies = True
        elif tag[-1] == "*":
            self.wild.add(region)
        elif len(region) == 3 and tag in ("mem", "gov", "terms"):
            self.by_member.setdefault((tag, region[2]), []).append(region)
            if tag == "mem":
                self.orgs.setdefault(region[1], []).append(region)
        self.entities.update(_entities(region))

    def overlaps(self, region: Region) -> bool:
        if region in self.exact:
            return True
        tag = region[0]
        if tag in ("mem", "gov", "terms"):
            return (tag + "*", region[2]) in self.wild
        if tag[-1] == "*":
            return (tag[:-1], region[1]) in self.by_member
        if tag == "orgkey":
            # a state-succession kind may also leave an organization memberless
            return region[1] in self.orgs or any(w[0] == "mem*" for w in self.wild)
        return False

    def related(self, region: Region) -> list[Region]:
        """The regions held that overlap ``region``."""
        out = [region] if region in self.exact else []
        tag = region[0]
        if tag in ("mem", "gov", "terms"):
            wild = (tag + "*", region[2])
            if wild in self.wild:
                out.append(wild)
        elif tag[-1] == "*":
            out.extend(self.by_member.get((tag[:-1], region[1]), ()))
        elif tag == "orgkey":
            out.extend(self.orgs.get(region[1], ()))
            out.extend(w for w in self.wild if w[0] == "mem*")
        return out

    def candidate(self, event: Any) -> bool:
        """Cheap test: could ``event``'s footprint overlap these regions?"""
        kind = event.kind
        if kind in ALWAYS_CANDIDATES or kind not in FOOTPRINTS:
            return True
        if self.bodies and kind in READS_BODIES:
            return True
        return not self.entities.isdisjoint(event.entities())


_TWO_LEVEL: Final = {"mem": "members", "gov": "governments", "terms": "terms", "acts": "acts", "res": "resolutions"}
_ONE_LEVEL: Final = {"names": "names", "exist": "existence", "inst": "instruments", "extra": "extra"}
_WILD: Final = {"mem*": "members", "gov*": "governments", "terms*": "terms"}


def extract(world: World, region: Region) -> Any:
    """The value of ``region`` in ``world`` (``ABSENT`` when empty)."""
    tag = region[0]
    field = _ONE_LEVEL.get(tag)
    if field is not None:
        return getattr(world, field).get(region[1], ABSENT)
    field = _TWO_LEVEL.get(tag)
    if field is not None:
        return getattr(world, field).get(region[1], EMPTY).get(region[2], ABSENT)
    field = _WILD.get(tag)
    if field is not None:
        member = region[1]
        return tuple((key, inner[member]) for key, inner in getattr(world, field).items() if member in inner)
    if tag == "bodies":
        return world.bodies
    if tag == "xtra":
        value: Any = world.extra
        for key in region[1:-1]:
            value = value.get(key, EMPTY)
        return value.get(region[-1], ABSENT)
    raise ValueError(f"no such region {region!r}")


def patch(world: World, values: dict[Region, Any] | Iterable[tuple[Region, Any]]) -> World:
    """``world`` with each region set to its value (regions may overlap:
    their values must agree, as they do when read from one world)."""
    items = values.items() if isinstance(values, dict) else values
    maps: dict[str, Any] = {}
    #: (field, outer key) -> inner key -> value: each inner map is rebuilt
    #: once, however many of its entries are patched.
    inners: dict[tuple[str, str], dict[str, Any]] = {}

    def current(field: str) -> Any:
        m = maps.get(field)
        if m is None:
            m = maps[field] = getattr(world, field).mutate()
        return m

    for region, value in items:
        tag = region[0]
        if tag == "bodies":
            maps.pop("bodies", None)
            maps["bodies"] = value.mutate()
            continue
        field = _ONE_LEVEL.get(tag)
        if field is not None:
            m = current(field)
            if value is ABSENT:
                m.pop(region[1], None)
            else:
                m[region[1]] = value
            continue
        field = _TWO_LEVEL.get(tag)
        if field is not None:
            group = inners.get((field, region[1]))
            if group is None:
                group = inners[(field, region[1])] = {}
            group[region[2]] = value
            continue
        field = _WILD.get(tag)
        if field is not None:
            m = current(field)
            member = region[1]
            keep = dict(value)
            # (a MapMutation cannot be iterated: scan the map it started from)
            for key in [k for k, inner in getattr(world, field).items() if member in inner and k not in keep]:
                _set_inner(m, key, member, ABSENT)
            for key, inner_value in keep.items():
                _set_inner(m, key, member, inner_value)
            continue
        if tag == "xtra":
            _set_path(current("extra"), region[1:], value)
            continue
        raise ValueError(f"no such region {region!r}")
    for (field, key), entries in inners.items():
        _set_inners(current(field), key, entries)
    if not maps:
        return world
    return world.replace(**{field: m.finish() for field, m in maps.items()})


def _set_inner(outer: Any, key: str, inner_key: str, value: Any) -> None:
    # A fold never leaves an empty inner map behind, so neither does a patch.
    inner = outer.get(key, EMPTY)
    if value is ABSENT:
        if inner_key not in inner:
            return
        inner = inner.delete(inner_key)
        if len(inner):
            outer[key] = inner
        else:
            del outer[key]
    else:
        outer[key] = inner.set(inner_key, value)


def _set_inners(outer: Any, key: str, entries: dict[str, Any]) -> None:
    """:func:`_set_inner` for many inner keys of one outer key."""
    if len(entries) == 1:
        for inner_key, value in entries.items():
            _set_inner(outer, key, inner_key, value)
        return
    inner = outer.get(key, EMPTY).mutate()
    for inner_key, value in entries.items():
        if value is ABSENT:
            inner.pop(inner_key, None)
        else:
            inner[inner_key] = value
    finished = inner.finish()
    if len(finished):
        outer[key] = finished
    elif key in outer:
        del outer[key]


def _set_path(outer: Any, path: tuple[Any, ...], value: Any) -> None:
    """``outer[path[0]]...[path[-1]] = value`` through nested maps, dropping
    maps left empty (a fold never leaves one behind)."""
    key = path[0]
    if len(path) == 1:
        if value is ABSENT:
            if key in outer:
                del outer[key]
        else:
            outer[key] = value
        return
    inner = outer.get(key, EMPTY).mutate()
    _set_path(inner, path[1:], value)
    finished = inner.finish()
    if len(finished):
        outer[key] = finished
    elif key in outer:
        del outer[key]

