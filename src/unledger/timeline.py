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

A backfill deep in a large record is checked incrementally
(:mod:`unledger.incremental`, which finds the later events through the
entity index of :mod:`unledger.entity_index`); when it cannot vouch for a
change, the whole tail is refolded and re-checked. Changes and their checked
outcomes are :class:`~unledger.changes.ChangeSet` and
:class:`~unledger.changes.Proposal`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from operator import itemgetter
from typing import Final

from . import entity_index as entities
from ._gc import BULK_EVENTS, bulk
from .bulk import Delta, Region, RegionIndex, Unsupported, eligible, propose_bulk
from .changes import ORIGIN, ChangeSet, Fallback, Key, Overlay, Proposal, check_and_apply, check_and_fold
from .dayworld import day_world
from .events.base import Event
from .footprints import patch, pristine
from .incremental import propose_incremental
from .kinds import SEAT_KINDS
from .reducers import REDUCERS
from .rules import check_seat_limits, seat_bodies
from .world import World

__all__ = ["Timeline", "Proposal", "CHECKPOINT_EVERY"]

#: Events between checkpoints. Each checkpoint shares structure with its
#: neighbours, so memory grows far slower than the count suggests. A query
#: replays half of them on average; why this value, measured against others,
#: is in docs/performance.md ("Queries").
CHECKPOINT_EVERY = 128
_INF: Final = float("inf")
_first = itemgetter(0)
#: A change inserting this many events before the head builds the region
#: index (unledger.bulk) if there is none yet; so does the
#: ``BULK_AFTER_BACKFILLS``-th backfill checked otherwise. Building it folds
#: the whole record once; then each change costs what it touches.
BULK_MIN_INSERTS = 64
BULK_AFTER_BACKFILLS = 8
#: A checkpoint whose pending changes hold more regions than this is
#: refolded from an earlier one instead of patched.
_PATCH_LIMIT: Final = 4 * CHECKPOINT_EVERY
#: Up to this many unmerged events go into the sorted lists one by one.
_IN_PLACE: Final = 32
#: A checkpoint more than this many bulk deltas behind when another kind of
#: change is committed is dropped (refolded when next needed), not patched.
_SETTLE_MOST: Final = 16
#: The incremental check's signal to refold (kept under its old name).
_Fallback = Fallback
_ORIGIN: Final = ORIGIN
_ = Overlay


