"""Roll calls: how each member of a body voted.

The kind's reducer and footprint, and its :class:`KindSpec`. It has no rule
check: a vote by a state that is not a member that day is reported by the
importer as a conflict, not refused (see docs/datasets.md).
``world.extra["roll_calls"]`` maps body -> rcid -> event.
"""

from __future__ import annotations

from typing import Any, Final

from ..events.votes import RollCall
from ..world import EMPTY, World
from .spec import Footprint, KindSpec

#: The key of ``World.extra`` the roll calls are kept under.
ROLL_CALLS: Final = "roll_calls"


def roll_call(world: World, e: RollCall) -> World:
    by_body = world.extra.get(ROLL_CALLS, EMPTY)
    calls = by_body.get(e.body, EMPTY).set(e.rcid, e)
    return world.replace(extra=world.extra.set(ROLL_CALLS, by_body.set(e.body, calls)))


def footprint_roll_call(e: Any) -> Footprint:
    calls = ("xtra", ROLL_CALLS, e.body, e.rcid)
    return (calls,), (calls,)


SPECS = (KindSpec(event=RollCall, reducer=roll_call, footprint=footprint_roll_call, maps=frozenset({"extra"})),)
