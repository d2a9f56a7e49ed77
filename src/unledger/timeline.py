"""The events in the record, in fold order, with checkpoints of the fold.

Fold order is (earliest day of the date, position), where position is the
seq of the line that put the event in the record (DESIGN §3). A
:class:`Timeline` keeps the events sorted by that key, a parallel list of
keys for ``bisect``, and the world after every ``K``-th event, so that the
state on any day costs a bisect plus at most ``K`` reducer calls.

Changing the record (an append, a backfill, a retraction) goes through
:meth:`Timeline.propose`: it builds the changed order, re-checks every event
from the first changed position on (DESIGN §4), and returns a
:class:`Proposal` that :meth:`Timeline.commit` installs only if all passed.
Nothing is changed when a rule fails.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Final

import attrs

from .errors import RuleViolation
from .events.base import Event
from .reducers import REDUCERS
from .rules import CHECKS, check_seat_limits
from .state import World

__all__ = ["Timeline", "Proposal", "CHECKPOINT_EVERY"]

#: Events between checkpoints. Each checkpoint shares structure with its
#: neighbours, so memory grows far slower than the count suggests.
CHECKPOINT_EVERY: Final = 256
_INF: Final = float("inf")

Key = tuple[int, int]


@attrs.define
class Proposal:
    """A checked change: the events from ``first_change`` on are replaced by
    ``tail_events`` (keys ``tail_keys``)."""

    tail_keys: list[Key]
    tail_events: list[Event]
    first_change: int
    checkpoints: dict[int, World]
    head: World


class Timeline:
    """Sorted effective events plus checkpoints. Not thread-safe; owned by one
    :class:`~unledger.Ledger`."""

    def __init__(self, entries: Iterable[tuple[Key, Event]] = ()) -> None:
        pairs = sorted(entries, key=lambda p: p[0])
        self.keys: list[Key] = [k for k, _ in pairs]
        self.events: list[Event] = [e for _, e in pairs]
        self._checkpoints: list[World] = [World()]
        self._head: World | None = World() if not self.events else None

    def __len__(self) -> int:
        return len(self.events)

    def index_of_day(self, day: int) -> int:
        """How many events have an earliest day <= ``day``."""
        return bisect_right(self.keys, (day, _INF))  # type: ignore[arg-type]

    def world_before(self, index: int) -> World:
        """The world after the first ``index`` events."""
        if index == len(self.events) and self._head is not None:
            return self._head
        k = CHECKPOINT_EVERY
        slot = min(index // k, len(self._checkpoints) - 1)
        world = self._checkpoints[slot]
        reducers = REDUCERS
        events = self.events
        position = slot * k
        while position < index:
            world = reducers[events[position].kind](world, events[position])
            position += 1
            if position % k == 0 and position // k == len(self._checkpoints):
                self._checkpoints.append(world)
        if index == len(events):
            self._head = world
        return world

    def world_at(self, day: int) -> World:
        return self.world_before(self.index_of_day(day))

    def propose(self, inserts: list[tuple[Key, Event]], removals: set[int], *, cause: str) -> Proposal:
        """Check the record with ``inserts`` added and the events at positions
        ``removals`` taken out. Raises :class:`RuleViolation` naming the event
        that breaks; ``cause`` names the appended events in that message."""
        inserts = sorted(inserts, key=lambda p: p[0])
        keys, events = self.keys, self.events
        first = len(keys)
        if inserts:
            first = bisect_left(keys, inserts[0][0])
        removal_indexes = [i for i, (_, pos) in enumerate(keys) if pos in removals] if removals else []
        if removal_indexes:
            first = min(first, removal_indexes[0])
        tail_pairs = [(keys[i], events[i]) for i in range(first, len(keys)) if keys[i][1] not in removals]
        merged = sorted(tail_pairs + inserts, key=lambda p: p[0])
        tail_keys = [k for k, _ in merged]
        tail_events = [e for _, e in merged]
        inserted = {id(e) for _, e in inserts}

        world = self.world_before(first)
        checkpoints: dict[int, World] = {}
        k = CHECKPOINT_EVERY
        checks, reducers = CHECKS, REDUCERS
        for offset, event in enumerate(tail_events):
            index = first + offset
            check = checks.get(event.kind)
            if check is not None:
                try:
                    check(world, event)
                except RuleViolation as exc:
                    if id(event) in inserted:
                        raise
                    raise RuleViolation(exc.reason, event=exc.event, field=exc.field, rule=exc.rule, cause=cause) from None
            world = reducers[event.kind](world, event)
            if (index + 1) % k == 0:
                checkpoints[(index + 1) // k] = world
        removed = [events[i] for i in removal_indexes]
        check_seat_limits(world, [e for _, e in inserts] + removed)
        return Proposal(tail_keys, tail_events, first, checkpoints, world)

    def commit(self, proposal: Proposal) -> None:
        k = CHECKPOINT_EVERY
        keep = proposal.first_change // k + 1
        self.keys[proposal.first_change :] = proposal.tail_keys
        self.events[proposal.first_change :] = proposal.tail_events
        kept = self._checkpoints[: min(keep, len(self._checkpoints))]
        slot = len(kept)
        while slot in proposal.checkpoints:
            kept.append(proposal.checkpoints[slot])
            slot += 1
        self._checkpoints = kept
        self._head = proposal.head
