"""The events in the record, in fold order, with checkpoints of the fold.

Fold order is (earliest day of the date, position), where position is the
seq of the line that put the event in the record (docs/concepts.md#the-fold). A
:class:`Timeline` keeps the events sorted by that key, a parallel list of
keys for ``bisect``, and checkpoints: the world after every event up to a
key, about every ``K`` events, so that the state on any day costs a bisect
plus fewer than ``K`` reducer calls. A checkpoint is named by a key, not a
position, so it stays meaningful when events are inserted before it.

Changing the record (an append, a backfill, a retraction) goes through
:meth:`Timeline.propose`, which checks the change (docs/concepts.md#backfill) and returns a
:class:`Proposal` that :meth:`Timeline.commit` installs only if all passed.
Nothing is changed when a rule fails.

A backfill deep in a large record is checked incrementally: the change
writes a few *regions* of the world (one membership, one treaty's acts by
one party; see :mod:`unledger.footprints`). Only the later events that read
or write a region written so far are re-checked and re-applied, each on the
old world at its place patched with the new values of those regions; every
other later event provably sees what it saw before. Checkpoints after the
change are patched the same way, lazily, instead of refolded. When a change
reaches too many later events, or the record holds kinds whose footprint is
unknown, the whole tail is refolded and re-checked as before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from contextlib import nullcontext
from heapq import heappop, heappush
from typing import Any, Final

import attrs

from ._gc import BULK_EVENTS, bulk
from .errors import RuleViolation
from .events.base import Event
from .footprints import ALWAYS_CANDIDATES, Regions, extract, footprint, patch, pristine
from .reducers import REDUCERS
from .rules import CHECKS, check_seat_limits
from .world import World

__all__ = ["Timeline", "Proposal", "CHECKPOINT_EVERY"]

#: Events between checkpoints. Each checkpoint shares structure with its
#: neighbours, so memory grows far slower than the count suggests. A query
#: replays half of them on average; why this value, measured against others,
#: is in docs/performance.md ("Queries").
CHECKPOINT_EVERY = 128
_INF: Final = float("inf")
_NO_PAUSE: Final = nullcontext()

Key = tuple[int, int]
#: The key of the first checkpoint, the empty world: before every event.
_ORIGIN: Final[Key] = (0, 0)
Overlay = dict[tuple[str, ...], Any]


class _Fallback(Exception):
    """The incremental check cannot vouch for this change: refold instead."""


@attrs.define
class Proposal:
    """A checked change: the events from ``first_change`` on are replaced by
    ``tail_events`` (keys ``tail_keys``); ``head`` is the new last world.

    Checkpoints from ``change_key`` on are either replaced by ``checkpoints``
    (a refold) or patched with ``patches``: ``(key, overlay)`` pairs, the
    overlay holding from that key on (an incremental check).
    """

    tail_keys: list[Key]
    tail_events: list[Event]
    first_change: int
    checkpoints: list[tuple[Key, World]]
    head: World
    change_key: Key = _ORIGIN
    patches: list[tuple[Key, Overlay]] | None = None
    inserted: list[tuple[Key, Event]] = attrs.Factory(list)
    removed: list[tuple[Key, Event]] = attrs.Factory(list)


class Timeline:
    """Sorted effective events plus checkpoints. Not thread-safe; owned by one
    :class:`~unledger.Ledger`."""

    def __init__(self, entries: Iterable[tuple[Key, Event]] = ()) -> None:
        pairs = sorted(entries, key=lambda p: p[0])
        self.keys: list[Key] = [k for k, _ in pairs]
        self.events: list[Event] = [e for _, e in pairs]
        self._ck_keys: list[Key] = [_ORIGIN]
        self._ck_worlds: list[World] = [World()]
        #: Overlays still to apply to each checkpoint, oldest first.
        self._ck_patches: list[list[Overlay] | None] = [None]
        self._head: World | None = World() if not self.events else None
        #: entity code -> keys of the events concerning it (built on the first
        #: incremental check, kept up to date by commit); the state-succession
        #: kinds, which are always looked at, under ``_ALWAYS``.
        self._by_entity: dict[str, list[Key]] | None = None

    def __len__(self) -> int:
        return len(self.events)

    def index_of_day(self, day: int) -> int:
        """How many events have an earliest day <= ``day``."""
        return bisect_right(self.keys, (day, _INF))  # type: ignore[arg-type]

    def _checkpoint(self, slot: int) -> World:
        pending = self._ck_patches[slot]
        world = self._ck_worlds[slot]
        if pending:
            for overlay in pending:
                world = patch(world, overlay)
            self._ck_worlds[slot] = world
            self._ck_patches[slot] = None
        return world

    def world_before(self, index: int) -> World:
        """The world after the first ``index`` events."""
        events = self.events
        if index == len(events) and self._head is not None:
            return self._head
        if index == 0:
            return self._ck_worlds[0]
        slot = bisect_right(self._ck_keys, self.keys[index - 1]) - 1
        world = self._checkpoint(slot)
        position = 0 if slot == 0 else bisect_right(self.keys, self._ck_keys[slot])
        if index - position >= BULK_EVENTS:
            with bulk(index - position):
                world = self._replay(world, position, index, slot + 1)
        else:
            world = self._replay(world, position, index, slot + 1)
        if index == len(events):
            self._head = world
        return world

    def _replay(self, world: World, position: int, index: int, slot: int) -> World:
        """Fold events ``position .. index-1`` onto ``world``, leaving a
        checkpoint (inserted at ``slot``) every K events on the way."""
        k = CHECKPOINT_EVERY
        reducers = REDUCERS
        events, keys = self.events, self.keys
        next_checkpoint = position + k
        while position < index:
            stop = min(index, next_checkpoint)
            while position < stop:
                event = events[position]
                world = reducers[event.kind](world, event)
                position += 1
            if position == next_checkpoint:
                self._ck_keys.insert(slot, keys[position - 1])
                self._ck_worlds.insert(slot, world)
                self._ck_patches.insert(slot, None)
                slot += 1
                next_checkpoint += k
        return world

    def world_at(self, day: int) -> World:
        return self.world_before(self.index_of_day(day))

    # -- changes -----------------------------------------------------------------

    def propose(self, inserts: list[tuple[Key, Event]], removals: set[int], *, cause: str) -> Proposal:
        """Check the record with ``inserts`` added and the events at positions
        ``removals`` taken out. Raises :class:`RuleViolation` naming the event
        that breaks; ``cause`` names the appended events in that message."""
        inserts = sorted(inserts, key=lambda p: p[0])
        keys = self.keys
        first = len(keys)
        change_key: Key | None = None
        if inserts:
            first = bisect_left(keys, inserts[0][0])
            change_key = inserts[0][0]
        removal_indexes = [i for i, (_, pos) in enumerate(keys) if pos in removals] if removals else []
        if removal_indexes:
            first = min(first, removal_indexes[0])
            removed_key = keys[removal_indexes[0]]
            change_key = removed_key if change_key is None else min(change_key, removed_key)
        if change_key is None:
            return Proposal([], [], len(keys), [], self.world_before(len(keys)), (_INF, _INF))  # type: ignore[arg-type]
        if first < len(keys):
            try:
                return self._propose_incremental(inserts, removal_indexes, first, change_key, cause)
            except _Fallback:
                pass
        elif not removal_indexes:
            return self._propose_at_head(inserts, change_key)
        return self._propose_refold(inserts, removal_indexes, first, change_key, cause)

    def _propose_at_head(self, inserts: list[tuple[Key, Event]], change_key: Key) -> Proposal:
        """Events that all fold after the last one (the common append):
        check and fold them on the head world; nothing before them moves.
        The same result as :meth:`_propose_refold` from the end, without
        its merging and bookkeeping, which cost more than one event's
        check and fold."""
        keys = [key for key, _ in inserts]
        events = [e for _, e in inserts]
        world, checkpoints = _check_and_fold(self.world_before(len(self.keys)), keys, events, None, "")
        check_seat_limits(world, events)
        return Proposal(keys, events, len(self.keys), checkpoints, world, change_key, None, inserts, [])

    def _propose_refold(
        self, inserts: list[tuple[Key, Event]], removal_indexes: list[int], first: int, change_key: Key, cause: str
    ) -> Proposal:
        """Re-check and refold every event from ``first`` on."""
        keys, events = self.keys, self.events
        removed = set(removal_indexes)
        tail_pairs = [(keys[i], events[i]) for i in range(first, len(keys)) if i not in removed]
        merged = sorted(tail_pairs + inserts, key=lambda p: p[0])
        tail_keys = [k for k, _ in merged]
        tail_events = [e for _, e in merged]
        inserted = {id(e) for _, e in inserts}

        world, checkpoints = _check_and_fold(self.world_before(first), tail_keys, tail_events, inserted, cause)
        check_seat_limits(world, [e for _, e in inserts] + [events[i] for i in removal_indexes])
        return Proposal(
            tail_keys, tail_events, first, checkpoints, world, change_key, None,
            inserts, [(keys[i], events[i]) for i in removal_indexes],
        )

    def _propose_incremental(
        self, inserts: list[tuple[Key, Event]], removal_indexes: list[int], first: int, change_key: Key, cause: str
    ) -> Proposal:
        """Re-check and re-apply only the later events the change can affect.

        Invariant, walking the new order: ``overlay`` holds the new value of
        every region in ``written``; every region outside it has the same
        value in the new world as in the old one at the same place. An
        event that touches none of ``written`` therefore reads what it read
        before, passes its check again and writes what it wrote before.
        """
        if not pristine():
            raise _Fallback
        keys, events = self.keys, self.events
        n = len(events)
        k = CHECKPOINT_EVERY
        checks, reducers = CHECKS, REDUCERS
        removed = set(removal_indexes)
        written = Regions()
        overlay: Overlay = {}
        insert_prints = [footprint(event) for _, event in inserts]
        if any(fp is None for fp in insert_prints):
            raise _Fallback
        base = self.world_before(first)
        for i in removal_indexes:
            fp = footprint(events[i])
            if fp is None:
                raise _Fallback
            for region in fp[1]:
                written.add(region)
                overlay[region] = extract(base, region)
        patches: list[tuple[Key, Overlay]] = [(change_key, dict(overlay))]
        # Past this many re-applied events, refolding the tail is cheaper:
        # each costs a patch plus up to K replayed events on the old world.
        limit = max(64, (n - first + len(inserts)) // max(1, k // 4))
        if len(inserts) > limit:
            raise _Fallback
        cursor: tuple[int, World] = (first, base)  # the old world before old position cursor[0]

        def old_world(position: int) -> World:
            nonlocal cursor
            at, world = cursor
            if not (at <= position <= at + k):
                world = self.world_before(position)
            else:
                while at < position:
                    world = reducers[events[at].kind](world, events[at])
                    at += 1
            cursor = (position, world)
            return world

        def apply(event: Event, key: Key, position: int, fp: Any, is_insert: bool) -> None:
            if len(patches) > limit:
                raise _Fallback
            reads, writes = fp
            needed: dict[tuple[str, ...], Any] = {}
            for region in reads + writes:
                for held in written.related(region):
                    needed[held] = overlay[held]
            world = patch(old_world(position), needed)
            check = checks.get(event.kind)
            if check is not None:
                try:
                    check(world, event)
                except RuleViolation as exc:
                    if is_insert:
                        raise
                    raise RuleViolation(exc.reason, event=exc.event, field=exc.field, rule=exc.rule, cause=cause) from None
            world = reducers[event.kind](world, event)
            for region in writes:
                written.add(region)
            for region in writes:
                for held in written.related(region):
                    overlay[held] = extract(world, held)
            patches.append((key, dict(overlay)))

        # Visit the inserted events and, among the later ones, those that may
        # touch a written region: through the entity index when the change
        # leaves the (small, widely read) bodies map alone, else one by one.
        linear = written.bodies or any(("bodies",) in fp[1] for fp in insert_prints)  # type: ignore[index]
        visits = self._visit_all(first, inserts, removed) if linear else self._visit_indexed(first, change_key, inserts, removed, written)
        for position, key, event, insert_index in visits:
            if insert_index is not None:
                apply(event, key, position, insert_prints[insert_index], True)
                continue
            if not written.candidate(event):
                continue
            fp = footprint(event)
            if fp is None:
                raise _Fallback
            reads, writes = fp
            if any(written.overlaps(r) for r in reads) or any(written.overlaps(w) for w in writes):
                if not linear and ("bodies",) in writes:
                    raise _Fallback  # the index does not cover readers of bodies
                apply(event, key, position, fp, False)
        tail_keys, tail_events = self._merged_tail(first, inserts, removal_indexes)
        head = patch(self.world_before(n), overlay)
        check_seat_limits(head, [e for _, e in inserts] + [events[i] for i in removal_indexes])
        return Proposal(
            tail_keys, tail_events, first, [], head, change_key, patches,
            inserts, [(keys[i], events[i]) for i in removal_indexes],
        )

    def _visit_all(self, first: int, inserts: list[tuple[Key, Event]], removed: set[int]) -> Any:
        """Every event from ``first`` on, in the new order: ``(old position,
        key, event, index in inserts or None)``."""
        keys, events = self.keys, self.events
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

    def _visit_indexed(
        self, first: int, change_key: Key, inserts: list[tuple[Key, Event]], removed: set[int], written: Regions
    ) -> Any:
        """As :meth:`_visit_all`, but only the later events that concern an
        entity of a written region (or are of a kind always looked at),
        found through the entity index; the set of entities grows as the
        caller writes more regions."""
        index = self._entity_index()
        keys, events = self.keys, self.events
        heap: list[tuple[Key, str]] = []
        cursor: dict[str, int] = {}

        def follow(code: str, after: Key, inclusive: bool) -> None:
            if code in cursor:
                return
            postings = index.get(code, ())
            at = (bisect_left if inclusive else bisect_right)(postings, after)  # type: ignore[type-var]
            cursor[code] = at
            if at < len(postings):
                heappush(heap, (postings[at], code))

        follow(_ALWAYS, change_key, True)
        for code in list(written.entities):
            follow(code, change_key, True)
        seen = len(written.entities)
        ii = 0
        last: Key | None = None
        while heap or ii < len(inserts):
            if ii < len(inserts) and (not heap or inserts[ii][0] < heap[0][0]):
                key, event = inserts[ii]
                yield bisect_left(keys, key), key, event, ii
                ii += 1
            else:
                key, code = heappop(heap)
                postings = index[code]
                cursor[code] += 1
                if cursor[code] < len(postings):
                    heappush(heap, (postings[cursor[code]], code))
                if key == last:
                    continue
                last = key
                position = bisect_left(keys, key)
                if position in removed:
                    continue
                yield position, key, events[position], None
            if len(written.entities) != seen:  # the caller wrote new regions
                current = key
                for code in list(written.entities):
                    follow(code, current, False)
                seen = len(written.entities)

    def _entity_index(self) -> dict[str, list[Key]]:
        index = self._by_entity
        if index is None:
            index = {_ALWAYS: []}
            for key, event in zip(self.keys, self.events, strict=True):
                _index_add(index, key, event, append=True)
            self._by_entity = index
        return index

    def _merged_tail(
        self, first: int, inserts: list[tuple[Key, Event]], removal_indexes: list[int]
    ) -> tuple[list[Key], list[Event]]:
        """The new order from ``first`` on, built with list slices."""
        keys, events = self.keys, self.events
        cuts = sorted([(bisect_left(keys, key), 1, key, event) for key, event in inserts] + [(i, 0, None, None) for i in removal_indexes],
                      key=lambda c: (c[0], c[1]))
        tail_keys: list[Key] = []
        tail_events: list[Event] = []
        at = first
        for position, is_insert, key, event in cuts:
            tail_keys += keys[at:position]
            tail_events += events[at:position]
            if is_insert:
                tail_keys.append(key)  # type: ignore[arg-type]
                tail_events.append(event)  # type: ignore[arg-type]
                at = max(at, position)  # a removal at this position may have moved past it
            else:
                at = position + 1
        tail_keys += keys[at:]
        tail_events += events[at:]
        return tail_keys, tail_events

    def commit(self, proposal: Proposal) -> None:
        first = proposal.first_change
        self.keys[first:] = proposal.tail_keys
        self.events[first:] = proposal.tail_events
        start = bisect_left(self._ck_keys, proposal.change_key)
        if proposal.patches is None:
            del self._ck_keys[start:], self._ck_worlds[start:], self._ck_patches[start:]
            for key, world in proposal.checkpoints:
                self._ck_keys.append(key)
                self._ck_worlds.append(world)
                self._ck_patches.append(None)
        else:
            marks = [key for key, _ in proposal.patches]
            for slot in range(start, len(self._ck_keys)):
                overlay = proposal.patches[bisect_right(marks, self._ck_keys[slot]) - 1][1]
                if overlay:
                    pending = self._ck_patches[slot]
                    self._ck_patches[slot] = [overlay] if pending is None else pending + [overlay]
        self._head = proposal.head
        index = self._by_entity
        if index is not None:
            for key, event in proposal.removed:
                _index_remove(index, key, event)
            for key, event in proposal.inserted:
                _index_add(index, key, event)


def _check_and_fold(
    world: World, keys: list[Key], events: list[Event], inserted: set[int] | None, cause: str
) -> tuple[World, list[tuple[Key, World]]]:
    """Check each event on the world before it and fold it; return the last
    world and a checkpoint every K events. ``inserted`` holds the ``id()`` of
    the events being added (``None``: all of them); a later event that a
    change breaks is named with ``cause``, the change, in its error."""
    checkpoints: list[tuple[Key, World]] = []
    k = CHECKPOINT_EVERY
    checks, reducers = CHECKS, REDUCERS
    with bulk(len(events)) if len(events) >= BULK_EVENTS else _NO_PAUSE:
        for offset, event in enumerate(events, 1):
            check = checks.get(event.kind)
            if check is not None:
                try:
                    check(world, event)
                except RuleViolation as exc:
                    if inserted is None or id(event) in inserted:
                        raise
                    raise RuleViolation(exc.reason, event=exc.event, field=exc.field, rule=exc.rule, cause=cause) from None
            world = reducers[event.kind](world, event)
            if offset % k == 0:
                checkpoints.append((keys[offset - 1], world))
    return world, checkpoints


_ALWAYS: Final = "\x00always"


def _index_add(index: dict[str, list[Key]], key: Key, event: Event, *, append: bool = False) -> None:
    codes = list(dict.fromkeys(event.entities()))
    if event.kind in ALWAYS_CANDIDATES:
        codes.append(_ALWAYS)
    for code in codes:
        postings = index.get(code)
        if postings is None:
            index[code] = [key]
        elif append:
            postings.append(key)
        else:
            insort(postings, key)


def _index_remove(index: dict[str, list[Key]], key: Key, event: Event) -> None:
    codes = list(dict.fromkeys(event.entities()))
    if event.kind in ALWAYS_CANDIDATES:
        codes.append(_ALWAYS)
    for code in codes:
        postings = index.get(code)
        if postings:
            at = bisect_left(postings, key)
            if at < len(postings) and postings[at] == key:
                del postings[at]
