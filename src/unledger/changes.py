"""A change to the record and the checked result of proposing it.

A :class:`ChangeSet` says what a change does to the events of a
:class:`~unledger.timeline.Timeline` (events inserted, positions removed) and
where it starts; a :class:`Proposal` is the checked outcome, which
:meth:`~unledger.timeline.Timeline.commit` installs. Both are built by keyword.
:func:`check_and_fold` is the loop every refolding strategy shares.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Final

import attrs

from ._gc import BULK_EVENTS, bulk
from .errors import RuleViolation
from .events.base import Event
from .reducers import REDUCERS
from .rules import CHECKS
from .world import World

__all__ = ["Key", "Overlay", "ORIGIN", "Fallback", "ChangeSet", "Proposal", "check_and_fold"]

#: Where an event sits in the fold: (earliest day, seq of the line that put it in the record).
Key = tuple[int, int]
#: The new values of some regions of a world (see :mod:`unledger.footprints`).
Overlay = dict[tuple[str, ...], Any]
#: The key of the first checkpoint, the empty world: before every event.
ORIGIN: Final[Key] = (0, 0)
_NO_PAUSE: Final = nullcontext()


class Fallback(Exception):
    """The incremental check cannot vouch for this change: refold instead."""


@attrs.frozen(kw_only=True)
class ChangeSet:
    """A change to a timeline: ``inserts`` (sorted by key) are added, the
    events at ``removal_indexes`` (ascending) taken out. ``first`` is the
    first position it touches, ``change_key`` the first key; ``cause`` names
    the appended events when a later event breaks."""

    inserts: list[tuple[Key, Event]]
    removal_indexes: list[int]
    first: int
    change_key: Key
    cause: str

    @property
    def inserted_events(self) -> list[Event]:
        return [e for _, e in self.inserts]


@attrs.define(kw_only=True)
class Proposal:
    """A checked change: the events from ``first_change`` on are replaced by
    ``tail_events`` (keys ``tail_keys``); ``head`` is the new last world
    (``None`` for a bulk change that leaves it to be patched with its
    ``delta`` when next read).

    Checkpoints from ``change_key`` on are either replaced by ``checkpoints``
    (a refold) or patched with ``patches``: ``(key, overlay)`` pairs, the
    overlay holding from that key on (an incremental check).
    """

    tail_keys: list[Key]
    tail_events: list[Event]
    first_change: int
    checkpoints: list[tuple[Key, World]] = attrs.Factory(list)
    head: World | None
    change_key: Key = ORIGIN
    patches: list[tuple[Key, Overlay]] | None = None
    inserted: list[tuple[Key, Event]] = attrs.Factory(list)
    removed: list[tuple[Key, Event]] = attrs.Factory(list)
    #: A bulk change (:mod:`unledger.bulk`): the new histories of the regions it wrote.
    delta: Any = None


def check_and_apply(world: World, event: Event, is_insert: bool, cause: str) -> World:
    """``event`` checked on ``world`` (the world just before it) and folded
    into it. A recorded event (not ``is_insert``) that the change breaks is
    named with ``cause``, the change, in its error."""
    check = CHECKS.get(event.kind)
    if check is not None:
        try:
            check(world, event)
        except RuleViolation as exc:
            if is_insert:
                raise
            raise RuleViolation(exc.reason, event=exc.event, field=exc.field, rule=exc.rule, cause=cause) from None
    return REDUCERS[event.kind](world, event)


def check_and_fold(
    world: World, keys: list[Key], events: list[Event], inserted: set[int] | None, cause: str, *, every: int
) -> tuple[World, list[tuple[Key, World]]]:
    """Check each event on the world before it and fold it; return the last
    world and a checkpoint every ``every`` events. ``inserted`` holds the ``id()`` of
    the events being added (``None``: all of them); a later event that a
    change breaks is named with ``cause``, the change, in its error."""
    checkpoints: list[tuple[Key, World]] = []
    k = every
    with bulk(len(events)) if len(events) >= BULK_EVENTS else _NO_PAUSE:
        for offset, event in enumerate(events, 1):
            world = check_and_apply(world, event, inserted is None or id(event) in inserted, cause)
            if offset % k == 0:
                checkpoints.append((keys[offset - 1], world))
    return world, checkpoints

