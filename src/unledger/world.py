"""The world: what the fold builds and the reducers write.

:class:`World` is the folded data: a handful of persistent maps
(``immutables.Map``, a hash array mapped trie in C) so that each event makes a
new world sharing almost everything with the old one. Equal worlds compare
equal, whichever route (fold from scratch, checkpoint, cache) built them. The
records it holds (:class:`Spell`, :class:`Term`, ...) are the fold's own;
the answers a query returns are in :mod:`unledger.answers`, the queries in
:mod:`unledger.state`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

import attrs
import immutables

from .dates import PartialDate
from .events.instruments import BINDING_ACTS, LEAVING_ACTS, EntryRule
from .events.resolutions import Tally
from .log.codegen import compile_function

__all__ = [
    "World",
    "Spell",
    "Term",
    "PermanentSeat",
    "BodyInfo",
    "CoverageInfo",
    "InstrumentInfo",
    "Act",
    "Resolution",
    "EMPTY",
    "LazyWorld",
    "lazy_world",
    "standing",
    "first_deposits",
    "fast_constructor",
    "new_spell",
    "new_term",
    "new_act",
    "new_resolution",
    "with_members",
    "with_acts",
    "with_terms",
    "with_resolutions",
]

EMPTY: Final[immutables.Map[Any, Any]] = immutables.Map()
T = TypeVar("T")


@attrs.frozen
class Spell:
    """A stretch of time something holds: a membership, or a state's existence.

    ``end`` is the first day it no longer holds (``None``: still holds).
    ``since`` is the date the organization counts the membership from, which
    survives withdrawals and returns, continuations and mergers.
    """

    start: PartialDate | None
    since: PartialDate | None
    how: str
    via: str | None
    end: PartialDate | None = None
    end_how: str | None = None
    end_to: str | None = None

    def holds(self, day: int) -> bool | None:
        """``True`` certain, ``False`` uncertain, ``None`` does not hold on ``day``."""
        certain = True
        start = self.start
        if start is not None:
            if day < start.earliest_day:
                return None
            certain = start.latest_day <= day
        end = self.end
        if end is not None:
            if end.latest_day <= day:
                return None
            if end.earliest_day <= day:
                certain = False
        return certain


@attrs.frozen
class Term:
    """An elected term on a body; ``end`` is inclusive, ``cut`` (if any) is
    the first day it no longer runs (an early end)."""

    elected: PartialDate
    start: PartialDate
    end: PartialDate
    via: str | None
    cut: PartialDate | None = None
    how: str = "elected"

    def seated(self, day: int) -> bool | None:
        start, end = self.start, self.end
        if day < start.earliest_day or day > end.latest_day:
            return None
        # Certain only if the election is certain too (a seat is never more
        # certain than the vote that gave it).
        certain = start.latest_day <= day and day <= end.earliest_day and self.elected.latest_day <= day
        cut = self.cut
        if cut is not None:
            if cut.latest_day <= day:
                return None
            if cut.earliest_day <= day:
                certain = False
        return certain

    def last_day(self) -> int:
        """Latest day the term may run."""
        if self.cut is not None:
            return min(self.end.latest_day, self.cut.latest_day - 1)
        return self.end.latest_day


@attrs.frozen
class PermanentSeat:
    member: str
    start: PartialDate
    end: PartialDate | None = None
    via: str | None = None

    def holds(self, day: int) -> bool | None:
        return Spell(self.start, self.start, "permanent", self.via, self.end).holds(day)


@attrs.frozen
class CoverageInfo:
    """What the record covers of one aspect of an entity, from ``since`` on
    (see :class:`unledger.Coverage`)."""

    entity: str
    aspect: str
    extent: str
    since: PartialDate
    statement: str
    id: str | None = None

    @property
    def complete(self) -> bool:
        return self.extent == "complete"


@attrs.frozen
class BodyInfo:
    """An organization or a body (a body has an ``org``)."""

    code: str
    org: str | None
    established: PartialDate
    seats: tuple[tuple[PartialDate, int | None], ...] = ()
    permanent: tuple[PermanentSeat, ...] = ()
    via: str | None = None
    #: What the record covers of it, in date order.
    coverage: tuple[CoverageInfo, ...] = ()

    def elected_seats(self, day: int) -> int | None:
        count: int | None = None
        for start, n in self.seats:
            if start.earliest_day <= day:
                count = n
        return count


@attrs.frozen
class InstrumentInfo:
    code: str
    title: str
    form: str
    opened: PartialDate
    rule: EntryRule
    closes: PartialDate | None = None
    in_force: PartialDate | None = None  # only for rule "event"
    terminated: PartialDate | None = None
    via: str | None = None
    open_for_signature: bool = True
    #: The organization this instrument constitutes, if any.
    constitutes: str | None = None
    #: What the record covers of it, in date order.
    coverage: tuple[CoverageInfo, ...] = ()


@attrs.frozen
class Act:
    act: str
    date: PartialDate
    via: str | None


@attrs.frozen
class Resolution:
    body: str
    symbol: str
    title: str
    date: PartialDate
    meeting: str | None
    tally: Tally | None
    without_vote: bool
    votes: immutables.Map[str, str] | None
    subjects: tuple[str, ...]
    concerns: tuple[str, ...]
    id: str | None


_WORLD_FIELDS: Final = (
    "names",
    "existence",
    "bodies",
    "members",
    "governments",
    "terms",
    "instruments",
    "acts",
    "resolutions",
    "extra",
)


class World:
    """The folded data. Immutable; ``replace`` returns a new world that shares
    every untouched map with this one.

    - ``names``: code -> ((date, name), ...) in date order
    - ``existence``: code -> (Spell, ...) for states the record says began or ended
    - ``bodies``: code -> BodyInfo, organizations and their bodies
    - ``members``: org -> member -> (Spell, ...)
    - ``governments``: org -> member -> ((date, government), ...)
    - ``terms``: body -> member -> (Term, ...)
    - ``instruments``: code -> InstrumentInfo
    - ``acts``: instrument -> party -> (Act, ...)
    - ``resolutions``: body -> symbol -> Resolution
    - ``extra``: free slot for kinds defined outside unledger
    """

    __slots__ = _WORLD_FIELDS

    names: immutables.Map[str, tuple[tuple[PartialDate, str], ...]]
    existence: immutables.Map[str, tuple[Spell, ...]]
    bodies: immutables.Map[str, BodyInfo]
    members: immutables.Map[str, immutables.Map[str, tuple[Spell, ...]]]
    governments: immutables.Map[str, immutables.Map[str, tuple[tuple[PartialDate, str], ...]]]
    terms: immutables.Map[str, immutables.Map[str, tuple[Term, ...]]]
    instruments: immutables.Map[str, InstrumentInfo]
    acts: immutables.Map[str, immutables.Map[str, tuple[Act, ...]]]
    resolutions: immutables.Map[str, immutables.Map[str, Resolution]]
    extra: immutables.Map[str, Any]

    def __init__(self, **fields: Any) -> None:
        for name in _WORLD_FIELDS:
            object.__setattr__(self, name, fields.get(name, EMPTY))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("World is immutable; use replace()")

    def replace(self, **changes: Any) -> World:  # replaced below by _make_replace()
        new = object.__new__(World)
        for name in _WORLD_FIELDS:
            object.__setattr__(new, name, changes[name] if name in changes else getattr(self, name))
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, World):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _WORLD_FIELDS)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in _WORLD_FIELDS))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(getattr(self, n))}" for n in _WORLD_FIELDS)
        return f"World({sizes})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_world, (tuple(getattr(self, n) for n in _WORLD_FIELDS),))

    # -- helpers for reducers: one idea each --------------------------------

    def exists_status(self, code: str, day: int) -> bool | None:
        """Whether ``code`` exists on ``day``: True certain, False uncertain,
        None certainly not. States the record never saw begin or end exist."""
        spells = self.existence.get(code)
        if spells is None:
            return True
        for spell in reversed(spells):
            status = spell.holds(day)
            if status is not None:
                return status
        return None

    def membership(self, org: str, member: str, day: int) -> tuple[Spell | None, bool | None]:
        """The spell of ``member`` in ``org`` that holds on ``day``, and its certainty."""
        spells = self.members.get(org, EMPTY).get(member)
        if spells:
            for spell in reversed(spells):
                status = spell.holds(day)
                if status is not None:
                    return spell, status
        return None, None



class LazyWorld(World):
    """A world whose maps are built on first use: map ``name`` is
    ``source.field_at(name, index)``, computed once and kept. Equal to, and
    indistinguishable in use from, the folded world it stands for (its
    sources are the snapshot cache, :mod:`unledger.cache`, and the world of
    one day, :mod:`unledger.dayworld`)."""

    __slots__ = ("_source", "_index")


def lazy_world(source: Any, index: int) -> LazyWorld:
    """A :class:`LazyWorld` whose maps ``source.field_at(name, index)`` builds."""
    world = object.__new__(LazyWorld)
    object.__setattr__(world, "_source", source)
    object.__setattr__(world, "_index", index)
    return world


def _lazy_field(name: str) -> property:
    slot = World.__dict__[name]

    def get(self: LazyWorld) -> Any:
        try:
            return slot.__get__(self, World)
        except AttributeError:
            value = self._source.field_at(name, self._index)  # type: ignore[attr-defined]
            slot.__set__(self, value)
            return value

    return property(get, doc=f"The ``{name}`` map, built on first use.")


for _field_name in _WORLD_FIELDS:
    setattr(LazyWorld, _field_name, _lazy_field(_field_name))


def _compile_world_copy(signature: str, value_of: Callable[[str], str], extra: dict[str, Any] | None = None) -> Any:
    """A function ``def <signature>:`` that builds a new world slot by slot,
    each slot set to the expression ``value_of(name)``: straight-line code
    over the slot descriptors, for the fold's hottest calls."""
    body = [f"def {signature}:", "    new = _new(World)"]
    namespace: dict[str, Any] = {"_new": object.__new__, "World": World, **(extra or {})}
    for name in _WORLD_FIELDS:
        namespace[f"_set_{name}"] = World.__dict__[name].__set__
        body.append(f"    _set_{name}(new, {value_of(name)})")
    body.append("    return new")
    return compile_function(signature.split("(")[0], "\n".join(body) + "\n", namespace)


