"""Membership of an organization: admission, withdrawal, return, cessation.

Each kind's reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..events.membership import Admission, Cessation, Return, Withdrawal
from ..world import EMPTY, Spell, World, new_spell, with_members
from ._checks import day_of, must_be_member, must_exist, violation
from ._maps import get_in, insert_dated, set_in
from .spec import Footprint, KindSpec


def admission(world: World, e: Admission) -> World:
    spell = new_spell(e.date, e.date, "original" if e.original else "admitted", e.id)
    members = world.members
    inner = members.get(e.org, EMPTY)  # set_in and get_in, inlined: the hottest reducer of an open
    members = members.set(e.org, inner.set(e.member, inner.get(e.member, ()) + (spell,)))
    if e.name is None:
        return with_members(world, members)
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


# -- checks ----------------------------------------------------------------------


def check_admission(world: World, e: Any) -> None:
    must_exist(world, e, e.member, "member")
    org = world.bodies.get(e.org)
    # A founding member needs its organization established too ("original"
    # says how it joined, not that the organization can be left out), but
    # it joins with it, often on a date as coarse as the founding's own
    # ("1949" and "1949"): refused only when the organization certainly
    # did not exist yet. Any other admission needs it certainly established.
    if org is None:
        raise violation(
            e, "org", "org-exists", f"{e.org} is not established by {e.date}; record its establishment first, dated no later"
        )
    founded = org.established.earliest_day if e.original else org.established.latest_day
    if founded > (e.date.latest_day if e.original else day_of(e)):
        raise violation(e, "org", "org-exists", f"{e.org} is established only on {org.established}")
    spell, status = world.membership(e.org, e.member, day_of(e))
    if status is True:
        raise violation(
            e, "member", "no-readmission", f"{e.member} is already a member of {e.org} (since {spell.since if spell else '?'})"
        )


def check_withdrawal(world: World, e: Any) -> None:
    must_be_member(world, e, "withdraw-member")


def check_cessation(world: World, e: Any) -> None:
    must_be_member(world, e, "cease-member")


def check_return(world: World, e: Any) -> None:
    must_exist(world, e, e.member, "member")
    spells = world.members.get(e.org, EMPTY).get(e.member, ())
    if not spells or spells[-1].end is None:
        if spells and world.membership(e.org, e.member, day_of(e))[1] is not None:
            raise violation(e, "member", "return-after-leaving", f"{e.member} is still a member of {e.org}")
        raise violation(e, "member", "return-after-leaving", f"{e.member} never left {e.org}: use an admission")


# -- footprints ------------------------------------------------------------------


def footprint_admission(e: Any) -> Footprint:
    mem = ("mem", e.org, e.member)
    writes = (mem, ("names", e.member)) if e.name is not None else (mem,)
    return (("exist", e.member), ("bodies",), mem), writes


def footprint_leaving(e: Any) -> Footprint:
    mem = ("mem", e.org, e.member)
    return (mem,), (mem,)


def footprint_return(e: Any) -> Footprint:
    mem = ("mem", e.org, e.member)
    return (("exist", e.member), mem), (mem,)


SPECS = (
    KindSpec(event=Admission, reducer=admission, check=check_admission, footprint=footprint_admission, reads_bodies=True, maps=frozenset({"members", "names"})),
    KindSpec(event=Withdrawal, reducer=withdrawal, check=check_withdrawal, footprint=footprint_leaving, maps=frozenset({"members"})),
    KindSpec(event=Cessation, reducer=cessation, check=check_cessation, footprint=footprint_leaving, maps=frozenset({"members"})),
    KindSpec(event=Return, reducer=return_, check=check_return, footprint=footprint_return, maps=frozenset({"members"})),
)
