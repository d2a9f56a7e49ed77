"""Reducers for admission, withdrawal, return and cessation."""

from __future__ import annotations

import attrs

from ..events.membership import Admission, Cessation, Return, Withdrawal
from ..state import Spell, World
from ._maps import get_in, insert_dated, set_in


def admission(world: World, e: Admission) -> World:
    spell = Spell(start=e.date, since=e.date, how="original" if e.original else "admitted", via=e.id)
    members = set_in(world.members, e.org, e.member, get_in(world.members, e.org, e.member) + (spell,))
    if e.name is None:
        return world.replace(members=members)
    names = world.names.set(e.member, insert_dated(world.names.get(e.member, ()), (e.date, e.name)))
    return world.replace(members=members, names=names)


def end_membership(world: World, org: str, member: str, end: object, how: str, to: str | None = None) -> World:
    """End ``member``'s open spell in ``org`` at ``end`` (first day gone)."""
    spells = get_in(world.members, org, member)
    for index in range(len(spells) - 1, -1, -1):
        if spells[index].end is None:
            closed = attrs.evolve(spells[index], end=end, end_how=how, end_to=to)
            spells = spells[:index] + (closed,) + spells[index + 1 :]
            return world.replace(members=set_in(world.members, org, member, spells))
    return world


def withdrawal(world: World, e: Withdrawal) -> World:
    return end_membership(world, e.org, e.member, e.date, "withdrawal")


def cessation(world: World, e: Cessation) -> World:
    return end_membership(world, e.org, e.member, e.date, "cessation")


def return_(world: World, e: Return) -> World:
    spells = get_in(world.members, e.org, e.member)
    previous = spells[-1] if spells else None
    spell = Spell(
        start=e.date,
        since=previous.since if previous is not None else e.date,
        how=previous.how if previous is not None else "admitted",
        via=e.id,
    )
    return world.replace(members=set_in(world.members, e.org, e.member, spells + (spell,)))


REDUCERS = {
    "admission": admission,
    "withdrawal": withdrawal,
    "cessation": cessation,
    "return": return_,
}