def _make_replace() -> Any:
    """``World.replace`` as straight-line code over the slot descriptors.

    Every event of a fold makes a new world, so this is the hottest function
    of a cold open (the figures are in docs/performance.md, "The fold").
    Same behaviour as a generic loop: unknown names are ignored.
    """
    args = ", ".join(f"{name}=_KEEP" for name in _WORLD_FIELDS)
    replace = _compile_world_copy(
        f"replace(self, {args}, **_ignored)", lambda name: f"self.{name} if {name} is _KEEP else {name}", {"_KEEP": object()}
    )
    replace.__doc__ = "A new world with ``changes`` applied; every other map is shared."
    return replace


World.replace = _make_replace()  # type: ignore[method-assign]


def _make_with(name: str) -> Any:
    """``world.replace(<name>=value)`` as a function of one map: the hottest
    reducers call it once per event of a fold (same result, without
    ``replace``'s keyword handling)."""
    function = _compile_world_copy("with_(world, value)", lambda field: "value" if field == name else f"world.{field}")
    function.__name__ = f"with_{name}"
    function.__doc__ = f"``world.replace({name}=value)``."
    return function


with_members: Callable[[World, immutables.Map[Any, Any]], World] = _make_with("members")
with_acts: Callable[[World, immutables.Map[Any, Any]], World] = _make_with("acts")
with_terms: Callable[[World, immutables.Map[Any, Any]], World] = _make_with("terms")
with_resolutions: Callable[[World, immutables.Map[Any, Any]], World] = _make_with("resolutions")


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor of the attrs class ``cls`` that sets its
    slots directly, for the fold's own records built once per event: equal
    to ``cls(...)`` because ``cls`` has no converter, validator or
    post-init (checked here; any other class is refused)."""
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    if (
        "__slots__" not in cls.__dict__
        or hasattr(cls, "__attrs_post_init__")
        or any(f.validator is not None or f.converter is not None or not f.init for f in fields)
        or any(isinstance(f.default, attrs.Factory) for f in fields)  # type: ignore[arg-type]
    ):
        raise TypeError(f"{cls.__name__} needs its own __init__")
    namespace: dict[str, Any] = {"_new": object.__new__, "cls": cls}
    params = []
    body = ["    new = _new(cls)"]
    for f in fields:
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is attrs.NOTHING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(new, {f.name})")
    source = f"def make({', '.join(params)}):\n" + "\n".join(body) + "\n    return new\n"
    make: Callable[..., T] = compile_function("make", source, namespace)
    make.__doc__ = f"``{cls.__name__}(...)``, positional, without ``__init__``."
    return make


new_spell = fast_constructor(Spell)
new_term = fast_constructor(Term)
new_act = fast_constructor(Act)
new_resolution = fast_constructor(Resolution)


def _rebuild_world(values: tuple[Any, ...]) -> World:
    return World(**dict(zip(_WORLD_FIELDS, values, strict=True)))


def standing(acts: Iterable[Act]) -> tuple[Act | None, Act | None]:
    """A party's consent to an instrument, read from its acts in order: the
    binding act in effect (a first consent, or a new one after leaving) and
    the leaving act that ended it, if any. The party is bound after these
    acts when there is a consent and no leaving (dates aside: the rules and
    the queries both read this)."""
    consent: Act | None = None
    left: Act | None = None
    for act in acts:
        if act.act in BINDING_ACTS and (consent is None or left is not None):
            consent, left = act, None
        elif act.act in LEAVING_ACTS and consent is not None:
            left = act
    return consent, left


def name_on(names: tuple[tuple[PartialDate, str], ...] | None, day: int) -> str | None:
    """The name in effect on ``day`` among one code's dated ``names`` (kept
    in order of their earliest day, as the reducers insert them): the last
    one begun by ``day``; before the first, the first; ``None`` if none."""
    if not names:
        return None
    for date, name in reversed(names):
        if date.earliest_day <= day:
            return name
    return names[0][1]


def dated_on(entries: Iterable[tuple[PartialDate, str]], day: int) -> str | None:
    """The value of the last of the dated ``entries`` begun by ``day``."""
    current = None
    for date, value in entries:
        if date.earliest_day <= day:
            current = value
    return current


def first_deposits(acts: immutables.Map[str, tuple[Act, ...]]) -> dict[str, PartialDate]:
    """party -> the date of its first binding act (its first deposit)."""
    out = {}
    for party, party_acts in acts.items():
        for act in party_acts:
            if act.act in BINDING_ACTS:
                out[party] = act.date
                break
    return out
