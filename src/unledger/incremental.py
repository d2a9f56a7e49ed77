"""The incremental check of a backfill deep in a large record.

The change writes a few *regions* of the world (one membership, one treaty's
acts by one party; see :mod:`unledger.footprints`). Only the later events
that read or write a region written so far are re-checked and re-applied,
each on the old world at its place patched with the new values of those
regions; every other later event provably sees what it saw before.
Checkpoints after the change are patched the same way, lazily, instead of
refolded. When the change reaches too many later events, or the record holds
kinds whose footprint is unknown, it raises :class:`~unledger.changes.Fallback`
and the timeline refolds and re-checks the whole tail instead.

Invariant, walking the new order: ``overlay`` holds the new value of every
region in ``written``; every region outside it has the same value in the new
world as in the old one at the same place. An event that touches none of
``written`` therefore reads what it read before, passes its check again and
writes what it wrote before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import entity_index
from .changes import ChangeSet, Fallback, Key, Overlay, Proposal, check_and_apply
from .events.base import Event
from .footprints import Regions, extract, footprint, patch, pristine
from .reducers import REDUCERS
from .rules import check_seat_limits
from .world import World

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["propose_incremental"]


def propose_incremental(timeline: Timeline, change: ChangeSet, *, every: int) -> Proposal:
    """Check ``change`` on ``timeline`` by re-applying only the later events
    it can affect (``every``: events between checkpoints). Raises
    :class:`RuleViolation` naming the event that breaks, or
    :class:`Fallback` when it cannot vouch for the change."""
    if not pristine():
        raise Fallback
    return _Incremental(timeline, change, every).run()


class _Incremental:
    """One incremental check: the regions written so far, their new values,
    and the old world at the last position visited."""

    def __init__(self, timeline: Timeline, change: ChangeSet, every: int) -> None:
        self.timeline = timeline
        self.change = change
        self.k = every
        self.written = Regions()
        self.overlay: Overlay = {}
        self.insert_prints = [footprint(event) for _, event in change.inserts]
        if any(fp is None for fp in self.insert_prints):
            raise Fallback
        base = timeline.world_before(change.first)
        for i in change.removal_indexes:
            fp = footprint(timeline.events[i])
            if fp is None:
                raise Fallback
            for region in fp[1]:
                self.written.add(region)
                self.overlay[region] = extract(base, region)
        self.patches: list[tuple[Key, Overlay]] = [(change.change_key, dict(self.overlay))]
        # Past this many re-applied events, refolding the tail is cheaper:
        # each costs a patch plus up to K replayed events on the old world.
        n = len(timeline.events)
        self.limit = max(64, (n - change.first + len(change.inserts)) // max(1, every // 4))
        if len(change.inserts) > self.limit:
            raise Fallback
        #: the old world before old position ``cursor[0]``
        self.cursor: tuple[int, World] = (change.first, base)

    def old_world(self, position: int) -> World:
        at, world = self.cursor
        events = self.timeline.events
        if not (at <= position <= at + self.k):
            world = self.timeline.world_before(position)
        else:
            while at < position:
                world = REDUCERS[events[at].kind](world, events[at])
                at += 1
        self.cursor = (position, world)
        return world

    def apply(self, event: Event, key: Key, position: int, fp: Any, is_insert: bool) -> None:
        if len(self.patches) > self.limit:
            raise Fallback
        reads, writes = fp
        written, overlay = self.written, self.overlay
        needed: Overlay = {}
        for region in reads + writes:
            for held in written.related(region):
                needed[held] = overlay[held]
        world = patch(self.old_world(position), needed)
        world = check_and_apply(world, event, is_insert, self.change.cause)
        for region in writes:
            written.add(region)
        for region in writes:
            for held in written.related(region):
                overlay[held] = extract(world, held)
        self.patches.append((key, dict(overlay)))

    def run(self) -> Proposal:
        change, line = self.change, self.timeline
        keys, events = line.keys, line.events
        removed = set(change.removal_indexes)
        # Visit the inserted events and, among the later ones, those that may
        # touch a written region: through the entity index when the change
        # leaves the (small, widely read) bodies map alone, else one by one.
        linear = self.written.bodies or any(("bodies",) in fp[1] for fp in self.insert_prints)  # type: ignore[index]
        if linear:
            visits = entity_index.visit_all(keys, events, change.first, change.inserts, removed)
        else:
            index = line.entity_index()
            visits = entity_index.visit_indexed(index, keys, events, change.change_key, change.inserts, removed, self.written)
        for position, key, event, insert_index in visits:
            if insert_index is not None:
                self.apply(event, key, position, self.insert_prints[insert_index], True)
            elif self.written.candidate(event):
                self.visit_later(event, key, position, linear)
        tail_keys, tail_events = line.merged_tail(change)
        head = patch(line.world_before(len(events)), self.overlay)
        check_seat_limits(head, change.inserted_events + [events[i] for i in change.removal_indexes])
        return Proposal(
            tail_keys=tail_keys,
            tail_events=tail_events,
            first_change=change.first,
            head=head,
            change_key=change.change_key,
            patches=self.patches,
            inserted=change.inserts,
            removed=[(keys[i], events[i]) for i in change.removal_indexes],
        )

    def visit_later(self, event: Event, key: Key, position: int, linear: bool) -> None:
        """Re-apply a later event if it reads or writes a written region."""
        fp = footprint(event)
        if fp is None:
            raise Fallback
        reads, writes = fp
        if any(self.written.overlaps(r) for r in reads) or any(self.written.overlaps(w) for w in writes):
            if not linear and ("bodies",) in writes:
                raise Fallback  # the index does not cover readers of bodies
            self.apply(event, key, position, fp, False)
