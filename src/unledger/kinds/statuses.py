"""Membership statuses and closures, as datasets that observe a member's
standing year by year record them.

Each kind's reducer and footprint, and its :class:`KindSpec`. Neither has a
rule check: a dataset's statuses are kept as it gives them, and compared
with the ledger's own records by the importer (see docs/datasets.md).
``world.extra["statuses"]`` maps org -> member -> ((date, status, id), ...)
in date order; ``world.extra["closures"]`` maps org -> (date, how, id).
"""

from __future__ import annotations

from typing import Any, Final

from ..events.statuses import Closure, MembershipStatus
from ..world import EMPTY, World
from ._maps import insert_dated
from .spec import Footprint, KindSpec

STATUSES_KEY: Final = "statuses"
CLOSURES_KEY: Final = "closures"


def membership_status(world: World, e: MembershipStatus) -> World:
    by_org = world.extra.get(STATUSES_KEY, EMPTY)
    inner = by_org.get(e.org, EMPTY)
    history = insert_dated(inner.get(e.member, ()), (e.date, e.status, e.id))
    return world.replace(extra=world.extra.set(STATUSES_KEY, by_org.set(e.org, inner.set(e.member, history))))


def closure(world: World, e: Closure) -> World:
    closed = world.extra.get(CLOSURES_KEY, EMPTY).set(e.org, (e.date, e.how, e.id))
    return world.replace(extra=world.extra.set(CLOSURES_KEY, closed))


def footprint_membership_status(e: Any) -> Footprint:
    history = ("xtra", STATUSES_KEY, e.org, e.member)
    return (history,), (history,)


def footprint_closure(e: Any) -> Footprint:
    closed = ("xtra", CLOSURES_KEY, e.org)
    return (closed,), (closed,)


SPECS = (
    KindSpec(event=MembershipStatus, reducer=membership_status, footprint=footprint_membership_status, maps=frozenset({"extra"})),
    KindSpec(event=Closure, reducer=closure, footprint=footprint_closure, maps=frozenset({"extra"})),
)
