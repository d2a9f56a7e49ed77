"""Changes checked against the histories of the regions they touch.

A batch that spans decades (a dataset appended by source file, not by date)
inserts events all over the record. Re-checking everything after its
earliest date costs the whole tail on every batch: quadratic over an import.
This module checks such a batch against *region histories* instead.

A :class:`RegionIndex` keeps, for every region of the world
(:mod:`unledger.footprints`: one membership, one party's acts on one
treaty, one name...), the value it takes after each event that writes it,
and the keys of the events whose footprint names it. To check an event at
key ``k`` the index builds a *small world* holding only the regions the
event reads and writes, each with its value just before ``k``; the event's
rule check and reducer see exactly what they would see in the full fold,
because a footprint covers everything both read.

:func:`propose_bulk` walks, in fold order, the inserted events and the
later events that read or write a region whose value changed (found through
the index), re-checks and re-applies each on its small world, and stops
following a region once an event writes it back to the value it had. It
returns the new histories of the changed regions (a :class:`Delta`); the
timeline installs them, and leaves its head world to take their last values
(many changes in one patch) and the checkpoints after the change to be
patched (or refolded) when a query next reaches them.

Only changes that insert events of the built-in kinds with a known
footprint, none of which moves the ``bodies`` map or reshapes states (the
state-succession kinds), take this path; :class:`Unsupported` sends any
other change to the timeline's other checks. Properties in
``tests/test_bulk.py`` and the stateful machine compare every result with
a fold from scratch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from heapq import heappop, heappush
from typing import Any, Final

from immutables import Map

from .changes import check_and_apply
from .events.base import Event
from .footprints import _ONE_LEVEL, _TWO_LEVEL, ABSENT, ALWAYS_CANDIDATES, extract, footprint, pristine
from .reducers import REDUCERS
from .world import World

__all__ = ["RegionIndex", "Delta", "Unsupported", "propose_bulk"]

Key = tuple[int, int]
Region = tuple[str, ...]
#: A region's history: the keys of the events that wrote it and its value after each.
History = tuple[list[Key], list[Any]]

_BODIES: Final[Region] = ("bodies",)
_EMPTY_WORLD: Final = World()
_WILD_TAGS: Final = {"mem*": "mem", "gov*": "gov", "terms*": "terms"}


class Unsupported(Exception):
    """This change cannot be checked on region histories: check it otherwise."""


class Delta:
    """The new histories of the regions a bulk change wrote."""

    __slots__ = ("histories", "change_key", "prints")

    def __init__(self, histories: dict[Region, History], change_key: Key, prints: Sequence[Any] = ()) -> None:
        self.histories = histories
        self.change_key = change_key
        #: The footprints of the inserted events, in key order (for :meth:`RegionIndex.install`).
        self.prints = prints

    def __len__(self) -> int:
        return len(self.histories)

    def at(self, key: Key) -> dict[Region, Any]:
        """The value of every region of the change after the event at ``key``."""
        out = {}
        for region, (keys, values) in self.histories.items():
            at = bisect_right(keys, key)
            out[region] = values[at - 1] if at else ABSENT
        return out

    def last(self) -> dict[Region, Any]:
        return {region: values[-1] if values else ABSENT for region, (_, values) in self.histories.items()}


#: Region tags a small world can hold (see :meth:`RegionIndex.small_world`);
#: a kind whose footprint names another (the dataset kinds' ``xtra`` paths
#: into ``World.extra``) takes the incremental check instead.
_FOLLOWED_TAGS: Final = frozenset(_ONE_LEVEL) | frozenset(_TWO_LEVEL) | frozenset(_WILD_TAGS) | {"orgkey", "bodies"}


#: Region tags that stand for several regions with a history (:func:`_concrete`).
_GROUPED_TAGS: Final = frozenset(_WILD_TAGS) | {"orgkey"}


def _followed_footprint(event: Event) -> Any:
    """``(reads, writes, named)`` of ``event`` (``named``: every region of
    its footprint once), or ``None`` when this path cannot follow it."""
    fp = footprint(event)
    if fp is None:
        return None
    named = tuple(dict.fromkeys(fp[0] + fp[1]))
    for region in named:
        if region[0] not in _FOLLOWED_TAGS:
            return None
    return fp[0], fp[1], named


def _concrete(region: Region, index: RegionIndex, fresh: dict[Any, set[Region]] | None = None) -> Iterable[Region]:
    """The regions with a history that ``region`` stands for (``fresh``:
    regions a change is giving their first history, by member and by org)."""
    tag = region[0]
    if tag in _WILD_TAGS:
        group: Any = (_WILD_TAGS[tag], region[1])
        found = index.by_member.get(group, ())
    elif tag == "orgkey":
        group = region[1]
        found = index.by_org.get(group, ())
    else:
        return (region,)
    if fresh and group in fresh:
        return set(found) | fresh[group]
    return found


def _groups(region: Region) -> tuple[Any, ...]:
    """The keys of ``RegionIndex.by_member`` and ``by_org`` ``region`` belongs under."""
    tag = region[0]
    if tag == "mem":
        return ((tag, region[2]), region[1])
    if tag in ("gov", "terms"):
        return ((tag, region[2]),)
    return ()


def _followers(region: Region) -> tuple[Region, ...]:
    """The names under which readers of ``region`` are indexed."""
    tag = region[0]
    if tag == "mem":
        return (region, ("mem*", region[2]), ("orgkey", region[1]))
    if tag in ("gov", "terms"):
        return (region, (tag + "*", region[2]))
    return (region,)


class RegionIndex:
    """Region histories and the events that touch each region (see the module
    text). Covers every event of its timeline with a key up to ``last``."""

    __slots__ = ("history", "touch", "unsorted", "by_member", "by_org", "last")

    def __init__(self) -> None:
        self.history: dict[Region, History] = {}
        #: region as a footprint names it (wildcards and orgkey included) ->
        #: the keys of the events naming it, in the order they were recorded;
        #: read them through :meth:`postings`, which sorts them.
        self.touch: dict[Region, list[Key]] = {}
        #: The regions whose ``touch`` list took a key before its last one
        #: since it was last sorted. A batch spanning decades appends to
        #: lists that can hold thousands of keys (a state's existence, read
        #: by every admission of it); inserting each key in place cost a
        #: shift of the list per event, and most of these lists are never
        #: followed, so the sort waits until :meth:`postings` needs one.
        self.unsorted: set[Region] = set()
        #: ("mem", member) -> every ("mem", org, member) with a history; gov, terms alike
        self.by_member: dict[tuple[str, str], set[Region]] = {}
        #: org -> every ("mem", org, member) with a history
        self.by_org: dict[str, set[Region]] = {}
        self.last: Key = (0, 0)

    @classmethod
    def build(cls, keys: Sequence[Key], events: Sequence[Event]) -> RegionIndex:
        """Fold ``events`` (in fold order, already checked) and record every write."""
        if not pristine():
            raise Unsupported
        index = cls()
        world = _EMPTY_WORLD
        reducers = REDUCERS
        for key, event in zip(keys, events, strict=True):
            fp = _followed_footprint(event)
            if fp is None:
                raise Unsupported
            before = world
            world = reducers[event.kind](world, event)
            index._record(key, fp, before, world)
        if keys:
            index.last = keys[-1]
        return index

    def extend(self, keys: Sequence[Key], events: Sequence[Event]) -> None:
        """Record events appended after ``last`` (already checked), each folded
        on its small world."""
        reducers = REDUCERS
        for key, event in zip(keys, events, strict=True):
            fp = _followed_footprint(event)
            if fp is None:
                raise Unsupported
            before = self.small_world(fp[2], key, {})
            self._record(key, fp, before, reducers[event.kind](before, event))
            self.last = key

    def postings(self, region: Region) -> list[Key] | tuple[()]:
        """The keys of the recorded events whose footprint names ``region``, sorted."""
        postings = self.touch.get(region)
        if postings is None:
            return ()
        if region in self.unsorted:
            postings.sort()  # a sorted run and a short tail: linear, mostly
            self.unsorted.discard(region)
        return postings

    def _post(self, fp: Any, key: Key) -> None:
        """Add ``key`` to the touch list of every region ``fp`` names."""
        touch = self.touch
        for region in fp[2]:
            if region == _BODIES:
                continue  # a change to the bodies map is not followed (Unsupported)
            postings = touch.get(region)
            if postings is None:
                touch[region] = [key]
            else:
                if key < postings[-1]:
                    self.unsorted.add(region)
                postings.append(key)

    def _record(self, key: Key, fp: Any, before: World, after: World) -> None:
        self._post(fp, key)
        writes = fp[1]
        for region in writes:
            tag = region[0]
            if tag in _WILD_TAGS:
                # A state-succession kind: every organization the member was or is in.
                inner = _WILD_TAGS[tag]
                member = region[1]
                concrete = {(inner, k, member) for k, _ in extract(before, region)}
                concrete.update((inner, k, member) for k, _ in extract(after, region))
                for each in concrete:
                    self._write(each, key, extract(after, each))
            else:
                self._write(region, key, extract(after, region))

    def _write(self, region: Region, key: Key, value: Any) -> None:
        history = self.history.get(region)
        if history is None:
            self.history[region] = ([key], [value])
            self._register(region)
        else:
            history[0].append(key)
            history[1].append(value)

    def _register(self, region: Region) -> None:
        tag = region[0]
        if tag in ("mem", "gov", "terms"):
            self.by_member.setdefault((tag, region[2]), set()).add(region)
            if tag == "mem":
                self.by_org.setdefault(region[1], set()).add(region)

    def value_before(self, region: Region, key: Key) -> Any:
        history = self.history.get(region)
        if history is None:
            return ABSENT
        at = bisect_left(history[0], key)
        return history[1][at - 1] if at else ABSENT

    def value_at(self, region: Region, key: Key) -> Any:
        """The value after the event at ``key`` (which wrote it)."""
        history = self.history.get(region)
        if history is None:
            return ABSENT
        at = bisect_right(history[0], key)
        return history[1][at - 1] if at else ABSENT

    def small_world(
        self, regions: Iterable[Region], key: Key, current: dict[Region, Any], fresh: dict[Any, set[Region]] | None = None
    ) -> World:
        """A world holding ``regions`` as they are just before ``key``: the
        new value from ``current`` for a region a change wrote, else the
        recorded one."""
        one: dict[str, dict[str, Any]] = {}
        two: dict[str, dict[str, dict[str, Any]]] = {}
        fields: dict[str, Any] = {}
        history = self.history
        grouped = _GROUPED_TAGS
        for named in regions:
            for region in _concrete(named, self, fresh) if named[0] in grouped else (named,):
                value = current.get(region, current)
                if value is current:  # not written by the change (so far)
                    recorded = history.get(region)
                    if recorded is None:
                        continue
                    at = bisect_left(recorded[0], key)
                    if not at:
                        continue
                    value = recorded[1][at - 1]
                if value is ABSENT:
                    continue
                tag = region[0]
                field = _ONE_LEVEL.get(tag)
                if field is not None:
                    one.setdefault(field, {})[region[1]] = value
                elif tag == "bodies":
                    fields["bodies"] = value
                else:
                    two.setdefault(_TWO_LEVEL[tag], {}).setdefault(region[1], {})[region[2]] = value
        for field, entries in one.items():
            fields[field] = Map(entries)
        for field, outer in two.items():
            fields[field] = Map({k: Map(inner) for k, inner in outer.items()})
        return _EMPTY_WORLD.replace(**fields) if fields else _EMPTY_WORLD

    def install(self, delta: Delta, inserted: Iterable[tuple[Key, Event]]) -> None:
        """Make the index agree with the record after ``delta`` was committed."""
        for region, history in delta.histories.items():
            if region not in self.history:
                self._register(region)
            self.history[region] = history
        prints = delta.prints or [_followed_footprint(event) for _, event in inserted]
        for (key, _), fp in zip(inserted, prints, strict=True):
            assert fp is not None
            self._post(fp, key)
            if key > self.last:
                self.last = key


def eligible(inserts: Sequence[tuple[Key, Event]]) -> list[Any] | None:
    """The footprints of ``inserts`` when they can take the bulk path."""
    prints = []
    for _, event in inserts:
        if event.kind in ALWAYS_CANDIDATES:
            return None
        fp = _followed_footprint(event)
        if fp is None or _BODIES in fp[1]:
            return None
        prints.append(fp)
    return prints


def _follow(
    index: RegionIndex, cursor: dict[Region, int], heap: list[tuple[Key, Region]], region: Region, after: Key
) -> None:
    """Queue the first recorded event after ``after`` of every region that
    follows ``region`` and is not queued yet (``cursor`` holds each queued
    region's position in its postings, sorted by then)."""
    for name in _followers(region):
        if name in cursor:
            continue
        postings = index.postings(name)
        at = bisect_right(postings, after)  # type: ignore[arg-type]
        cursor[name] = at
        if at < len(postings):
            heappush(heap, (postings[at], name))


def _pop_recorded(touch: dict[Region, list[Key]], cursor: dict[Region, int], heap: list[tuple[Key, Region]]) -> Key:
    """The key of the next queued recorded event; its region's next posting
    takes its place in the queue."""
    key, name = heappop(heap)
    postings = touch[name]
    cursor[name] += 1
    if cursor[name] < len(postings):
        heappush(heap, (postings[cursor[name]], name))
    return key


def _recorded(event_at: Callable[[Key], Event], key: Key) -> tuple[Event, Any]:
    """The recorded event at ``key`` and its footprint; :class:`Unsupported`
    when this path cannot follow it."""
    event = event_at(key)
    if event.kind in ALWAYS_CANDIDATES:
        raise Unsupported
    fp = _followed_footprint(event)
    if fp is None:
        raise Unsupported
    return event, fp


def _open_history(index: RegionIndex, fresh: dict[Any, set[Region]], region: Region, key: Key) -> History:
    """A new history of ``region``: its recorded one before ``key``, or an
    empty one (a region never written before, noted in ``fresh`` under its
    groups). :class:`Unsupported` for the ``bodies`` map."""
    if region == _BODIES:
        raise Unsupported
    old = index.history.get(region)
    if old is None:
        for group in _groups(region):
            fresh.setdefault(group, set()).add(region)
        return ([], [])
    cut = bisect_left(old[0], key)
    return (old[0][:cut], old[1][:cut])


def propose_bulk(
    index: RegionIndex,
    event_at: Callable[[Key], Event],
    inserts: list[tuple[Key, Event]],
    prints: list[Any],
    cause: str,
) -> Delta:
    """Check ``inserts`` (sorted by key; footprints ``prints``) and every
    recorded event they can affect (``event_at`` gives the one at a key);
    return the new histories.

    Raises :class:`RuleViolation` naming the event that breaks (an event
    already recorded is named with ``cause``, the change), or
    :class:`Unsupported` when the change moves what this path cannot follow.
    """
    touch = index.touch
    new: dict[Region, History] = {}
    current: dict[Region, Any] = {}
    heap: list[tuple[Key, Region]] = []
    cursor: dict[Region, int] = {}
    fresh: dict[Any, set[Region]] = {}
    ii, n_inserts = 0, len(inserts)
    last: Key | None = None
    while heap or ii < n_inserts:
        if ii < n_inserts and (not heap or inserts[ii][0] < heap[0][0]):
            key, event = inserts[ii]
            fp = prints[ii]
            ii += 1
            is_insert = True
        else:
            key = _pop_recorded(touch, cursor, heap)
            if key == last:
                continue
            event, fp = _recorded(event_at, key)
            is_insert = False
        last = key
        writes = fp[1]
        world = index.small_world(fp[2], key, current, fresh)
        after = check_and_apply(world, event, is_insert, cause)
        for region in writes:
            value = extract(after, region)
            history = new.get(region)
            if history is None:
                if not is_insert and value == index.value_at(region, key):
                    continue  # written back as it was: nothing changes for later readers
                history = new[region] = _open_history(index, fresh, region, key)
                _follow(index, cursor, heap, region, key)
            history[0].append(key)
            history[1].append(value)
            current[region] = value
    return Delta(new, inserts[0][0], prints)