class Timeline:
    """Sorted effective events plus checkpoints. Not thread-safe; owned by one
    :class:`~unledger.Ledger`."""

    def __init__(self, entries: Iterable[tuple[Key, Event]] = ()) -> None:
        pairs = sorted(entries, key=_first)
        self._keys: list[Key] = [k for k, _ in pairs]
        self._events: list[Event] = [e for _, e in pairs]
        #: Events a bulk change inserted, not yet merged into the sorted lists
        #: (merged when anything reads ``keys`` or ``events``).
        self._unmerged: dict[Key, Event] = {}
        self._ck_keys: list[Key] = [ORIGIN]
        self._ck_worlds: list[World] = [World()]
        #: Overlays (or bulk deltas) still to apply to each checkpoint, oldest first.
        self._ck_patches: list[list[Overlay | Delta] | None] = [None]
        #: Bulk deltas not yet handed to the checkpoints, oldest first: a
        #: checkpoint takes those after its generation (``_ck_gen``) whose
        #: change comes before it when a query reaches it; ``_log_sizes``
        #: holds the running total of their regions.
        self._log: list[Delta] = []
        self._log_sizes: list[int] = [0]
        self._log_gen0 = 0
        self._ck_gen: list[int] = [0]
        self._head: World | None = World() if not self.events else None
        #: Bulk deltas committed since ``_head`` was last caught up, oldest
        #: first: patched into it, all at once, when something next reads it
        #: (an import of many batches patches the head once, not per batch).
        self._head_pending: list[Delta] = []
        #: entity code -> keys of the events concerning it (built on the first
        #: incremental check, kept up to date by commit; see :mod:`unledger.entity_index`).
        self._by_entity: entities.EntityIndex | None = None
        #: Region histories for bulk changes (unledger.bulk), built on demand.
        self._regions: RegionIndex | None = None
        self._backfills = 0

    @property
    def keys(self) -> list[Key]:
        """The fold-order keys, sorted."""
        if self._unmerged:
            self._merge()
        return self._keys

    @property
    def events(self) -> list[Event]:
        """The events in fold order, parallel to :attr:`keys`."""
        if self._unmerged:
            self._merge()
        return self._events

    def _merge(self) -> None:
        """Put the events bulk changes inserted into the sorted lists: once
        for many batches of an import, not once per batch."""
        inserts = sorted(self._unmerged.items())
        self._unmerged = {}
        keys, events = self._keys, self._events
        if len(inserts) <= _IN_PLACE:
            for key, event in reversed(inserts):  # each a memmove, no copy of the tail
                at = bisect_left(keys, key)
                keys.insert(at, key)
                events.insert(at, event)
            return
        first = bisect_left(keys, inserts[0][0])
        change = ChangeSet(inserts=inserts, removal_indexes=[], first=first, change_key=inserts[0][0], cause="")
        keys[first:], events[first:] = self.merged_tail(change)

    def __len__(self) -> int:
        return len(self._events) + len(self._unmerged)

    def index_of_day(self, day: int) -> int:
        """How many events have an earliest day <= ``day``."""
        return bisect_right(self.keys, (day, _INF))  # type: ignore[arg-type]

    def _checkpoint(self, slot: int) -> World:
        pending = self._ck_patches[slot]
        world = self._ck_worlds[slot]
        key = self._ck_keys[slot]
        if pending:
            for overlay in pending:
                world = patch(world, overlay if isinstance(overlay, dict) else overlay.at(key))
            self._ck_patches[slot] = None
        generation = self._log_gen0 + len(self._log)
        if self._ck_gen[slot] < generation:
            for delta in self._log[self._ck_gen[slot] - self._log_gen0 :]:
                if delta.change_key < key:
                    world = patch(world, delta.at(key))
            self._ck_gen[slot] = generation
        self._ck_worlds[slot] = world
        return world

    def _pending_size(self, slot: int) -> int:
        """How many regions a checkpoint has still to patch (at most)."""
        pending = self._ck_patches[slot]
        size = sum(len(p) for p in pending) if pending else 0
        return size + self._log_sizes[-1] - self._log_sizes[self._ck_gen[slot] - self._log_gen0]

    def _settle(self) -> None:
        """Hand the logged bulk deltas to the checkpoints they concern (or
        drop a checkpoint that has too many to take), so that a change checked
        otherwise can add its overlays after them."""
        if not self._log:
            return
        generation = self._log_gen0 + len(self._log)
        first_change = min(delta.change_key for delta in self._log)
        keep = [True] * len(self._ck_keys)
        for slot in range(bisect_right(self._ck_keys, first_change), len(self._ck_keys)):
            behind = self._ck_gen[slot] - self._log_gen0
            if behind >= len(self._log):
                continue
            if self._pending_size(slot) > _PATCH_LIMIT or len(self._log) - behind > _SETTLE_MOST:
                keep[slot] = False
                continue
            key = self._ck_keys[slot]
            found: list[Overlay | Delta] = [delta for delta in self._log[behind:] if delta.change_key < key]
            if found:
                pending = self._ck_patches[slot]
                self._ck_patches[slot] = found if pending is None else pending + found
        for name in ("_ck_keys", "_ck_worlds", "_ck_patches"):
            column = getattr(self, name)
            column[:] = [value for value, kept in zip(column, keep, strict=True) if kept]
        self._ck_gen = [generation] * len(self._ck_keys)
        self._log, self._log_sizes, self._log_gen0 = [], [0], generation

    def world_before(self, index: int, *, by_map: bool = False) -> World:
        """The world after the first ``index`` events. ``by_map``: when that
        is a checkpoint plus fewer than ``K`` events (and not the head), a
        world whose maps are each built on first use from the events that
        write it (:mod:`unledger.dayworld`), for a query that reads a few."""
        events = self.events
        if index == len(events) and self._head is not None:
            return self._head_world()
        if index == 0:
            return self._ck_worlds[0]
        slot = bisect_right(self._ck_keys, self.keys[index - 1]) - 1
        stale = slot
        while stale > 0 and self._pending_size(stale) > _PATCH_LIMIT:
            stale -= 1
        if stale < slot:  # cheaper to refold from an earlier checkpoint than to patch these
            del self._ck_keys[stale + 1 : slot + 1], self._ck_worlds[stale + 1 : slot + 1], self._ck_patches[stale + 1 : slot + 1]
            del self._ck_gen[stale + 1 : slot + 1]
            slot = stale
        world = self._checkpoint(slot)
        position = 0 if slot == 0 else bisect_right(self.keys, self._ck_keys[slot])
        if by_map and 0 < index - position < CHECKPOINT_EVERY and index < len(events):
            # No checkpoint would be left on the way, nor the head kept.
            return day_world(world, events[position:index])
        if index - position >= BULK_EVENTS:
            with bulk(index - position):
                world = self._replay(world, position, index, slot + 1)
        else:
            world = self._replay(world, position, index, slot + 1)
        if index == len(events):
            self._head, self._head_pending = world, []
        return world

    def _head_world(self) -> World:
        """The head world with the pending bulk deltas patched in (each region
        takes its value after the last delta that wrote it)."""
        assert self._head is not None
        if self._head_pending:
            values: dict[Region, object] = {}
            for delta in self._head_pending:
                values.update(delta.last())
            self._head, self._head_pending = patch(self._head, values), []
        return self._head

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
                self._ck_gen.insert(slot, self._log_gen0 + len(self._log))
                slot += 1
                next_checkpoint += k
        return world

    def world_at(self, day: int) -> World:
        """The world on ``day`` (its maps built on first use: see :meth:`world_before`)."""
        return self.world_before(self.index_of_day(day), by_map=True)

    # -- changes -----------------------------------------------------------------

    def propose(self, inserts: list[tuple[Key, Event]], removals: set[int], *, cause: str) -> Proposal:
        """Check the record with ``inserts`` added and the events at positions
        ``removals`` taken out. Raises :class:`RuleViolation` naming the event
        that breaks; ``cause`` names the appended events in that message."""
        inserts = sorted(inserts, key=lambda p: p[0])
        if inserts and not removals and self._unmerged:
            try:  # keep the order unmerged while batches keep coming
                return self._propose_bulk(inserts, len(self), inserts[0][0], cause)
            except Unsupported:
                pass
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
            return Proposal(
                tail_keys=[], tail_events=[], first_change=len(keys), head=self.world_before(len(keys)), change_key=(_INF, _INF)  # type: ignore[arg-type]
            )
        change = ChangeSet(inserts=inserts, removal_indexes=removal_indexes, first=first, change_key=change_key, cause=cause)
        if first < len(keys) and not removal_indexes:
            try:
                return self._propose_bulk(inserts, first, change_key, cause)
            except Unsupported:
                pass
        if first < len(keys):
            try:
                return self._propose_incremental(change)
            except Fallback:
                pass
        elif not removal_indexes:
            return self._propose_at_head(change)
        return self._propose_refold(change)

    def _propose_bulk(self, inserts: list[tuple[Key, Event]], first: int, change_key: Key, cause: str) -> Proposal:
        """Check the inserted events on region histories (:mod:`unledger.bulk`)."""
        if self._regions is None and len(inserts) < BULK_MIN_INSERTS and self._backfills < BULK_AFTER_BACKFILLS:
            raise Unsupported
        prints = eligible(inserts)
        if prints is None:
            raise Unsupported
        index = self._regions
        if index is None or not pristine():
            self._regions = None
            index = self._regions = RegionIndex.build(self.keys, self.events)
        elif self._keys and index.last < self._keys[-1]:
            # Appended at the head since (always after a merge: unmerged events are indexed).
            at = bisect_right(self._keys, index.last)
            index.extend(self._keys[at:], self._events[at:])
        keys, events, unmerged = self._keys, self._events, self._unmerged

        def event_at(key: Key) -> Event:
            found = unmerged.get(key)
            return found if found is not None else events[bisect_left(keys, key)]

        delta = propose_bulk(index, event_at, inserts, prints, cause)
        inserted = [e for _, e in inserts]
        head: World | None = None  # the head is patched with the delta when next read
        if seat_bodies(inserted):  # unless the seat limits are to be checked on it now
            head = patch(self._head_world() if self._head is not None else self.world_before(len(self.keys)), delta.last())
            check_seat_limits(head, inserted)
        # The events join the sorted lists when something next reads them.
        return Proposal(
            tail_keys=[], tail_events=[], first_change=first, head=head, change_key=change_key, inserted=inserts, delta=delta
        )

    def _propose_at_head(self, change: ChangeSet) -> Proposal:
        """Events that all fold after the last one (the common append):
        check and fold them on the head world; nothing before them moves.
        The same result as :meth:`_propose_refold` from the end, without
        its merging and bookkeeping, which cost more than one event's
        check and fold."""
        keys = [key for key, _ in change.inserts]
        events = change.inserted_events
        world, checkpoints = check_and_fold(self.world_before(len(self.keys)), keys, events, None, "", every=CHECKPOINT_EVERY)
        check_seat_limits(world, events)
        return Proposal(
            tail_keys=keys, tail_events=events, first_change=len(self.keys), checkpoints=checkpoints, head=world,
            change_key=change.change_key, inserted=change.inserts,
        )

    def fold_at_head(self, key: Key, event: Event) -> World | None:
        """One event that folds after every other (``key`` above the last
        key; nothing unmerged): checked and folded on the head world, as
        :meth:`_propose_at_head` checks a change of that one event; the new
        head world, which :meth:`commit_at_head` installs. ``None`` when the
        event does not fold last (the caller proposes it as usual). Raises
        :class:`RuleViolation` naming the event that breaks."""
        if self._unmerged or (self._keys and key <= self._keys[-1]):
            return None
        world = check_and_apply(self.world_before(len(self._keys)), event, True, "")
        if event.kind in SEAT_KINDS:  # check_seat_limits has nothing to check otherwise
            check_seat_limits(world, [event])
        return world

    def commit_at_head(self, key: Key, event: Event, world: World) -> None:
        """Install what :meth:`fold_at_head` checked: what :meth:`commit`
        does with the proposal of that one event at the head."""
        self._settle()
        self._keys.append(key)
        self._events.append(event)
        if 1 % CHECKPOINT_EVERY == 0:  # a checkpoint every K events of the change, as check_and_fold leaves them
            self._ck_keys.append(key)
            self._ck_worlds.append(world)
            self._ck_patches.append(None)
            self._ck_gen.append(self._log_gen0)
        self._head, self._head_pending = world, []
        if self._by_entity is not None:
            entities.add(self._by_entity, key, event)

    def _propose_refold(self, change: ChangeSet) -> Proposal:
        """Re-check and refold every event from ``change.first`` on."""
        keys, events = self.keys, self.events
        removed = set(change.removal_indexes)
        tail_pairs = [(keys[i], events[i]) for i in range(change.first, len(keys)) if i not in removed]
        merged = sorted(tail_pairs + change.inserts, key=lambda p: p[0])
        tail_keys = [k for k, _ in merged]
        tail_events = [e for _, e in merged]
        inserted = {id(e) for _, e in change.inserts}
        world, checkpoints = check_and_fold(
            self.world_before(change.first), tail_keys, tail_events, inserted, change.cause, every=CHECKPOINT_EVERY
        )
        check_seat_limits(world, change.inserted_events + [events[i] for i in change.removal_indexes])
        return Proposal(
            tail_keys=tail_keys, tail_events=tail_events, first_change=change.first, checkpoints=checkpoints, head=world,
            change_key=change.change_key, inserted=change.inserts, removed=[(keys[i], events[i]) for i in change.removal_indexes],
        )

    def _propose_incremental(self, change: ChangeSet) -> Proposal:
        """Re-check and re-apply only the later events the change can affect
        (:mod:`unledger.incremental`); raises :class:`Fallback` when it
        cannot vouch for the change."""
        return propose_incremental(self, change, every=CHECKPOINT_EVERY)

    def entity_index(self) -> entities.EntityIndex:
        """The entity index of the events (built on first use, then kept
        up to date by :meth:`commit`)."""
        if self._by_entity is None:
            self._by_entity = entities.build(self.keys, self.events)
        return self._by_entity

    _entity_index = entity_index

    def merged_tail(self, change: ChangeSet) -> tuple[list[Key], list[Event]]:
        """The new order from ``change.first`` on, built with list slices."""
        keys, events = self.keys, self.events
        cuts = sorted(
            [(bisect_left(keys, key), 1, key, event) for key, event in change.inserts] + [(i, 0, None, None) for i in change.removal_indexes],
            key=lambda c: (c[0], c[1]),
        )
        tail_keys: list[Key] = []
        tail_events: list[Event] = []
        at = change.first
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
        if proposal.delta is not None:
            self._unmerged.update(proposal.inserted)
        else:
            self._settle()
            if first < len(self.keys) or proposal.removed:
                # Checked and applied otherwise: the region index is out of date
                # (an append at the head only leaves it behind: it catches up).
                self._regions = None
                self._backfills += 1
            self.keys[first:] = proposal.tail_keys
            self.events[first:] = proposal.tail_events
        start = bisect_left(self._ck_keys, proposal.change_key)
        if proposal.delta is not None:
            assert self._regions is not None
            self._regions.install(proposal.delta, proposal.inserted)
            self._log.append(proposal.delta)  # taken by each checkpoint when a query reaches it
            self._log_sizes.append(self._log_sizes[-1] + len(proposal.delta))
        elif proposal.patches is None:
            del self._ck_keys[start:], self._ck_worlds[start:], self._ck_patches[start:], self._ck_gen[start:]
            for key, world in proposal.checkpoints:
                self._ck_keys.append(key)
                self._ck_worlds.append(world)
                self._ck_patches.append(None)
                self._ck_gen.append(self._log_gen0)
        else:
            marks = [key for key, _ in proposal.patches]
            for slot in range(start, len(self._ck_keys)):
                overlay = proposal.patches[bisect_right(marks, self._ck_keys[slot]) - 1][1]
                if overlay:
                    pending = self._ck_patches[slot]
                    self._ck_patches[slot] = [overlay] if pending is None else pending + [overlay]
        if proposal.delta is None or proposal.head is not None:
            self._head, self._head_pending = proposal.head, []
        elif self._head is not None:
            self._head_pending.append(proposal.delta)
        index = self._by_entity
        if index is not None:
            for key, event in proposal.removed:
                entities.remove(index, key, event)
            for key, event in proposal.inserted:
                entities.add(index, key, event)
